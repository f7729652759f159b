import type { PlatformName } from '../platform-names.js';

/** What every message and event addressed to an authorizer carries. */
interface InboundBase {
  platform: PlatformName;
  componentAppId: string;
  /** The authorized account the message is addressed to (from the route: `…/authorizers/{appid}/messages`). */
  authorizerAppId: string;
  /** The account's username as the platform writes it (WeChat: `gh_…`; Douyin: the authorizer appid). */
  toUserName: string;
  /** The sender: a user's openid, or a system account for notices. */
  fromUserName: string;
  /** When the platform created the message, epoch seconds. */
  createTime: number;
  /**
   * The decrypted message as received, nested elements included (WeChat: element names to
   * strings, repeated elements to arrays; Douyin: the JSON object). Fields the typed view does not
   * name are only here; nothing is ever dropped.
   */
  raw: Record<string, unknown>;
}

interface UserMessageBase extends InboundBase {
  /** The platform's message id, what retries are deduplicated by. */
  msgId: string;
}

/** A user's text message. */
export interface TextMessage extends UserMessageBase {
  msgType: 'text';
  content: string;
}

/** A user's picture. */
export interface ImageMessage extends UserMessageBase {
  msgType: 'image';
  picUrl: string;
  mediaId: string;
}

/** A user's voice message; `recognition` when speech recognition is on. */
export interface VoiceMessage extends UserMessageBase {
  msgType: 'voice';
  mediaId: string;
  format: string;
  recognition?: string;
}

/** A user's video (`video`) or short video (`shortvideo`). */
export interface VideoMessage extends UserMessageBase {
  msgType: 'video' | 'shortvideo';
  mediaId: string;
  thumbMediaId: string;
}

/** A location a user sent. */
export interface LocationMessage extends UserMessageBase {
  msgType: 'location';
  latitude: number;
  longitude: number;
  scale: number;
  label: string;
}

/** A link a user sent. */
export interface LinkMessage extends UserMessageBase {
  msgType: 'link';
  title: string;
  description: string;
  url: string;
}

/** A message of a type this version does not model: everything is in `raw`. */
export interface UnknownMessage extends InboundBase {
  msgType: 'unknown';
  /** The platform's `MsgType`, e.g. `miniprogrampage`. */
  originalMsgType: string;
  msgId?: string;
}

/** A message from a user to an authorized account, discriminated by `msgType`. */
export type AuthorizerMessage =
  TextMessage | ImageMessage | VoiceMessage | VideoMessage | LocationMessage | LinkMessage | UnknownMessage;

interface EventBase extends InboundBase {
  msgType: 'event';
}

/** A user followed the account; `eventKey` (`qrscene_…`) and `ticket` when through a QR code. */
export interface SubscribeEvent extends EventBase {
  event: 'subscribe';
  eventKey?: string;
  ticket?: string;
}

/** A user unfollowed the account. */
export interface UnsubscribeEvent extends EventBase {
  event: 'unsubscribe';
}

/** A follower scanned a parameterized QR code. */
export interface ScanEvent extends EventBase {
  event: 'SCAN';
  eventKey: string;
  ticket?: string;
}

/** A follower's reported location. */
export interface LocationEvent extends EventBase {
  event: 'LOCATION';
  latitude: number;
  longitude: number;
  precision: number;
}

/** A click on a menu button (`CLICK`) or on a menu link (`VIEW`, `eventKey` is the URL). */
export interface MenuEvent extends EventBase {
  event: 'CLICK' | 'VIEW';
  eventKey: string;
}

/** A Mini Program's code passed audit. */
export interface WeappAuditSuccessEvent extends EventBase {
  event: 'weapp_audit_success';
  /** Epoch seconds. */
  succTime: number;
}

/** A Mini Program's code failed audit. */
export interface WeappAuditFailEvent extends EventBase {
  event: 'weapp_audit_fail';
  /** Epoch seconds. */
  failTime: number;
  reason: string;
  /** Media ids of the screenshots the reviewers attached. */
  screenShot: string[];
}

/** A Mini Program's audit was delayed. */
export interface WeappAuditDelayEvent extends EventBase {
  event: 'weapp_audit_delay';
  /** Epoch seconds. */
  delayTime: number;
  reason: string;
}

/** Douyin: the audit result of an authorized mini program's category change. */
export interface DouyinCategoryAuditEvent extends EventBase {
  event: 'PUBLISH_APP_CATEGORY_AUDIT_RESULT';
  /** `EventContent` as received (`audit_categories`, `audit_reason`, `audit_state`). */
  content: Record<string, unknown>;
}

/** An event of a kind this version does not model: everything is in `raw`. */
export interface UnknownEvent extends EventBase {
  event: 'unknown';
  /** The platform's `Event`, e.g. `wxa_nickname_audit`. */
  originalEvent: string;
}

/** An event addressed to an authorized account, discriminated by `event`. */
export type AuthorizerEvent =
  | SubscribeEvent
  | UnsubscribeEvent
  | ScanEvent
  | LocationEvent
  | MenuEvent
  | WeappAuditSuccessEvent
  | WeappAuditFailEvent
  | WeappAuditDelayEvent
  | DouyinCategoryAuditEvent
  | UnknownEvent;

/** Anything the message URL receives: a message, or an event (`msgType: 'event'`). */
export type AuthorizerInbound = AuthorizerMessage | AuthorizerEvent;

/** The platform's own name of a message's type (`MsgType`), unknown ones included. */
export function msgTypeOf(inbound: AuthorizerInbound): string {
  return inbound.msgType === 'unknown' ? inbound.originalMsgType : inbound.msgType;
}

/** The platform's own name of an event (`Event`), unknown ones included. */
export function eventNameOf(inbound: AuthorizerEvent): string {
  return inbound.event === 'unknown' ? inbound.originalEvent : inbound.event;
}
