import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { OpenPlatformError, OpenPlatformErrorCode } from '../../errors/open-platform.error.js';
import { MAX_PUSH_BYTES } from '../../open-platform.constants.js';
import type { InboundPush, PlatformPush, PushEnvelope } from '../platform-adapter.js';

// Entities are never expanded (no XXE / billion-laughs); values stay strings (appids and tickets
// must not be coerced to numbers).
export const wechatXmlParser = new XMLParser({
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

/** WeChat messages are flat (`<xml>` and its children); anything much deeper is not a push. */
export const MAX_XML_DEPTH = 8;

/**
 * Whether element nesting in `xml` goes deeper than `max` (or a markup section is left open).
 * One linear scan without recursion or backtracking, stopping at the first excess, so hostile
 * nesting is refused before any parser walks it.
 */
export function nestingExceeds(xml: string, max: number): boolean {
  let depth = 0;
  for (let i = xml.indexOf('<'); i !== -1; i = xml.indexOf('<', i)) {
    // CDATA sections and comments may contain '<' and '>' that are not markup.
    const section = xml.startsWith('<![CDATA[', i) ? ']]>' : xml.startsWith('<!--', i) ? '-->' : '>';
    const end = xml.indexOf(section, i + 1);
    if (end === -1) return true;
    const next = xml[i + 1];
    if (section === '>' && next !== '?' && next !== '!') {
      if (next === '/') depth--;
      else if (xml[end - 1] !== '/' && ++depth > max) return true;
    }
    i = end + section.length;
  }
  return false;
}

/**
 * Parses `<xml>…</xml>` into a flat map of its child elements' text. The map has no prototype,
 * so element names such as `__proto__` or `constructor` are plain keys.
 *
 * @throws OpenPlatformError(MALFORMED_MESSAGE) for anything that is not a flat, well-formed message.
 */
export function parseWeChatXml(xml: string): Record<string, string> {
  if (!xml.trim().startsWith('<')) throw malformed('body is not XML');
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw malformed('DOCTYPE and entity declarations are not accepted');
  if (nestingExceeds(xml, MAX_XML_DEPTH)) throw malformed(`elements nested deeper than ${MAX_XML_DEPTH}`);
  let root: unknown;
  try {
    if (XMLValidator.validate(xml) !== true) throw malformed('body is not well-formed XML');
    root = (wechatXmlParser.parse(xml) as Record<string, unknown>).xml;
  } catch (err) {
    // The parser refuses some names (`__proto__`, `constructor`…) and limits with plain Errors.
    if (err instanceof OpenPlatformError) throw err;
    throw malformed('body could not be parsed');
  }
  if (root === null || typeof root !== 'object' || Array.isArray(root)) throw malformed('missing <xml> root element');
  const flat = Object.create(null) as Record<string, string>;
  for (const [key, value] of Object.entries(root)) {
    if (typeof value === 'string') flat[key] = value;
  }
  return flat;
}

/**
 * A query or body value as one string: a string, a number, or the first element of an array
 * (repeated query parameters, XML-to-object parsers). Looks one level deep only: an attacker's
 * nested arrays are never walked.
 */
export function firstString(value: unknown): string | undefined {
  const first = Array.isArray(value) ? (value as unknown[])[0] : value;
  if (typeof first === 'string') return first;
  if (typeof first === 'number') return String(first);
  return undefined;
}

/**
 * The envelope exactly as the platform sends it: `<xml>`, then an optional `ToUserName` (message
 * URL) or `AppId` (events URL) of appid characters, then a base64 `Encrypt`, each in CDATA,
 * whitespace between. Nothing in that shape can be read two ways, so the parser is not needed.
 */
const PLAIN_ENVELOPE =
  /^[ \t\r\n]*<xml>[ \t\r\n]*(?:<(ToUserName|AppId)><!\[CDATA\[[\w-]{1,64}\]\]><\/\1>[ \t\r\n]*)?<Encrypt><!\[CDATA\[([A-Za-z0-9+/]+={0,2})\]\]><\/Encrypt>[ \t\r\n]*<\/xml>[ \t\r\n]*$/;

/**
 * The `Encrypt` value of an envelope in the platform's own shape, or undefined for anything else,
 * which then goes through the hardened parser. Written by hand because it is on every push's path
 * (validating and parsing the envelope cost more than decrypting it); it answers what the parser
 * answers wherever it answers at all (property-tested against it).
 */
export function plainEnvelopeEncrypt(text: string): string | undefined {
  return PLAIN_ENVELOPE.exec(text)?.[2];
}

/** The `Encrypt` value, from a raw XML body or from an object an app-level XML parser produced. */
function encryptFromBody(body: InboundPush['body']): string {
  if (body === undefined || (typeof body !== 'object' && typeof body !== 'string')) throw malformed('empty body');
  if (typeof body === 'string' || Buffer.isBuffer(body)) {
    const text = body.toString();
    if (text.trim() === '') throw malformed('empty body');
    const encrypt = plainEnvelopeEncrypt(text) ?? parseWeChatXml(text).Encrypt;
    if (!encrypt) throw malformed('no <Encrypt> element');
    return encrypt;
  }
  // Object bodies come from XML body parsers such as express-xml-bodyparser (lower-cased, arrays).
  const inner = Object.hasOwn(body, 'xml') ? body.xml : body;
  const root = (inner !== null && typeof inner === 'object' ? inner : {}) as Record<string, unknown>;
  const key = Object.keys(root).find((k) => k.toLowerCase() === 'encrypt');
  const encrypt = key ? firstString(root[key]) : undefined;
  if (!encrypt) throw malformed('no Encrypt field');
  if (encrypt.length > MAX_PUSH_BYTES) throw malformed('Encrypt field longer than a push may be');
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
