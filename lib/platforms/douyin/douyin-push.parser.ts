import { OpenPlatformError, OpenPlatformErrorCode } from '../../errors/open-platform.error.js';
import { MAX_PUSH_BYTES } from '../../open-platform.constants.js';
import type { InboundPush, PlatformPush, PushEnvelope } from '../platform-adapter.js';
import { douyinTime } from './douyin-time.js';

type Json = Record<string, unknown>;

function malformed(what: string): OpenPlatformError {
  return new OpenPlatformError({
    platform: 'douyin',
    code: OpenPlatformErrorCode.MALFORMED_MESSAGE,
    message: `malformed Douyin push: ${what}`,
  });
}

/**
 * Parses a JSON text that must be an object. The text is bounded first; V8's `JSON.parse` is not
 * recursive, and `__proto__` keys become plain own properties, so hostile nesting or names cannot
 * hurt. Nothing but a few top-level keys is ever read from the result.
 */
function parseJsonObject(text: string, what: string): Json {
  if (Buffer.byteLength(text) > MAX_PUSH_BYTES) throw malformed(`${what} longer than a push may be`);
  if (!text.trimStart().startsWith('{')) throw malformed(`${what} is not a JSON object`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw malformed(`${what} is not valid JSON`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw malformed(`${what} is not a JSON object`);
  return parsed as Json;
}

/** One own top-level value, read without invoking getters or walking anything. */
function own(object: Json, key: string): unknown {
  return Object.getOwnPropertyDescriptor(object, key)?.value;
}

function ownString(object: Json, key: string): string | undefined {
  const value = own(object, key);
  return typeof value === 'string' ? value : undefined;
}

/**
 * The signed envelope of a Douyin push: a JSON body `{Nonce, TimeStamp, Encrypt, MsgSignature}`,
 * raw (Buffer or string) or already parsed by the app's JSON body parser. Only those four keys
 * are read, shallowly. `TimeStamp` may be a number; it is signed as received, so it is returned as
 * its decimal string. A missing `MsgSignature` is reported as a missing signature (the caller
 * refuses it as unauthenticated), any other gap as a malformed message.
 */
export function readDouyinEnvelope(inbound: InboundPush): PushEnvelope {
  const body = inbound.body;
  let root: Json;
  if (typeof body === 'string' || Buffer.isBuffer(body)) {
    root = parseJsonObject(body.toString('utf8'), 'body');
  } else if (body !== null && typeof body === 'object' && !Array.isArray(body)) {
    root = body;
  } else {
    throw malformed('empty body');
  }
  const rawTimestamp = own(root, 'TimeStamp');
  const timestamp =
    typeof rawTimestamp === 'number' && Number.isSafeInteger(rawTimestamp) ? String(rawTimestamp) : rawTimestamp;
  if (typeof timestamp !== 'string' || !/^\d{1,12}$/.test(timestamp)) throw malformed('missing or invalid TimeStamp');
  const nonce = ownString(root, 'Nonce');
  if (!nonce || nonce.length > 128) throw malformed('missing or invalid Nonce');
  const encrypt = ownString(root, 'Encrypt');
  if (!encrypt || encrypt.length > MAX_PUSH_BYTES) throw malformed('missing or invalid Encrypt');
  const signature = own(root, 'MsgSignature');
  if (signature !== undefined && typeof signature !== 'string') throw malformed('MsgSignature is not a string');
  return { timestamp, nonce, signature: signature || undefined, encrypt };
}

const AUTHORIZATION_KINDS: Record<string, 'authorized' | 'updateauthorized'> = {
  AUTHORIZED: 'authorized',
  // Despite its name, Douyin's "authorization code retrieval notice": it follows a
  // retrieve_auth_code call and carries the same code that call returned.
  UPDATE_AUTHORIZED: 'updateauthorized',
};

/** String and numeric top-level values only, as strings, in a map without prototype. */
function flatFields(message: Json): Record<string, string> {
  const fields = Object.create(null) as Record<string, string>;
  for (const key of Object.keys(message)) {
    const value = own(message, key);
    if (typeof value === 'string') fields[key] = value;
    else if (typeof value === 'number' && Number.isFinite(value)) fields[key] = String(value);
  }
  return fields;
}

/**
 * Parses a decrypted Douyin message. Tickets name no component, so their `componentAppId` is the
 * one the message was decrypted for (`componentAppId`; the decryption already checked the
 * trailing appid against it); authorization events name it in `TpAppId`.
 *
 * @throws OpenPlatformError(MALFORMED_MESSAGE) for anything that is not a JSON object with the
 *   fields its kind needs.
 */
export function parseDouyinMessage(plaintext: string, componentAppId?: string): PlatformPush {
  const m = parseJsonObject(plaintext, 'decrypted message');
  if (ownString(m, 'MsgType') === 'Ticket') {
    const ticket = ownString(m, 'Ticket');
    if (!ticket) throw malformed('ticket message lacks Ticket');
    if (!componentAppId) throw malformed('ticket message names no component and none was given');
    // CreateTime is 'yyyy-MM-dd HH:mm:ss' in Beijing time (UTC+8).
    return { kind: 'ticket', componentAppId, createdAt: validTime(own(m, 'CreateTime'), 'CreateTime'), ticket };
  }
  const event = ownString(m, 'Event');
  const tpAppId = ownString(m, 'TpAppId') ?? componentAppId;
  if (!tpAppId) throw malformed('decrypted message lacks TpAppId');
  // EventTime is 'yyyy-MM-dd HH:mm:ss' in Beijing time (UTC+8); epoch seconds are accepted too.
  const base = {
    componentAppId: tpAppId,
    createdAt: validTime(own(m, 'EventTime') ?? own(m, 'CreateTime'), 'EventTime'),
  };
  if (event === 'UNAUTHORIZED' || (event && Object.hasOwn(AUTHORIZATION_KINDS, event))) {
    const authorizerAppId = ownString(m, 'AppId');
    if (!authorizerAppId) throw malformed(`${event} message lacks AppId`);
    if (event === 'UNAUTHORIZED') return { ...base, kind: 'unauthorized', authorizerAppId };
    const code = ownString(m, 'AuthorizationCode');
    if (!code) throw malformed(`${event} message lacks AuthorizationCode`);
    // AuthorizationCodeExpiresIn is a lifetime in seconds (3600), counted from EventTime.
    const expiresIn = Number(own(m, 'AuthorizationCodeExpiresIn'));
    return {
      ...base,
      kind: AUTHORIZATION_KINDS[event],
      authorizerAppId,
      authorizationCode: code,
      codeExpiresAt: Number.isFinite(expiresIn) && expiresIn > 0 ? base.createdAt + expiresIn * 1000 : undefined,
    };
  }
  const infoType = event ?? ownString(m, 'MsgType');
  if (!infoType) throw malformed('decrypted message has neither Event nor MsgType');
  return { ...base, kind: 'other', infoType, fields: flatFields(m) };
}

function validTime(value: unknown, field: string): number {
  const at = douyinTime(value);
  if (!Number.isFinite(at)) throw malformed(`decrypted message lacks a valid ${field}`);
  return at;
}
