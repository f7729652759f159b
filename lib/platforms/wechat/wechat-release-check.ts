import type { AuthorizerInbound } from '../../authorizer-messages/authorizer-message.interface.js';
import type { ReleaseCheckAction } from '../message-codec.js';

/**
 * The platform's dedicated test accounts of the release check (全网发布接入检测), five groups of an
 * Official Account and a Mini Program each; the check picks a group at random. From the official
 * "全网发布检测说明" page (docs/authorizer-messages.md).
 */
export const WECHAT_RELEASE_CHECK_APP_IDS: ReadonlySet<string> = new Set([
  'wx570bc396a51b8ff8',
  'wx9252c5e0bb1836fc',
  'wx8e1097c5bc82cde9',
  'wx14550af28c71a144',
  'wxa35b9c23cfe664eb',
  'wxd101a85aa106f53e',
  'wxc39235c15087f6f3',
  'wx7720d01d4b2a4500',
  'wx05d483572dcd5d8b',
  'wx5910277cae6fd970',
]);

export const RELEASE_CHECK_TEXT = 'TESTCOMPONENT_MSG_TYPE_TEXT';
export const RELEASE_CHECK_CODE_PREFIX = 'QUERY_AUTH_CODE:';

/**
 * The three test cases: an event is answered `{Event}from_callback`; the text
 * `TESTCOMPONENT_MSG_TYPE_TEXT` is answered `TESTCOMPONENT_MSG_TYPE_TEXT_callback`; the text
 * `QUERY_AUTH_CODE:{code}` is answered empty at once, then `{code}_from_api` goes to the sender
 * through the customer-service API with the token the code gives. Anything else (and any other
 * account) is not part of the check.
 */
export function wechatReleaseCheck(message: AuthorizerInbound): ReleaseCheckAction | undefined {
  if (!WECHAT_RELEASE_CHECK_APP_IDS.has(message.authorizerAppId.toLowerCase())) return undefined;
  if (message.msgType === 'event') {
    const event = message.event === 'unknown' ? message.originalEvent : message.event;
    return { reply: { type: 'text', content: `${event}from_callback` } };
  }
  if (message.msgType !== 'text') return undefined;
  if (message.content === RELEASE_CHECK_TEXT)
    return { reply: { type: 'text', content: `${RELEASE_CHECK_TEXT}_callback` } };
  if (message.content.startsWith(RELEASE_CHECK_CODE_PREFIX)) {
    const code = message.content.slice(RELEASE_CHECK_CODE_PREFIX.length).trim();
    if (code) return { queryAuthCode: { code, toUser: message.fromUserName, content: `${code}_from_api` } };
  }
  return undefined;
}
