import { MessageCrypto } from '../../lib/crypto/message-crypto.js';
import { douyinDateTime, ticketMessage } from '../../lib/testing/douyin/douyin-push.js';
import { DOUYIN_COMPONENT } from './douyin-harness.js';
import type { HttpAdapterName } from './harness.js';
import type { HostileCase } from './hostile-cases.js';
import type { Prng } from './prng.js';
import type { RawRequest } from './raw-http.js';

export interface DouyinCaseContext {
  rng: Prng;
  nowS: number;
  /** …/open-platform (with any global prefix). */
  routesUrl: string;
  /** Where the two body parsers differ, the expected status is written per adapter. */
  adapter: HttpAdapterName;
}

const C = DOUYIN_COMPONENT.appId;
const BAD_INPUT = [400];
const UNAUTHORIZED = [401];
const HEX = '0123456789abcdef';

const crypto = new MessageCrypto({ platform: 'douyin', ...DOUYIN_COMPONENT });
/** Same key and appid, another token: its signatures are well formed but wrong. */
const otherToken = new MessageCrypto({ platform: 'douyin', ...DOUYIN_COMPONENT, token: 'tt-token-of-someone-else' });

type Envelope = Record<string, unknown>;

/** The four signed fields around an `Encrypt` value, signed over the timestamp exactly as sent. */
function envelopeOf(
  ctx: DouyinCaseContext,
  encrypt: string,
  opts: { timestamp?: string | number; signer?: MessageCrypto } = {},
): Envelope {
  const timestamp = opts.timestamp ?? String(ctx.nowS);
  const nonce = String(ctx.rng.int(100_000_000, 2_147_483_647));
  const signer = opts.signer ?? crypto;
  return {
    Nonce: nonce,
    TimeStamp: timestamp,
    Encrypt: encrypt,
    MsgSignature: signer.signature(String(timestamp), nonce, encrypt),
  };
}

/** A validly signed and encrypted push around `plaintext`: only its content can get it refused. */
function sealed(ctx: DouyinCaseContext, plaintext: string, opts: { timestamp?: string | number } = {}): Envelope {
  return envelopeOf(ctx, crypto.encrypt(plaintext), opts);
}

const genuineTicket = (ctx: DouyinCaseContext): string =>
  JSON.stringify(ticketMessage(`ticket@@@${ctx.rng.string(12)}`, douyinDateTime(ctx.nowS * 1000)));

/** A genuine ticket push with a wrong signature: refused as unauthenticated once it is read. */
const forged = (ctx: DouyinCaseContext): Envelope => ({
  ...sealed(ctx, genuineTicket(ctx)),
  MsgSignature: ctx.rng.string(40, HEX),
});

function post(ctx: DouyinCaseContext, body: string | Buffer | Envelope, type = 'application/json'): RawRequest {
  return {
    url: `${ctx.routesUrl}/${C}/events`,
    headers: { 'content-type': type },
    body: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body),
  };
}

const signedCase = (ctx: DouyinCaseContext, name: string, plaintext: string): HostileCase => ({
  name,
  request: post(ctx, sealed(ctx, plaintext)),
  expect: BAD_INPUT,
});

type Generator = (ctx: DouyinCaseContext) => HostileCase;

const signatures: Generator[] = [
  (ctx) => {
    const { MsgSignature: _s, ...rest } = sealed(ctx, genuineTicket(ctx));
    return { name: 'signature missing', request: post(ctx, rest), expect: UNAUTHORIZED };
  },
  (ctx) => ({
    name: 'signature empty',
    request: post(ctx, { ...sealed(ctx, genuineTicket(ctx)), MsgSignature: '' }),
    expect: UNAUTHORIZED,
  }),
  (ctx) => {
    const wrong = ctx.rng.string(ctx.rng.pick([1, 39, 40, 41, 200]), HEX);
    return {
      name: 'signature wrong',
      request: post(ctx, { ...sealed(ctx, genuineTicket(ctx)), MsgSignature: wrong }),
      expect: UNAUTHORIZED,
    };
  },
  (ctx) => {
    const e = sealed(ctx, genuineTicket(ctx));
    return {
      name: 'signature in upper case',
      request: post(ctx, { ...e, MsgSignature: String(e.MsgSignature).toUpperCase() }),
      expect: UNAUTHORIZED,
    };
  },
  (ctx) => ({
    name: 'signed with another token',
    request: post(ctx, envelopeOf(ctx, crypto.encrypt(genuineTicket(ctx)), { signer: otherToken })),
    expect: UNAUTHORIZED,
  }),
  (ctx) => {
    const e = sealed(ctx, genuineTicket(ctx));
    const field = ctx.rng.pick(['Nonce', 'TimeStamp'] as const);
    const changed = field === 'Nonce' ? `${String(e.Nonce)}1` : String(ctx.nowS - 1);
    return {
      name: `signed ${field} changed after signing`,
      request: post(ctx, { ...e, [field]: changed }),
      expect: UNAUTHORIZED,
    };
  },
];

