import { randomInt } from 'node:crypto';
import { XMLParser } from 'fast-xml-parser';
import type { MessageCrypto } from '../../crypto/message-crypto.js';
import type { FakeReply, FakeRequest } from '../core/fake-http-server.js';
import type { FakeWeChatCaller } from './business-endpoints.js';
import type {
  FakeWeChatCustomerServiceMessage,
  FakeWeChatMessage,
  FakeWeChatPassiveReply,
} from './fake-wechat-messages.types.js';

/** Usernames of the release check's test accounts (official 全网发布检测说明 page). */
export const RELEASE_CHECK_USERNAMES: Readonly<Record<string, string>> = {
  wx570bc396a51b8ff8: 'gh_3c884a361561',
  wx9252c5e0bb1836fc: 'gh_c0f28a78b318',
  wx8e1097c5bc82cde9: 'gh_3f222ed8d140',
  wx14550af28c71a144: 'gh_26128078e9ab',
  wxa35b9c23cfe664eb: 'gh_2b3713f184a6',
  wxd101a85aa106f53e: 'gh_8dad206e9538',
  wxc39235c15087f6f3: 'gh_905ae9d01059',
  wx7720d01d4b2a4500: 'gh_393666f1fdf4',
  wx05d483572dcd5d8b: 'gh_39abb5d4e1b7',
  wx5910277cae6fd970: 'gh_7818dcb60240',
};

const parser = new XMLParser({
  processEntities: false,
  htmlEntities: false,
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: true,
});

function cdata(value: string): string {
  return `<![CDATA[${value.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
}

/** A message with every default filled in. */
export interface ResolvedFakeMessage extends FakeWeChatMessage {
  fromUserName: string;
  toUserName: string;
  createTime: number;
}

export function resolveMessage(
  authorizerAppId: string,
  msg: FakeWeChatMessage,
  nowSeconds: number,
): ResolvedFakeMessage {
  return {
    ...msg,
    fromUserName: msg.fromUserName ?? 'o_fake_user',
    toUserName: msg.toUserName ?? RELEASE_CHECK_USERNAMES[authorizerAppId] ?? `gh_${authorizerAppId}`,
    createTime: msg.createTime ?? nowSeconds,
    msgId: msg.msgId ?? (msg.msgType === 'event' ? undefined : String(randomInt(1, 2 ** 47))),
  };
}

/** The decrypted XML of a message, as the platform writes it. */
export function messageXml(msg: ResolvedFakeMessage): string {
  const el = (name: string, value: string | number | undefined) =>
    value === undefined ? '' : `<${name}>${typeof value === 'number' ? value : cdata(value)}</${name}>`;
  let xml =
    `<xml>${el('ToUserName', msg.toUserName)}${el('FromUserName', msg.fromUserName)}` +
    `<CreateTime>${msg.createTime}</CreateTime>${el('MsgType', msg.msgType)}` +
    `${el('Content', msg.content)}${el('Event', msg.event)}${el('EventKey', msg.eventKey)}`;
  for (const [name, value] of Object.entries(msg.fields ?? {})) xml += el(name, value);
  return `${xml}${el('MsgId', msg.msgId)}${msg.xml ?? ''}</xml>`;
}

/** The outer XML of a message push: `ToUserName` and `Encrypt`. */
export function messageEnvelope(toUserName: string, encrypt: string): string {
  return `<xml><ToUserName>${cdata(toUserName)}</ToUserName><Encrypt>${cdata(encrypt)}</Encrypt></xml>`;
}

function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/**
 * Decrypts and verifies a passive reply the way the platform does: the envelope's signature with
 * the component's token, the ciphertext's padding, length and trailing appid, and that the reply
 * goes back to the sender from the account. Throws an Error saying what is wrong otherwise.
 */
export function openReply(crypto: MessageCrypto, body: string, message: ResolvedFakeMessage): FakeWeChatPassiveReply {
  const fail = (what: string) => new Error(`FakeWeChatPlatform: the passive reply ${what}`);
  let envelope: Record<string, unknown>;
  try {
    envelope = record(record(parser.parse(body)).xml);
  } catch {
    throw fail('is not XML');
  }
  const [encrypt, signature, timestamp, nonce] = ['Encrypt', 'MsgSignature', 'TimeStamp', 'Nonce'].map((k) =>
    typeof envelope[k] === 'string' ? envelope[k] : undefined,
  );
  if (!encrypt || !signature || !timestamp || !nonce)
    throw fail('lacks Encrypt, MsgSignature, TimeStamp or Nonce (is it encrypted?)');
  if (!crypto.verifySignature(signature, timestamp, nonce, encrypt)) throw fail('signature does not verify');
  let plaintext: string;
  try {
    plaintext = crypto.decrypt(encrypt);
  } catch (err) {
    throw fail(`does not decrypt: ${(err as Error).message}`);
  }
  const raw = record(record(parser.parse(plaintext)).xml);
  const text = (k: string) => (typeof raw[k] === 'string' ? raw[k] : undefined);
  const reply: FakeWeChatPassiveReply = {
    msgType: text('MsgType') ?? '',
    toUserName: text('ToUserName') ?? '',
    fromUserName: text('FromUserName') ?? '',
    createTime: Number(text('CreateTime')),
    ...(text('Content') !== undefined ? { content: text('Content') } : {}),
    raw,
  };
  if (!reply.msgType) throw fail('has no MsgType');
  if (reply.toUserName !== message.fromUserName || reply.fromUserName !== message.toUserName)
    throw fail('is not addressed back to the sender from the account');
  if (!Number.isFinite(reply.createTime)) throw fail('has no valid CreateTime');
  return reply;
}

/** The emulated customer-service send endpoint and what it received. */
export class CustomerServiceBook {
  private readonly received: FakeWeChatCustomerServiceMessage[] = [];
  private readonly waiters = new Set<() => void>();

  /** `POST /cgi-bin/message/custom/send?access_token=T` (authorizer token checked before this runs). */
  handle(request: FakeRequest, caller: FakeWeChatCaller): FakeReply {
    const body = record(request.json);
    const touser = typeof body.touser === 'string' ? body.touser : '';
    const msgtype = typeof body.msgtype === 'string' ? body.msgtype : '';
    if (!touser || !msgtype) return { body: { errcode: 44002, errmsg: 'empty post data' } };
    const content = record(body.text).content;
    this.received.push({
      ...caller,
      touser,
      msgtype,
      ...(typeof content === 'string' ? { content } : {}),
      body: request.json,
    });
    for (const wake of this.waiters) wake();
    return { body: { errcode: 0, errmsg: 'ok' } };
  }

  messages(): FakeWeChatCustomerServiceMessage[] {
    return this.received.map((m) => ({ ...m }));
  }

  reset(): void {
    this.received.length = 0;
  }

  /** Resolves with the first message matching `predicate`, or undefined after `timeoutMs`. */
  waitFor(
    predicate: (m: FakeWeChatCustomerServiceMessage) => boolean,
    timeoutMs: number,
  ): Promise<FakeWeChatCustomerServiceMessage | undefined> {
    return new Promise((resolve) => {
      const check = () => {
        const found = this.received.find(predicate);
        if (!found) return;
        done(found);
      };
      const timer = setTimeout(() => done(undefined), timeoutMs);
      const done = (found: FakeWeChatCustomerServiceMessage | undefined) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(found);
      };
      this.waiters.add(check);
      check();
    });
  }
}
