import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { OpenPlatformError, OpenPlatformErrorCode } from '../../errors/open-platform.error.js';
import type { InboundPush, PlatformPush, PushEnvelope } from '../platform-adapter.js';

// Entities are never expanded (no XXE / billion-laughs); values stay strings (appids and tickets
// must not be coerced to numbers).
const parser = new XMLParser({
  processEntities: false,
  htmlEntities: false,
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
});

function malformed(what: string): OpenPlatformError {
  return new OpenPlatformError({
    platform: 'wechat',
    code: OpenPlatformErrorCode.MALFORMED_MESSAGE,
    message: `malformed WeChat push: ${what}`,
  });
}

/** Parses `<xml>…</xml>` into a flat map of its child elements' text. */
export function parseWeChatXml(xml: string): Record<string, string> {
  if (!xml.trim().startsWith('<') || XMLValidator.validate(xml) !== true)
    throw malformed('body is not well-formed XML');
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw malformed('DOCTYPE and entity declarations are not accepted');
  const root: unknown = (parser.parse(xml) as Record<string, unknown>).xml;
  if (root === null || typeof root !== 'object' || Array.isArray(root)) throw malformed('missing <xml> root element');
  const flat: Record<string, string> = {};
  for (const [key, value] of Object.entries(root)) {
    if (typeof value === 'string') flat[key] = value;
  }
  return flat;
}

function firstString(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) return firstString(value[0]);
  return undefined;
}

/** The `Encrypt` value, from a raw XML body or from an object an app-level XML parser produced. */
function encryptFromBody(body: InboundPush['body']): string {
  if (body === undefined || (typeof body !== 'object' && typeof body !== 'string')) throw malformed('empty body');
  if (typeof body === 'string' || Buffer.isBuffer(body)) {
    const text = body.toString();
    if (text.trim() === '') throw malformed('empty body');
    const encrypt = parseWeChatXml(text).Encrypt;
    if (!encrypt) throw malformed('no <Encrypt> element');
    return encrypt;
  }
  // Object bodies come from XML body parsers such as express-xml-bodyparser (lower-cased, arrays).
  const root = (body.xml ?? body) as Record<string, unknown>;
  const key = Object.keys(root ?? {}).find((k) => k.toLowerCase() === 'encrypt');
  const encrypt = key ? firstString(root[key]) : undefined;
  if (!encrypt) throw malformed('no Encrypt field');
  return encrypt;
}

export function readWeChatEnvelope(inbound: InboundPush): PushEnvelope {
  const q = inbound.query;
  const timestamp = firstString(q.timestamp);
  const nonce = firstString(q.nonce);
  const signature = firstString(q.msg_signature);
  const encrypt = encryptFromBody(inbound.body);
  if (!timestamp || !/^\d{1,12}$/.test(timestamp)) throw malformed('missing or invalid timestamp');
  if (!nonce) throw malformed('missing nonce');
  return { timestamp, nonce, signature, encrypt };
}

const KINDS = new Set(['authorized', 'updateauthorized', 'unauthorized']);

export function parseWeChatMessage(plaintext: string): PlatformPush {
  const m = parseWeChatXml(plaintext);
  const componentAppId = m.AppId;
  const infoType = m.InfoType;
  if (!componentAppId || !infoType) throw malformed('decrypted message lacks AppId or InfoType');
  const createdAt = /^\d{1,12}$/.test(m.CreateTime ?? '') ? Number(m.CreateTime) * 1000 : NaN;
  if (!Number.isFinite(createdAt)) throw malformed('decrypted message lacks a valid CreateTime');
  const base = { componentAppId, createdAt };

  if (infoType === 'component_verify_ticket') {
    if (!m.ComponentVerifyTicket) throw malformed('ticket message lacks ComponentVerifyTicket');
    return { ...base, kind: 'ticket', ticket: m.ComponentVerifyTicket };
  }
  if (KINDS.has(infoType)) {
    if (!m.AuthorizerAppid) throw malformed(`${infoType} message lacks AuthorizerAppid`);
    if (infoType === 'unauthorized') return { ...base, kind: 'unauthorized', authorizerAppId: m.AuthorizerAppid };
    if (!m.AuthorizationCode) throw malformed(`${infoType} message lacks AuthorizationCode`);
    const expiry = Number(m.AuthorizationCodeExpiredTime);
    return {
      ...base,
      kind: infoType as 'authorized' | 'updateauthorized',
      authorizerAppId: m.AuthorizerAppid,
      authorizationCode: m.AuthorizationCode,
      codeExpiresAt: Number.isFinite(expiry) && expiry > 0 ? expiry * 1000 : undefined,
    };
  }
  return { ...base, kind: 'other', infoType, fields: m };
}