const timestamps: Generator[] = [
  (ctx) => {
    const t = ctx.nowS - ctx.rng.int(301, 10_000_000);
    const asNumber = ctx.rng.next() < 0.5;
    return {
      name: `timestamp stale (${asNumber ? 'number' : 'string'})`,
      request: post(ctx, sealed(ctx, genuineTicket(ctx), { timestamp: asNumber ? t : String(t) })),
      expect: UNAUTHORIZED,
    };
  },
  (ctx) => {
    const t = ctx.nowS + ctx.rng.int(301, 10_000_000);
    const asNumber = ctx.rng.next() < 0.5;
    return {
      name: `timestamp in the future (${asNumber ? 'number' : 'string'})`,
      request: post(ctx, sealed(ctx, genuineTicket(ctx), { timestamp: asNumber ? t : String(t) })),
      expect: UNAUTHORIZED,
    };
  },
  (ctx) => {
    // Well formed (up to 12 digits) but years away: refused as stale, not as malformed.
    const t = ctx.rng.pick(['0', '000000000001', '999999999999', '1']);
    const asNumber = ctx.rng.next() < 0.5;
    return {
      name: `timestamp ${t} (${asNumber ? 'number' : 'string'})`,
      request: post(ctx, sealed(ctx, genuineTicket(ctx), { timestamp: asNumber ? Number(t) : t })),
      expect: UNAUTHORIZED,
    };
  },
  (ctx) => {
    const t = ctx.rng.pick([
      'abc',
      '1e3',
      '',
      ' 1',
      `${ctx.nowS} `,
      '-1',
      `-${ctx.nowS}`,
      '+1',
      '0x10',
      'NaN',
      'Infinity',
      `${ctx.nowS}.5`,
      `${ctx.nowS}.0`,
      '9'.repeat(13),
      '9'.repeat(40),
      '\u0661\u0662',
    ]);
    return {
      name: `timestamp string ${JSON.stringify(t.slice(0, 14))}`,
      request: post(ctx, sealed(ctx, genuineTicket(ctx), { timestamp: t })),
      expect: BAD_INPUT,
    };
  },
  (ctx) => {
    const t = ctx.rng.pick([
      -1,
      -ctx.nowS,
      ctx.nowS + 0.5,
      ctx.nowS - 0.25,
      1e20,
      Number.MAX_SAFE_INTEGER + 2,
      Number.MAX_VALUE,
      9_999_999_999_999,
      -0.5,
    ]);
    return {
      name: `timestamp number ${t}`,
      request: post(ctx, sealed(ctx, genuineTicket(ctx), { timestamp: t })),
      expect: BAD_INPUT,
    };
  },
  (ctx) => {
    // A number too long for JSON.parse to keep exactly: written into the text by hand.
    const digits = `${ctx.nowS}${'0'.repeat(ctx.rng.int(10, 400))}`;
    const e = sealed(ctx, genuineTicket(ctx), { timestamp: 0 });
    const text = JSON.stringify(e).replace('"TimeStamp":0', `"TimeStamp":${digits}`);
    return { name: 'timestamp number with hundreds of digits', request: post(ctx, text), expect: BAD_INPUT };
  },
];

function encryptCase(ctx: DouyinCaseContext, name: string, encrypt: string): HostileCase {
  const s = ctx.rng.next() < 0.5;
  const e = envelopeOf(ctx, encrypt);
  return {
    name: `ciphertext ${name} (${s ? 'signed' : 'unsigned'})`,
    request: post(ctx, s ? e : { ...e, MsgSignature: ctx.rng.string(40, HEX) }),
    expect: s ? BAD_INPUT : UNAUTHORIZED,
  };
}

