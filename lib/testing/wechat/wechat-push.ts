import { randomInt } from 'node:crypto';
import type { MessageCrypto } from '../../crypto/message-crypto.js';
import type { AuthorizationCodeBook } from './authorization-codes.js';
import type { FakeWeChatAuthorizationEvent } from './fake-wechat-authorization.types.js';
import type { FakeWeChatBuiltPush, FakeWeChatPushOptions, FakeWeChatPushResult } from './fake-wechat.types.js';

/** Inner XML of a `component_verify_ticket` push. */
export function ticketMessageXml(appId: string, ticket: string, createTimeSeconds: number): string {
  return (
    `<xml><AppId><![CDATA[${appId}]]></AppId><CreateTime>${createTimeSeconds}</CreateTime>` +
    `<InfoType><![CDATA[component_verify_ticket]]></InfoType>` +
    `<ComponentVerifyTicket><![CDATA[${ticket}]]></ComponentVerifyTicket></xml>`
  );
}

/** Fields of an authorization event message, all resolved. */
export interface AuthorizationMessage {
  infoType: FakeWeChatAuthorizationEvent['infoType'];
  authorizerAppId: string;
  createTime: number;
  authorizationCode: string;
  authorizationCodeExpiredTime: number;
  preAuthCode: string;
}

/** Inner XML of an `authorized` / `updateauthorized` / `unauthorized` push. */
export function authorizationMessageXml(appId: string, message: AuthorizationMessage): string {
  const head =
    `<xml><AppId>${cdata(appId)}</AppId><CreateTime>${message.createTime}</CreateTime>` +
    `<InfoType>${cdata(message.infoType)}</InfoType><AuthorizerAppid>${cdata(message.authorizerAppId)}</AuthorizerAppid>`;
  if (message.infoType === 'unauthorized') return `${head}</xml>`;
  return (
    `${head}<AuthorizationCode>${cdata(message.authorizationCode)}</AuthorizationCode>` +
    `<AuthorizationCodeExpiredTime>${message.authorizationCodeExpiredTime}</AuthorizationCodeExpiredTime>` +
    `<PreAuthCode>${cdata(message.preAuthCode)}</PreAuthCode></xml>`
  );
}

/** Fills an event's defaults: the clock, and the code's expiry and pre-auth code when the emulator issued it. */
export function resolveAuthorizationMessage(
  event: FakeWeChatAuthorizationEvent,
  nowSeconds: number,
  codes: AuthorizationCodeBook,
): AuthorizationMessage {
  const createTime = event.createTime ?? nowSeconds;
  const issued = event.authorizationCode ? codes.authCode(event.authorizationCode) : undefined;
  return {
    infoType: event.infoType,
    authorizerAppId: event.authorizerAppId,
    createTime,
    authorizationCode: event.authorizationCode ?? '',
    authorizationCodeExpiredTime:
      event.authorizationCodeExpiredTime ??
      (issued ? Math.floor(issued.expiresAt / 1000) : createTime + codes.authCodeExpiresIn),
    preAuthCode: event.preAuthCode ?? issued?.preAuthCode ?? '',
  };
}

/** Wraps a string in CDATA, splitting any `]]>` it contains. */
function cdata(value: string): string {
  return `<![CDATA[${value.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
}

/** Encrypts and signs `innerXml` the way the platform does for the authorization-event URL. */
export function buildWeChatPush(
  crypto: MessageCrypto,
  appId: string,
  innerXml: string,
  nowSeconds: number,
  options: FakeWeChatPushOptions = {},
): FakeWeChatBuiltPush {
  const timestamp = String(options.timestamp ?? nowSeconds);
  const nonce = options.nonce ?? String(randomInt(100_000_000, 2_147_483_647));
  const encrypt = crypto.encrypt(innerXml);
  return {
    query: { timestamp, nonce, msg_signature: crypto.signature(timestamp, nonce, encrypt), encrypt_type: 'aes' },
    body: `<xml><AppId><![CDATA[${appId}]]></AppId><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`,
  };
}

/** POSTs a built push to the app's events route (query parameters are appended to `url`). */
export async function sendWeChatPush(url: string, push: FakeWeChatBuiltPush): Promise<FakeWeChatPushResult> {
  const target = new URL(url);
  for (const [key, value] of Object.entries(push.query)) target.searchParams.set(key, value);
  const response = await fetch(target, {
    method: 'POST',
    headers: { 'content-type': 'text/xml' },
    body: push.body,
  });
  return { status: response.status, body: await response.text() };
}
