import type { AuthorizerEvent } from '../../authorizer-messages/authorizer-message.interface.js';
import { OpenPlatformError, OpenPlatformErrorCode } from '../../errors/open-platform.error.js';
import { MAX_PUSH_BYTES } from '../../open-platform.constants.js';
import type { AuthorizerMessageCodec, DecodedMessage, MessageAddress } from '../message-codec.js';
import { isUsableField } from '../push-fields.js';
import { readDouyinEnvelope } from './douyin-push.parser.js';
import { douyinTime } from './douyin-time.js';

function malformed(what: string, code: OpenPlatformErrorCode = OpenPlatformErrorCode.MALFORMED_MESSAGE) {
  return new OpenPlatformError({ platform: 'douyin', code, message: `malformed Douyin message: ${what}` });
}

function own(object: Record<string, unknown>, key: string): unknown {
  return Object.getOwnPropertyDescriptor(object, key)?.value;
}

/**
 * The Douyin message URL (消息与事件接收 URL): the same JSON envelope as the authorization-event
 * URL, JSON notices `{AppId, TpAppId, EventTime, Event, EventContent}` (e.g. category audit
 * results). Douyin documents no passive reply: every answer is `success`.
 */
export const douyinMessageCodec: AuthorizerMessageCodec = {
  readEnvelope: readDouyinEnvelope,

  decode(plaintext: string, address: MessageAddress): DecodedMessage {
    if (Buffer.byteLength(plaintext) > MAX_PUSH_BYTES || !plaintext.trimStart().startsWith('{'))
      throw malformed('not a JSON object');
    let m: unknown;
    try {
      m = JSON.parse(plaintext);
    } catch {
      throw malformed('not valid JSON');
    }
    if (m === null || typeof m !== 'object' || Array.isArray(m)) throw malformed('not a JSON object');
    const raw = m as Record<string, unknown>;
    const field = (key: string) => {
      const value = own(raw, key);
      if (!isUsableField(value)) throw malformed(`${key} is missing, blank or invalid`);
      return value;
    };
    const appId = field('AppId');
    const tpAppId = field('TpAppId');
    const event = field('Event');
    const eventTime = own(raw, 'EventTime');
    const at = douyinTime(eventTime);
    if (!Number.isFinite(at)) throw malformed('EventTime is not a time');
    if (tpAppId !== address.componentAppId)
      throw malformed('the message names another component', OpenPlatformErrorCode.APPID_MISMATCH);
    if (appId !== address.authorizerAppId)
      throw malformed('the message names another authorizer than the URL', OpenPlatformErrorCode.APPID_MISMATCH);
    const base = {
      ...address,
      msgType: 'event' as const,
      toUserName: appId,
      fromUserName: tpAppId,
      createTime: Math.floor(at / 1000),
      raw,
    };
    const content = own(raw, 'EventContent');
    const message: AuthorizerEvent =
      event === 'PUBLISH_APP_CATEGORY_AUDIT_RESULT'
        ? {
            ...base,
            event,
            content: content !== null && typeof content === 'object' ? (content as Record<string, unknown>) : {},
          }
        : { ...base, event: 'unknown', originalEvent: event };
    return { message, dedupeKey: `event:${appId}:${String(eventTime)}:${event}` };
  },

  render: () => undefined,

  seal(): string {
    throw new Error('Douyin has no passive replies');
  },

  replyContentType: 'text/plain; charset=utf-8',
};