const ciphertexts: Generator[] = [
  (ctx) => encryptCase(ctx, 'bad base64', ctx.rng.string(ctx.rng.int(1, 400), 'ABCabc012+/=*-_ !"\\\u00e9\n')),
  // Random blocks: decrypt to garbage, so the padding or the declared length is wrong.
  (ctx) => encryptCase(ctx, 'bad padding', ctx.rng.bytes(16 * ctx.rng.int(1, 40)).toString('base64')),
  (ctx) => encryptCase(ctx, 'wrong length', ctx.rng.bytes(ctx.rng.pick([1, 15, 17, 31, 33, 100])).toString('base64')),
  (ctx) => {
    const trailing = ctx.rng.pick(['tt_other_component', `${C}x`, C.slice(0, -1), 'tt', ' ', C.toUpperCase()]);
    const wrong = new MessageCrypto({ platform: 'douyin', ...DOUYIN_COMPONENT, appId: trailing });
    return encryptCase(ctx, `wrong trailing appid ${JSON.stringify(trailing)}`, wrong.encrypt(genuineTicket(ctx)));
  },
  (ctx) => {
    // A WeChat-style 16-byte prefix: the length and trailing appid land in the wrong place.
    const wechat = new MessageCrypto({ platform: 'wechat', ...DOUYIN_COMPONENT });
    return encryptCase(ctx, 'with a 16-byte prefix', wechat.encrypt(genuineTicket(ctx)));
  },
];

/** The same names as WeChat's generator; `prototype` is written as `constructor.prototype`. */
const PROTO_NAMES = [
  '__proto__',
  'constructor',
  'prototype',
  '__defineGetter__',
  'hasOwnProperty',
  'toString',
  'valueOf',
];
/** Keys Fastify's JSON parser refuses outright; Express keeps every key as a plain own property. */
const FASTIFY_REFUSED = new Set(['__proto__', 'prototype']);
const FIELDS = ['Nonce', 'TimeStamp', 'Encrypt', 'MsgSignature'] as const;

/** Nested `{"a":…}` or `[…]` of about `depth` levels, as text. */
function deep(ctx: DouyinCaseContext, depth: number, inner = '1'): string {
  return ctx.rng.next() < 0.5
    ? `${'{"a":'.repeat(depth)}${inner}${'}'.repeat(depth)}`
    : `${'['.repeat(depth)}${inner}${']'.repeat(depth)}`;
}

