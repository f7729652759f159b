import { randomInt } from 'node:crypto';
import type { MessageCrypto } from '../../crypto/message-crypto.js';
import type {
  FakeDouyinAuthorizationEvent,
  FakeDouyinBuiltPush,
  FakeDouyinPushOptions,
  FakeDouyinPushResult,
} from './fake-douyin.types.js';

/** China Standard Time, the zone of the platform's `yyyy-MM-dd HH:mm:ss` timestamps. */
const CST_OFFSET_MS = 8 * 3600 * 1000;

/** Formats epoch ms as `yyyy-MM-dd HH:mm:ss` in China time. */
export function douyinDateTime(epochMs: number): string {
  return new Date(epochMs + CST_OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ');
}

/** The decrypted ticket message. */
export function ticketMessage(ticket: string, createTime: string): Record<string, unknown> {
  return {
    Ticket: ticket,
    FromUserName: 'ByteDanceMicroApp',
    CreateTime: createTime,
    MsgType: 'Ticket',
    Event: 'PUSH',
  };
}

/** The decrypted authorization message; code fields only on events that carry a code. */
export function authorizationMessage(
  componentAppId: string,
  event: FakeDouyinAuthorizationEvent,
  defaults: { eventTime: string; codeExpiresIn: number },
): Record<string, unknown> {
  const head = {
    AppId: event.authorizerAppId,
    TpAppId: componentAppId,
    EventTime: event.eventTime ?? defaults.eventTime,
    Event: event.event,
  };
  const code =
    event.event === 'UNAUTHORIZED'
      ? {}
      : {
          AuthorizationCode: event.authorizationCode ?? '',
          AuthorizationCodeExpiresIn: event.authorizationCodeExpiresIn ?? defaults.codeExpiresIn,
        };
  return { ...head, ...code, ...event.extra };
}

/** Encrypts (32-byte prefix) and signs a message the way the platform does for the events URL. */
export function buildDouyinPush(
  crypto: MessageCrypto,
  message: string,
  nowSeconds: number,
  options: FakeDouyinPushOptions = {},
): FakeDouyinBuiltPush {
  const timestamp = options.timestamp ?? String(nowSeconds);
  const nonce = options.nonce ?? String(randomInt(100_000_000, 2_147_483_647));
  const encrypt = crypto.encrypt(message);
  return {
    body: {
      Nonce: nonce,
      TimeStamp: timestamp,
      Encrypt: encrypt,
      MsgSignature: crypto.signature(String(timestamp), nonce, encrypt),
    },
    message,
  };
}

/** POSTs a built push as JSON. */
export async function sendDouyinPush(url: string, push: FakeDouyinBuiltPush): Promise<FakeDouyinPushResult> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(push.body),
  });
  return { status: response.status, body: await response.text() };
}
