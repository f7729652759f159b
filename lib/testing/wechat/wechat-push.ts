import { randomInt } from 'node:crypto';
import type { MessageCrypto } from '../../crypto/message-crypto.js';
import type { FakeWeChatBuiltPush, FakeWeChatPushOptions, FakeWeChatPushResult } from './fake-wechat.types.js';

/** Inner XML of a `component_verify_ticket` push (PROTOCOL §3). */
export function ticketMessageXml(appId: string, ticket: string, createTimeSeconds: number): string {
  return (
    `<xml><AppId><![CDATA[${appId}]]></AppId><CreateTime>${createTimeSeconds}</CreateTime>` +
    `<InfoType><![CDATA[component_verify_ticket]]></InfoType>` +
    `<ComponentVerifyTicket><![CDATA[${ticket}]]></ComponentVerifyTicket></xml>`
  );
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