const payloads: Generator[] = [
  (ctx) => ({ name: 'JSON nested deep', request: post(ctx, deep(ctx, ctx.rng.int(1000, 10_000))), expect: BAD_INPUT }),
  (ctx) => {
    // The four fields next to a deep value, signature wrong: only the signature can refuse it.
    const text = JSON.stringify(forged(ctx)).replace(/}$/, `,"x":${deep(ctx, ctx.rng.int(1000, 8000))}}`);
    return { name: 'forged envelope with a deep extra field', request: post(ctx, text), expect: UNAUTHORIZED };
  },
  (ctx) => {
    // Fastify refuses __proto__ and constructor.prototype keys outright; Express keeps them (and
    // Fastify the other names) as plain own properties, and the moved field is then missing.
    const name = ctx.rng.pick(PROTO_NAMES);
    const e = sealed(ctx, genuineTicket(ctx));
    const moved = ctx.rng.pick(FIELDS);
    const { [moved]: value, ...rest } = e;
    const holder =
      name === 'prototype'
        ? `"constructor":{"prototype":{"${moved}":${JSON.stringify(value)}}}`
        : `"${name}":{"${moved}":${JSON.stringify(value)}}`;
    const text = JSON.stringify(rest).replace(/}$/, `,${holder}}`);
    // Only a moved MsgSignature that stays readable as a plain key is a missing signature (401).
    const signatureGone = moved === 'MsgSignature' && (ctx.adapter === 'express' || !FASTIFY_REFUSED.has(name));
    return {
      name: `${moved} inside "${name}"`,
      request: post(ctx, text),
      expect: signatureGone ? UNAUTHORIZED : BAD_INPUT,
    };
  },
  (ctx) => {
    const name = ctx.rng.pick(PROTO_NAMES);
    const text = `{"${name}":${JSON.stringify(sealed(ctx, genuineTicket(ctx)))}}`;
    return { name: `whole envelope inside "${name}"`, request: post(ctx, text), expect: BAD_INPUT };
  },
  (ctx) => {
    // Duplicate keys: the last one wins on both parsers, and it is not what was signed.
    const e = sealed(ctx, genuineTicket(ctx));
    const field = ctx.rng.pick(FIELDS);
    const other =
      field === 'TimeStamp'
        ? String(ctx.nowS - 1)
        : field === 'MsgSignature'
          ? ctx.rng.string(40, HEX)
          : `${String(e[field])}A`;
    const text = JSON.stringify(e).replace(/}$/, `,"${field}":${JSON.stringify(other)}}`);
    return { name: `duplicate ${field}`, request: post(ctx, text), expect: UNAUTHORIZED };
  },
  (ctx) => {
    const field = ctx.rng.pick(FIELDS);
    const value = ctx.rng.pick<unknown>([
      42,
      null,
      true,
      false,
      [],
      ['x'],
      {},
      { a: 1 },
      ...(field === 'MsgSignature' ? [0] : ['']),
      ...(field === 'Nonce' ? ['n'.repeat(129)] : []),
    ]);
    const e = { ...sealed(ctx, genuineTicket(ctx)), [field]: value };
    return { name: `${field} is ${JSON.stringify(value)?.slice(0, 20)}`, request: post(ctx, e), expect: BAD_INPUT };
  },
  (ctx) => {
    const e = sealed(ctx, genuineTicket(ctx));
    const field = ctx.rng.pick(FIELDS.filter((f) => f !== 'MsgSignature'));
    const { [field]: _dropped, ...rest } = e;
    return { name: `${field} missing`, request: post(ctx, rest), expect: BAD_INPUT };
  },
  (ctx) => {
    // Far from the limit, or just under it: refused for the signature, never stored.
    const size = ctx.rng.pick([1000, 20_000, 50_000]);
    const e = { ...forged(ctx), Extra: ctx.rng.string(size), [`k${ctx.rng.string(size / 10)}`]: 1 };
    return { name: `forged envelope with a ${size}-character field`, request: post(ctx, e), expect: UNAUTHORIZED };
  },
  (ctx) => {
    const size = ctx.rng.int(70_000, 200_000);
    return {
      name: `envelope with a ${size}-character field`,
      request: { ...post(ctx, { ...forged(ctx), Extra: 'x'.repeat(size) }), agent: false },
      expect: [413],
    };
  },
  (ctx) => {
    const body = ctx.rng.pick([
      '[]',
      '[1]',
      `[${JSON.stringify(sealed(ctx, genuineTicket(ctx)))}]`,
      'null',
      '0',
      '42',
      '-1.5e300',
      'true',
      '"x"',
      '""',
      '{}',
    ]);
    return { name: `top-level ${body.slice(0, 12)}`, request: post(ctx, body), expect: BAD_INPUT };
  },
  (ctx) => {
    // A JSON string holding the envelope: Fastify hands the string on and it is read as JSON, so
    // only the (wrong) signature refuses it there; Express only takes objects and arrays.
    const text = JSON.stringify(JSON.stringify(forged(ctx)));
    return {
      name: 'envelope as a JSON string',
      request: post(ctx, text),
      expect: ctx.adapter === 'fastify' ? UNAUTHORIZED : BAD_INPUT,
    };
  },
  (ctx) => {
    const body = ctx.rng.pick([
      'not json',
      '{',
      '}',
      "{'Nonce':'1'}",
      '{"Nonce":1,}',
      '{Nonce:1}',
      'NaN',
      'undefined',
      ' ',
      '',
    ]);
    return { name: `non-JSON ${JSON.stringify(body)}`, request: post(ctx, body), expect: BAD_INPUT };
  },
  (ctx) => {
    const text = JSON.stringify(sealed(ctx, genuineTicket(ctx)));
    return {
      name: 'truncated JSON',
      request: post(ctx, text.slice(0, ctx.rng.int(1, text.length - 1))),
      expect: BAD_INPUT,
    };
  },
  (ctx) => ({
    // A byte order mark in front of a forged envelope: refused, whichever way it is read.
    name: 'BOM before the JSON',
    request: post(ctx, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(forged(ctx)))])),
    expect: [400, 401],
  }),
  (ctx) => {
    const binary = ctx.rng.bytes(ctx.rng.int(1, 3000));
    binary[0] = ctx.rng.pick([0x00, 0xff, 0x80, 0x7b]); // 0x7b is "{"
    return { name: 'binary body', request: post(ctx, binary), expect: BAD_INPUT };
  },
];

