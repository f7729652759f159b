import { MessageCrypto } from '../../lib/crypto/message-crypto.js';
import { COMPONENT_A, COMPONENT_B } from './fixtures.js';
import type { Prng } from './prng.js';
import type { RawRequest } from './raw-http.js';
import { signEnvelope, signedPush } from './signed-push.js';

/** One generated request and the statuses it may get (all 4xx). */
export interface HostileCase {
  name: string;
  request: RawRequest;
  expect: number[];
}

export interface CaseContext {
  rng: Prng;
  nowS: number;
  /** …/open-platform (with any global prefix). */
  routesUrl: string;
}

const A = COMPONENT_A.appId;
const BAD_INPUT = [400];
const UNAUTHORIZED = [401];

const ticketXml = (appId: string, ticket: string, createTime: number | string) =>
  `<xml><AppId><![CDATA[${appId}]]></AppId><CreateTime>${createTime}</CreateTime>` +
  `<InfoType><![CDATA[component_verify_ticket]]></InfoType>` +
  `<ComponentVerifyTicket><![CDATA[${ticket}]]></ComponentVerifyTicket></xml>`;

const envelope = (encrypt: string) =>
  `<xml><AppId><![CDATA[${A}]]></AppId><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`;

function post(ctx: CaseContext, query: Record<string, string>, body: string | Buffer, type = 'text/xml'): RawRequest {
  return {
    url: `${ctx.routesUrl}/${A}/events?${new URLSearchParams(query).toString()}`,
    headers: { 'content-type': type },
    body,
  };
}

/** A validly signed and encrypted push around `inner`: only its content can get it refused. */
function signed(ctx: CaseContext, inner: string): RawRequest {
  const push = signedPush(inner, { timestamp: ctx.nowS, nonce: String(ctx.rng.int(1, 1e9)) });
  return post(ctx, push.query, push.body);
}

/** A signed envelope around an arbitrary `Encrypt` string (valid signature, bad ciphertext). */
function signedEncrypt(ctx: CaseContext, encrypt: string, signedToo: boolean): RawRequest {
  const query = signEnvelope(encrypt, String(ctx.nowS));
  if (!signedToo) query.msg_signature = ctx.rng.string(40, '0123456789abcdef');
  return post(ctx, query, envelope(encrypt));
}

function genuineTicket(ctx: CaseContext) {
  return signedPush(ticketXml(A, `ticket@@@${ctx.rng.string(12)}`, ctx.nowS), {
    timestamp: ctx.nowS,
    nonce: String(ctx.rng.int(1, 1e9)),
  });
}

type Generator = (ctx: CaseContext) => HostileCase;

const signatures: Generator[] = [
  (ctx) => {
    const { msg_signature: _s, ...query } = genuineTicket(ctx).query;
    return { name: 'signature missing', request: post(ctx, query, genuineTicket(ctx).body), expect: UNAUTHORIZED };
  },
  (ctx) => {
    const p = genuineTicket(ctx);
    const wrong = ctx.rng.string(ctx.rng.pick([0, 39, 40, 41, 200]), '0123456789abcdef');
    return {
      name: 'signature wrong',
      request: post(ctx, { ...p.query, msg_signature: wrong }, p.body),
      expect: UNAUTHORIZED,
    };
  },
  (ctx) => {
    const p = genuineTicket(ctx);
    const upper = p.query.msg_signature.toUpperCase();
    return {
      name: 'signature in upper case',
      request: post(ctx, { ...p.query, msg_signature: upper }, p.body),
      expect: UNAUTHORIZED,
    };
  },
  (ctx) => {
    const p = signedPush(ticketXml(A, 'ticket@@@other', ctx.nowS), { timestamp: ctx.nowS, component: COMPONENT_B });
    return { name: "another component's signature", request: post(ctx, p.query, p.body), expect: UNAUTHORIZED };
  },
];

const timestamps: Generator[] = [
  (ctx) => {
    const t = ctx.nowS - ctx.rng.int(301, 10_000_000);
    const p = signedPush(ticketXml(A, 'ticket@@@stale', t), { timestamp: t });
    return { name: 'timestamp stale', request: post(ctx, p.query, p.body), expect: UNAUTHORIZED };
  },
  (ctx) => {
    const t = ctx.nowS + ctx.rng.int(301, 10_000_000);
    const p = signedPush(ticketXml(A, 'ticket@@@future', t), { timestamp: t });
    return { name: 'timestamp in the future', request: post(ctx, p.query, p.body), expect: UNAUTHORIZED };
  },
  (ctx) => {
    const t = ctx.rng.pick(['abc', '1e3', '', ' 1', '-1', '0x10', 'NaN', 'Infinity', `${ctx.nowS}.5`, '9'.repeat(40)]);
    const p = genuineTicket(ctx);
    const query = { ...p.query, ...signEnvelope(p.encrypt, t) };
    return {
      name: `timestamp ${JSON.stringify(t.slice(0, 12))}`,
      request: post(ctx, query, p.body),
      expect: [400, 401],
    };
  },
];

