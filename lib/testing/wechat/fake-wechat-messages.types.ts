import type { FakeWeChatPushOptions } from './fake-wechat.types.js';

/** A message or event the emulator sends to an authorizer's message URL, as a user or the platform would. */
export interface FakeWeChatMessage {
  /** `MsgType`: `text`, `image`, `voice`, `video`, `shortvideo`, `location`, `link`, `event`, or any other. */
  msgType: string;
  /** `Content` of a text message. */
  content?: string;
  /** `Event` of an event (`msgType: 'event'`). */
  event?: string;
  /** `EventKey` of an event. */
  eventKey?: string;
  /** `FromUserName`: the user's openid. Default `o_fake_user`. */
  fromUserName?: string;
  /** `ToUserName`: the account's username. Default: the test account's `gh_…`, else `gh_` + the appid. */
  toUserName?: string;
  /** `CreateTime`, epoch seconds. Default: the emulator clock. */
  createTime?: number;
  /** `MsgId` of a (non-event) message. Default: fresh random digits. */
  msgId?: string;
  /** More elements, by their platform name (`PicUrl`, `SuccTime`, …). */
  fields?: Record<string, string | number>;
  /** Raw inner XML appended as is (nested elements such as `<ScanCodeInfo>…</ScanCodeInfo>`, or hostile input). */
  xml?: string;
}

/** How {@link FakeWeChatPlatform.sendMessage} delivers a message. */
export interface FakeWeChatSendMessageOptions extends FakeWeChatPushOptions {
  /** The component whose message URL is used; needed only when several have one. */
  componentAppId?: string;
  /** How long the platform waits for an answer before it gives up on a delivery (ms). Default 5000. */
  replyTimeoutMs?: number;
  /** Deliveries after a late answer, as the platform retries. Default 3. */
  retries?: number;
  /**
   * Deliver the message this many times in a row, each signed anew, whatever the answers: the
   * platform's retries after answers lost on the way back. Default 1.
   */
  deliveries?: number;
}

/** A passive reply, decrypted and verified by the emulator. */
export interface FakeWeChatPassiveReply {
  msgType: string;
  toUserName: string;
  fromUserName: string;
  createTime: number;
  /** `Content` of a text reply. */
  content?: string;
  /** Every element of the reply (nested ones as objects, repeated ones as arrays). */
  raw: Record<string, unknown>;
}

/** What the app answered to a message. */
export interface FakeWeChatSendMessageResult {
  /** HTTP status of the last answer (0 when every delivery timed out). */
  status: number;
  /** Body of the last answer. */
  body: string;
  /** The decrypted, verified passive reply of the last answer; undefined for `success` or an empty body. */
  reply?: FakeWeChatPassiveReply;
  /** How many deliveries were made. */
  deliveries: number;
  /** How many deliveries got no answer in time. */
  timeouts: number;
}

/** A message an app sent through the customer-service API (`/cgi-bin/message/custom/send`). */
export interface FakeWeChatCustomerServiceMessage {
  componentAppId: string;
  authorizerAppId: string;
  touser: string;
  msgtype: string;
  /** `text.content` of a text message. */
  content?: string;
  /** The request body as sent. */
  body: unknown;
}

/** One case of the release check. */
export interface FakeWeChatReleaseCheckCase {
  /** `event` (`{Event}from_callback`), `text` (`…_callback`) or `api` (`QUERY_AUTH_CODE`, answered through the API). */
  name: 'event' | 'text' | 'api';
  passed: boolean;
  /** What went wrong, when it failed. */
  detail?: string;
}

/** The outcome of {@link FakeWeChatPlatform.runReleaseCheck}. */
export interface FakeWeChatReleaseCheckResult {
  passed: boolean;
  cases: FakeWeChatReleaseCheckCase[];
}

/** Options of {@link FakeWeChatPlatform.runReleaseCheck}. */
export interface FakeWeChatReleaseCheckOptions {
  componentAppId?: string;
  /** How long the `api` case waits for the customer-service message (ms). Default 5000. */
  timeoutMs?: number;
}