const authorization = (ctx: DouyinCaseContext, over: Record<string, unknown>) =>
  JSON.stringify({
    AppId: `tt_shop_${ctx.rng.string(6)}`,
    TpAppId: C,
    EventTime: douyinDateTime(ctx.nowS * 1000),
    Event: 'AUTHORIZED',
    AuthorizationCode: `code-${ctx.rng.string(8)}`,
    AuthorizationCodeExpiresIn: 3600,
    ...over,
  });

const BLANKS = [
  '',
  ' ',
  '\t',
  '\n',
  '\r\n',
  '\u3000',
  '\u00a0 ',
  '\ufeff',
  '\u0000',
  'tick\u0000et',
  'a\u001fb',
  '\u007f',
  'a\nb',
  '\u200b',
  '\u200b\u200c\u200d',
  'tt_shop\u200b',
  '\u2060',
  '\u2028',
  '\u00ad',
  '\u202e1',
];

const DOCTYPES = [
  '<!DOCTYPE xml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>',
  '<!DOCTYPE xml SYSTEM "file:///etc/passwd">',
  '<!ENTITY x SYSTEM "http://127.0.0.1/">',
];

const plaintexts: Generator[] = [
  (ctx) => {
    // XML where JSON belongs, with entities: never expanded, never fetched.
    const doc = ctx.rng.pick(DOCTYPES);
    return signedCase(
      ctx,
      'signed DOCTYPE / entities',
      `${doc}<xml><Ticket>&b;</Ticket><MsgType>Ticket</MsgType></xml>`,
    );
  },
  (ctx) => signedCase(ctx, 'signed deep nesting', deep(ctx, ctx.rng.int(1000, 6000))),
  (ctx) => {
    const text = JSON.stringify(ticketMessage(' ', douyinDateTime(ctx.nowS * 1000))).replace(
      /}$/,
      `,"x":${deep(ctx, ctx.rng.int(1000, 6000))}}`,
    );
    return signedCase(ctx, 'signed blank ticket beside deep nesting', text);
  },
  (ctx) => {
    // The fields a message needs, hidden under a prototype name: never read from there.
    const name = ctx.rng.pick(PROTO_NAMES);
    const ticket = ticketMessage(`ticket@@@${ctx.rng.string(6)}`, douyinDateTime(ctx.nowS * 1000));
    // (Without MsgType it would be an ordinary event, acknowledged and forwarded: not hostile.)
    const hidden = ctx.rng.pick(['Ticket', 'CreateTime']);
    const { [hidden]: value, ...rest } = ticket;
    const holder =
      name === 'prototype'
        ? `"constructor":{"prototype":{"${hidden}":${JSON.stringify(value)}}}`
        : `"${name}":{"${hidden}":${JSON.stringify(value)}}`;
    return signedCase(
      ctx,
      `signed ticket with ${hidden} inside "${name}"`,
      JSON.stringify(rest).replace(/}$/, `,${holder}}`),
    );
  },
  (ctx) => {
    const name = ctx.rng.pick(PROTO_NAMES);
    const hidden = ctx.rng.pick(['AppId', 'AuthorizationCode', 'Event']);
    const message = JSON.parse(authorization(ctx, {})) as Record<string, unknown>;
    const { [hidden]: value, ...rest } = message;
    const holder =
      name === 'prototype'
        ? `"constructor":{"prototype":{"${hidden}":${JSON.stringify(value)}}}`
        : `"${name}":{"${hidden}":${JSON.stringify(value)}}`;
    const text = JSON.stringify(rest).replace(/}$/, `,${holder}}`);
    return signedCase(ctx, `signed AUTHORIZED with ${hidden} inside "${name}"`, text);
  },
  (ctx) => {
    const name = ctx.rng.pick(PROTO_NAMES);
    return signedCase(ctx, `signed message all inside "${name}"`, `{"${name}":${genuineTicket(ctx)}}`);
  },
  (ctx) => {
    const blank = ctx.rng.pick(BLANKS);
    return signedCase(
      ctx,
      `signed Ticket ${JSON.stringify(blank)}`,
      JSON.stringify(ticketMessage(blank, douyinDateTime(ctx.nowS * 1000))),
    );
  },
  (ctx) => {
    const blank = ctx.rng.pick(BLANKS);
    const field = ctx.rng.pick(['AppId', 'TpAppId', 'AuthorizationCode']);
    const event = ctx.rng.pick(
      field === 'AuthorizationCode'
        ? ['AUTHORIZED', 'UPDATE_AUTHORIZED']
        : ['AUTHORIZED', 'UPDATE_AUTHORIZED', 'UNAUTHORIZED'],
    );
    return signedCase(
      ctx,
      `signed ${event} with ${field} ${JSON.stringify(blank)}`,
      authorization(ctx, { Event: event, [field]: blank }),
    );
  },
  (ctx) => {
    const tpAppId = ctx.rng.pick(['tt_other_component', `${C} `, C.toUpperCase(), '__proto__', 'constructor']);
    const event = ctx.rng.pick(['AUTHORIZED', 'UPDATE_AUTHORIZED', 'UNAUTHORIZED', 'SOMETHING_ELSE']);
    return signedCase(
      ctx,
      `signed ${event} for TpAppId ${tpAppId}`,
      authorization(ctx, { Event: event, TpAppId: tpAppId }),
    );
  },
  (ctx) => {
    // Event of the wrong type and no MsgType: no kind the message could be.
    const event = ctx.rng.pick<unknown>([42, null, true, [], ['AUTHORIZED'], { AUTHORIZED: 1 }, '']);
    return signedCase(ctx, `signed Event ${JSON.stringify(event)}`, authorization(ctx, { Event: event }));
  },
  (ctx) => {
    // The fields an event needs, of the wrong type.
    const field = ctx.rng.pick(['AppId', 'TpAppId', 'AuthorizationCode', 'EventTime']);
    const value = ctx.rng.pick<unknown>([42, null, true, [], ['tt_shop'], { a: 1 }, -1, 1.5]);
    const event = ctx.rng.pick(['AUTHORIZED', 'UPDATE_AUTHORIZED']);
    // A numeric EventTime of epoch seconds is accepted; -1 and 1.5 are not.
    if (field === 'EventTime' && value === 42)
      return signedCase(ctx, `signed ${event} EventTime 0`, authorization(ctx, { Event: event, EventTime: 0 }));
    if (field === 'TpAppId') {
      // A TpAppId that is not a string falls back to the component of the route, so blank the code too.
      return signedCase(
        ctx,
        `signed ${event} TpAppId ${JSON.stringify(value)}, no code`,
        authorization(ctx, { Event: event, TpAppId: value, AuthorizationCode: ' ' }),
      );
    }
    return signedCase(
      ctx,
      `signed ${event} ${field} ${JSON.stringify(value)}`,
      authorization(ctx, { Event: event, [field]: value }),
    );
  },
  (ctx) => {
    const kind = ctx.rng.pick(['ticket', 'event']);
    const time = ctx.rng.pick<unknown>([
      '2026-02-31 00:00:00',
      '2026-01-01 24:00:00',
      '',
      ' ',
      'yesterday',
      '2026-01-01',
      -1,
      0,
      1.5,
      null,
      [],
      {},
    ]);
    return kind === 'ticket'
      ? signedCase(
          ctx,
          `signed ticket CreateTime ${JSON.stringify(time)}`,
          JSON.stringify(ticketMessage('ticket@@@time', time as string)),
        )
      : signedCase(ctx, `signed AUTHORIZED EventTime ${JSON.stringify(time)}`, authorization(ctx, { EventTime: time }));
  },
  (ctx) => {
    const text = ctx.rng.pick([
      '',
      ' ',
      'not json',
      '<xml><Ticket>x</Ticket></xml>',
      '{',
      'null',
      '[1]',
      `[${genuineTicket(ctx)}]`,
      '"str"',
      '42',
      ctx.rng.bytes(ctx.rng.int(1, 500)).toString('latin1'),
    ]);
    return signedCase(ctx, `signed non-JSON ${JSON.stringify(text.slice(0, 12))}`, text);
  },
  (ctx) => {
    const field = ctx.rng.pick(['Ticket', 'AppId', 'TpAppId', 'AuthorizationCode']);
    const huge = ctx.rng.string(ctx.rng.int(513, 40_000));
    const text =
      field === 'Ticket'
        ? JSON.stringify(ticketMessage(huge, douyinDateTime(ctx.nowS * 1000)))
        : authorization(ctx, { [field]: huge });
    return signedCase(ctx, `signed ${field} of ${huge.length} characters`, text);
  },
];