const ciphertexts: Generator[] = [
  (ctx) => {
    const bad = ctx.rng.string(ctx.rng.int(1, 400), 'ABCabc012+/=*-_ !\u00e9');
    const s = ctx.rng.next() < 0.5;
    return {
      name: `ciphertext bad base64 (${s ? 'signed' : 'unsigned'})`,
      request: signedEncrypt(ctx, bad, s),
      expect: s ? [400] : UNAUTHORIZED,
    };
  },
  (ctx) => {
    // Random blocks: decrypts to garbage, so padding or length checks fail.
    const bad = ctx.rng.bytes(16 * ctx.rng.int(1, 40)).toString('base64');
    const s = ctx.rng.next() < 0.5;
    return {
      name: `ciphertext bad padding (${s ? 'signed' : 'unsigned'})`,
      request: signedEncrypt(ctx, bad, s),
      expect: s ? [400] : UNAUTHORIZED,
    };
  },
  (ctx) => {
    const bad = ctx.rng.bytes(ctx.rng.pick([1, 15, 17, 31, 33, 100])).toString('base64');
    const s = ctx.rng.next() < 0.5;
    return {
      name: `ciphertext wrong length (${s ? 'signed' : 'unsigned'})`,
      request: signedEncrypt(ctx, bad, s),
      expect: s ? [400] : UNAUTHORIZED,
    };
  },
  (ctx) => {
    const trailing = ctx.rng.pick([COMPONENT_B.appId, `${A}x`, 'wx', ' ']);
    const crypto = new MessageCrypto({ platform: 'wechat', ...COMPONENT_A, appId: trailing });
    const encrypt = crypto.encrypt(ticketXml(A, 'ticket@@@trailing', ctx.nowS));
    const s = ctx.rng.next() < 0.5;
    return {
      name: `ciphertext wrong trailing appid (${s ? 'signed' : 'unsigned'})`,
      request: signedEncrypt(ctx, encrypt, s),
      expect: s ? [400] : UNAUTHORIZED,
    };
  },
];

const PROTO_NAMES = [
  '__proto__',
  'constructor',
  'prototype',
  '__defineGetter__',
  'hasOwnProperty',
  'toString',
  'valueOf',
];

const payloads: Generator[] = [
  (ctx) => {
    const depth = ctx.rng.int(9, 3000);
    const inner = `<xml><AppId>${A}</AppId>${'<a>'.repeat(depth)}x${'</a>'.repeat(depth)}</xml>`;
    return { name: 'signed XML nested deep', request: signed(ctx, inner), expect: BAD_INPUT };
  },
  (ctx) => {
    const depth = ctx.rng.int(1000, 12_000);
    const json =
      ctx.rng.next() < 0.5
        ? `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`
        : `${'['.repeat(depth)}${']'.repeat(depth)}`;
    return {
      name: 'JSON nested deep',
      request: post(ctx, genuineTicket(ctx).query, json, 'application/json'),
      expect: BAD_INPUT,
    };
  },
  (ctx) => {
    const name = ctx.rng.pick(PROTO_NAMES);
    const inner = ticketXml(A, 'ticket@@@proto', ctx.nowS).replace('<xml>', `<xml><${name}><AppId>x</AppId></${name}>`);
    // Names the parser accepts (toString…) are ignored fields: the ticket itself is then blank-free and fine,
    // so keep the ticket blank to get a refusal either way.
    return {
      name: `signed XML with <${name}>`,
      request: signed(ctx, inner.replace('ticket@@@proto', ' ')),
      expect: BAD_INPUT,
    };
  },
  (ctx) => {
    const name = ctx.rng.pick(PROTO_NAMES);
    const json = `{"${name}":{"Encrypt":"x"},"xml":{"${name}":{"polluted":true}}}`;
    return {
      name: `JSON with "${name}"`,
      request: post(ctx, genuineTicket(ctx).query, json, 'application/json'),
      expect: [400, 401],
    };
  },
  (ctx) => {
    const doc = ctx.rng.pick([
      '<!DOCTYPE xml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>',
      '<!DOCTYPE xml SYSTEM "file:///etc/passwd">',
      '<!ENTITY x SYSTEM "http://127.0.0.1/">',
    ]);
    const inner = `${doc}${ticketXml(A, '&b;', ctx.nowS)}`;
    return ctx.rng.next() < 0.5
      ? { name: 'signed DOCTYPE / entities', request: signed(ctx, inner), expect: BAD_INPUT }
      : {
          name: 'outer DOCTYPE / entities',
          request: post(ctx, genuineTicket(ctx).query, `${doc}${envelope('&b;')}`),
          expect: BAD_INPUT,
        };
  },
  (ctx) => {
    const attr = ctx.rng.string(ctx.rng.int(10_000, 40_000));
    const inner = ticketXml(A, ' ', ctx.nowS).replace('<AppId>', `<AppId a="${attr}">`);
    return { name: 'signed huge attribute', request: signed(ctx, inner), expect: BAD_INPUT };
  },
  (ctx) => {
    const binary = ctx.rng.bytes(ctx.rng.int(1, 3000));
    return ctx.rng.next() < 0.5
      ? { name: 'signed binary message', request: signed(ctx, binary.toString('latin1')), expect: BAD_INPUT }
      : { name: 'binary body', request: post(ctx, genuineTicket(ctx).query, binary), expect: BAD_INPUT };
  },
  (ctx) => {
    const inner = ctx.rng.pick(['', ' ', '<xml></xml>', '<xml/>', '<other><AppId>x</AppId></other>']);
    return { name: `signed empty message ${JSON.stringify(inner)}`, request: signed(ctx, inner), expect: BAD_INPUT };
  },
  (ctx) => {
    const blank = ctx.rng.pick(['', ' ', '\t', '\n\r', '\u3000', '\u00a0 ']);
    const field = ctx.rng.pick(['ticket', 'appid', 'authorizer', 'code']);
    const authorized = (authorizer: string, code: string) =>
      `<xml><AppId>${A}</AppId><CreateTime>${ctx.nowS}</CreateTime><InfoType>authorized</InfoType>` +
      `<AuthorizerAppid><![CDATA[${authorizer}]]></AuthorizerAppid><AuthorizationCode><![CDATA[${code}]]></AuthorizationCode></xml>`;
    const inner =
      field === 'ticket'
        ? ticketXml(A, blank, ctx.nowS)
        : field === 'appid'
          ? ticketXml(blank, 'ticket@@@blank-appid', ctx.nowS)
          : field === 'authorizer'
            ? authorized(blank, 'code-x')
            : authorized('wx_merchant_x', blank);
    return { name: `signed blank ${field}`, request: signed(ctx, inner), expect: BAD_INPUT };
  },
  (ctx) => ({ name: 'empty body', request: post(ctx, genuineTicket(ctx).query, ''), expect: BAD_INPUT }),
];

const CONTENT_TYPES = [
  'image/png',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'text/html',
  'application/octet-stream',
  'application/json',
];

const transport: Generator[] = [
  (ctx) => {
    const p = genuineTicket(ctx);
    const type = ctx.rng.pick(CONTENT_TYPES);
    const query = { ...p.query, msg_signature: ctx.rng.string(40, '0123456789abcdef') };
    return { name: `content type ${type}`, request: post(ctx, query, p.body, type), expect: [400, 401, 415] };
  },
  (ctx) => {
    const chunks = Array.from({ length: ctx.rng.int(9, 20) }, () => ctx.rng.bytes(8 * 1024));
    return {
      name: 'chunked oversize',
      request: {
        url: `${ctx.routesUrl}/${A}/events?${new URLSearchParams(genuineTicket(ctx).query).toString()}`,
        headers: { 'content-type': 'text/xml' },
        chunks,
      },
      expect: [413],
    };
  },
  (ctx) => {
    const p = genuineTicket(ctx);
    const cut = ctx.rng.int(0, p.body.length - 1);
    return { name: 'truncated body', request: post(ctx, p.query, p.body.slice(0, cut)), expect: [400, 401] };
  },
  (ctx) => {
    const p = genuineTicket(ctx);
    const appId = ctx.rng.pick([
      'wx_unknown',
      '__proto__',
      'constructor',
      'toString',
      ctx.rng.string(200),
      '%E2%80%8B',
      'wx_component_a%20',
    ]);
    return {
      name: `unknown component ${appId.slice(0, 20)}`,
      request: {
        ...post(ctx, p.query, p.body),
        url: `${ctx.routesUrl}/${appId}/events?${new URLSearchParams(p.query).toString()}`,
      },
      expect: [404, 414], // Fastify refuses route parameters over 100 characters with 414
    };
  },
  (ctx) => {
    const p = genuineTicket(ctx);
    const method = ctx.rng.pick(['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']);
    const path = ctx.rng.pick([
      `/${A}/events`,
      `/${A}/events/x`,
      `//events`,
      `/${A}`,
      `/%2e%2e/${A}/events`,
      `/${A}/authorize/x`,
    ]);
    const isEvents = path === `/${A}/events`;
    return {
      name: `${method} ${path}`,
      request: {
        url: `${ctx.routesUrl}${path}?${new URLSearchParams(p.query).toString()}`,
        method: isEvents ? method : ctx.rng.pick([method, 'POST']),
        headers: { 'content-type': 'text/xml' },
        body: method === 'GET' ? undefined : p.body,
      },
      expect: [400, 404, 405],
    };
  },
];

const FAMILIES = [signatures, timestamps, ciphertexts, payloads, transport];

/** `count` cases spread over every family, reproducible from the PRNG's seed. */
export function generateCases(ctx: CaseContext, count: number): HostileCase[] {
  const cases: HostileCase[] = [];
  for (let i = 0; i < count; i++) {
    const family = FAMILIES[i % FAMILIES.length];
    cases.push(ctx.rng.pick(family)(ctx));
  }
  return cases;
}