const CONTENT_TYPES: Array<[string, Record<HttpAdapterName, number[]>]> = [
  // Express reads types it has no parser for as raw bytes, and the JSON inside is forged.
  ['text/xml', { express: UNAUTHORIZED, fastify: UNAUTHORIZED }],
  ['application/xml', { express: UNAUTHORIZED, fastify: UNAUTHORIZED }],
  ['text/plain', { express: [400, 401], fastify: [400, 401, 415] }],
  // Nest's Fastify adapter registers a form parser: the fields are then not the envelope's.
  ['application/x-www-form-urlencoded', { express: BAD_INPUT, fastify: BAD_INPUT }],
  ['multipart/form-data; boundary=x', { express: [400, 401], fastify: [415] }],
  ['application/octet-stream', { express: [400, 401], fastify: [415] }],
  ['image/png', { express: [400, 401], fastify: [415] }],
  ['application/json; charset=utf-16', { express: [400, 401, 415], fastify: [400, 401, 415] }],
];

const transport: Generator[] = [
  (ctx) => {
    const [type, expect] = ctx.rng.pick(CONTENT_TYPES);
    return { name: `content type ${type}`, request: post(ctx, forged(ctx), type), expect: expect[ctx.adapter] };
  },
  (ctx) => {
    // Valid JSON (one long string field) sent in pieces: it reaches the route, which refuses the size.
    const size = ctx.rng.int(9, 20) * 8 * 1024;
    const text = JSON.stringify({ ...forged(ctx), Extra: ctx.rng.string(size) });
    const chunks = Array.from({ length: Math.ceil(text.length / 8192) }, (_, i) =>
      Buffer.from(text.slice(i * 8192, (i + 1) * 8192)),
    );
    const type = ctx.rng.pick(['application/json', 'text/xml', 'text/plain']);
    return {
      name: `chunked oversize ${type}`,
      request: { url: `${ctx.routesUrl}/${C}/events`, headers: { 'content-type': type }, chunks, agent: false },
      expect: [413],
    };
  },
  (ctx) => {
    // Oversize and not JSON: a JSON body parser (Express up to 100 kB, Fastify up to its bodyLimit)
    // refuses the syntax before the route could refuse the size.
    const chunks = Array.from({ length: ctx.rng.int(9, 20) }, () => ctx.rng.bytes(8 * 1024));
    chunks[0] = Buffer.from('{"Nonce":"1","Extra":"');
    return {
      name: 'chunked oversize, not JSON',
      request: {
        url: `${ctx.routesUrl}/${C}/events`,
        headers: { 'content-type': 'application/json' },
        chunks,
        agent: false,
      },
      expect: [400, 413],
    };
  },
  (ctx) => {
    // Declares more than a push may be, sends a genuine push: refused before the body is read. On
    // Express only for types the app does not parse: its JSON parser waits for the declared bytes
    // (an Express matter, bounded by the server's timeouts), so JSON is not sent there.
    // Fastify waits for bodies up to its bodyLimit (1 MiB by default) before anything else sees them.
    const declared = ctx.rng.pick(ctx.adapter === 'express' ? [70_000, 10_000_000] : [2_000_000, 1_000_000_000]);
    const type =
      ctx.adapter === 'express'
        ? ctx.rng.pick(['text/xml', 'text/plain'])
        : ctx.rng.pick(['application/json', 'text/xml']);
    return {
      name: `content-length ${declared} (${type}), short body`,
      request: {
        ...post(ctx, sealed(ctx, genuineTicket(ctx))),
        headers: { 'content-type': type, 'content-length': declared },
        agent: false,
      },
      expect: [413],
    };
  },
  (ctx) => {
    // Declares less than it sends: the body read is cut short, whatever follows is not a request.
    const text = JSON.stringify(sealed(ctx, genuineTicket(ctx)));
    const declared = ctx.rng.int(1, text.length - 1);
    return {
      name: `content-length ${declared} of ${text.length}`,
      request: {
        ...post(ctx, text),
        headers: { 'content-type': 'application/json', 'content-length': declared },
        agent: false,
      },
      expect: BAD_INPUT,
    };
  },
  (ctx) => {
    const appId = ctx.rng.pick([
      'tt_unknown',
      '__proto__',
      'constructor',
      'toString',
      'hasOwnProperty',
      `${C}%20`,
      '%E2%80%8B',
      ctx.rng.string(80),
    ]);
    return {
      name: `unknown component ${appId.slice(0, 20)}`,
      request: { ...post(ctx, sealed(ctx, genuineTicket(ctx))), url: `${ctx.routesUrl}/${appId}/events` },
      expect: [404],
    };
  },
  (ctx) => {
    const doc = ctx.rng.pick(DOCTYPES);
    const type = ctx.rng.pick(['text/xml', 'application/xml', 'application/json']);
    return {
      name: `outer DOCTYPE / entities (${type})`,
      request: post(ctx, `${doc}<xml><Encrypt>&b;</Encrypt></xml>`, type),
      expect: BAD_INPUT,
    };
  },
  (ctx) => {
    const method = ctx.rng.pick(['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'POST']);
    const path = ctx.rng.pick([`/${C}/events/x`, '//events', `/${C}`, `/%2e%2e/${C}/events`, `/${C}/authorize/x`]);
    return {
      name: `${method} ${path}`,
      request: {
        ...post(ctx, sealed(ctx, genuineTicket(ctx))),
        url: `${ctx.routesUrl}${path}`,
        method,
        ...(method === 'GET' ? { body: undefined } : {}),
      },
      expect: [400, 404, 405],
    };
  },
  (ctx) => ({
    name: 'unknown component of 200 characters',
    request: { ...post(ctx, sealed(ctx, genuineTicket(ctx))), url: `${ctx.routesUrl}/${ctx.rng.string(200)}/events` },
    expect: [404, 414], // Fastify refuses route parameters over 100 characters with 414
  }),
  (ctx) => {
    const method = ctx.rng.pick(['GET', 'PUT', 'DELETE', 'PATCH']);
    return {
      name: `${method} events`,
      request: {
        ...post(ctx, sealed(ctx, genuineTicket(ctx))),
        method,
        ...(method === 'GET' ? { body: undefined } : {}),
      },
      expect: [404, 405],
    };
  },
];

/** A genuine message of each kind the platform pushes, timed `atS` (epoch seconds). */
function capturedMessage(ctx: DouyinCaseContext, atS: number): { kind: string; text: string } {
  const time = douyinDateTime(atS * 1000);
  const kind = ctx.rng.pick(['ticket', 'AUTHORIZED', 'UPDATE_AUTHORIZED', 'UNAUTHORIZED', 'PACKAGE_AUDIT']);
  if (kind === 'ticket') return { kind, text: JSON.stringify(ticketMessage(`ticket@@@${ctx.rng.string(12)}`, time)) };
  return { kind, text: authorization(ctx, { Event: kind, EventTime: time }) };
}

/** Captured replays already generated for a context: some cases send one of them again. */
const capturedPool = new WeakMap<DouyinCaseContext, HostileCase[]>();

const replays: Generator[] = [
  (ctx) => {
    const pool = capturedPool.get(ctx) ?? [];
    capturedPool.set(ctx, pool);
    if (pool.length > 0 && ctx.rng.next() < 0.3) {
      const again = ctx.rng.pick(pool);
      return { ...again, name: `${again.name}, again` };
    }
    // Just outside the window or far from it, before or after our clock; the message inside is
    // older or newer than anything stored: only the envelope's timestamp decides.
    const offset = ctx.rng.next() < 0.5 ? ctx.rng.int(301, 330) : ctx.rng.int(331, 30_000_000);
    const late = ctx.rng.next() < 0.75;
    const t = late ? ctx.nowS - offset : ctx.nowS + offset;
    const message = capturedMessage(ctx, ctx.nowS + ctx.rng.int(-86_400, 86_400));
    const asNumber = ctx.rng.next() < 0.5;
    const c: HostileCase = {
      name: `captured ${message.kind} replayed ${offset} s ${late ? 'late' : 'early'}`,
      request: post(ctx, sealed(ctx, message.text, { timestamp: asNumber ? t : String(t) })),
      expect: UNAUTHORIZED,
    };
    pool.push(c);
    return c;
  },
];

const FAMILIES = [signatures, timestamps, ciphertexts, payloads, plaintexts, transport, replays];

/** `count` Douyin cases spread over every family, reproducible from the PRNG's seed. */
export function generateDouyinCases(ctx: DouyinCaseContext, count: number): HostileCase[] {
  const cases: HostileCase[] = [];
  for (let i = 0; i < count; i++) cases.push(ctx.rng.pick(FAMILIES[i % FAMILIES.length])(ctx));
  return cases;
}
