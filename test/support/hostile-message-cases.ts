import { MessageCrypto } from '../../lib/crypto/message-crypto.js';
import { COMPONENT_A, COMPONENT_B } from './fixtures.js';
import type { HostileCase } from './hostile-cases.js';
import type { Prng } from './prng.js';
import type { RawRequest } from './raw-http.js';

export interface MessageCaseContext {
  rng: Prng;
  nowS: number;
  /** …/open-platform (with any global prefix). */
  routesUrl: string;
  /** An active authorizer: everything is aimed at it, so a case that got through would reach a handler. */
  authorizerAppId: string;
}

const A = COMPONENT_A.appId;
const cryptoA = new MessageCrypto({ platform: 'wechat', ...COMPONENT_A });
const cryptoB = new MessageCrypto({ platform: 'wechat', ...COMPONENT_B });

const messageXml = (ctx: MessageCaseContext, extra = '', createTime: string | number = ctx.nowS) =>
  `<xml><ToUserName><![CDATA[gh_shop]]></ToUserName><FromUserName><![CDATA[o_${ctx.rng.string(8)}]]></FromUserName>` +
  `<CreateTime>${createTime}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[hi]]></Content>` +
  `<MsgId>${ctx.rng.int(1, 1e12)}</MsgId>${extra}</xml>`;

const envelope = (encrypt: string) =>
  `<xml><ToUserName><![CDATA[gh_shop]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`;

function post(
  ctx: MessageCaseContext,
  query: Record<string, string>,
  body: string | Buffer,
  path: { component?: string; authorizer?: string } = {},
  extra: Partial<RawRequest> = {},
): RawRequest {
  const component = path.component ?? A;
  const authorizer = path.authorizer ?? ctx.authorizerAppId;
  return {
    url: `${ctx.routesUrl}/${component}/authorizers/${authorizer}/messages?${new URLSearchParams(query).toString()}`,
    headers: { 'content-type': 'text/xml' },
    body,
    ...extra,
  };
}

function signedQuery(encrypt: string, timestamp: string, nonce: string, crypto = cryptoA): Record<string, string> {
  return { timestamp, nonce, encrypt_type: 'aes', msg_signature: crypto.signature(timestamp, nonce, encrypt) };
}

/** A validly signed envelope around `encrypt`. */
function signed(ctx: MessageCaseContext, encrypt: string, path?: { component?: string; authorizer?: string }) {
  return post(ctx, signedQuery(encrypt, String(ctx.nowS), String(ctx.rng.int(1, 1e9))), envelope(encrypt), path);
}

function deep(n: number): string {
  return '<a>'.repeat(n) + 'x' + '</a>'.repeat(n);
}

type Generator = (ctx: MessageCaseContext) => HostileCase;

/** Classes of hostile requests to the message URL; every one must get the listed 4xx and run nothing. */
const GENERATORS: Generator[] = [
  (ctx) => {
    const encrypt = cryptoA.encrypt(messageXml(ctx));
    const q = signedQuery(encrypt, String(ctx.nowS), '1');
    q.msg_signature = ctx.rng.string(40, '0123456789abcdef');
    return { name: 'forged signature', request: post(ctx, q, envelope(encrypt)), expect: [401] };
  },
  (ctx) => {
    const encrypt = cryptoA.encrypt(messageXml(ctx));
    const { msg_signature: _dropped, ...q } = signedQuery(encrypt, String(ctx.nowS), '1');
    return { name: 'no msg_signature', request: post(ctx, q, envelope(encrypt)), expect: [401] };
  },
  (ctx) => {
    const encrypt = cryptoA.encrypt(messageXml(ctx));
    const skew = 301 + ctx.rng.int(0, 1e6);
    const ts = String(ctx.nowS + (ctx.rng.next() < 0.5 ? -skew : skew));
    return {
      name: 'stale timestamp (replay)',
      request: post(ctx, signedQuery(encrypt, ts, '2'), envelope(encrypt)),
      expect: [401],
    };
  },
  (ctx) => {
    const encrypt = cryptoA.encrypt(messageXml(ctx));
    const ts = ctx.rng.pick(['', 'abc', '-1', '1e9', '9'.repeat(20), `${ctx.nowS}.5`]);
    return {
      name: 'invalid timestamp',
      request: post(ctx, signedQuery(encrypt, ts, '3'), envelope(encrypt)),
      expect: [400],
    };
  },
  (ctx) => {
    const encrypt = cryptoA.encrypt(messageXml(ctx));
    const { nonce: _n, ...q } = signedQuery(encrypt, String(ctx.nowS), '4');
    return { name: 'no nonce', request: post(ctx, q, envelope(encrypt)), expect: [400] };
  },
  (ctx) => {
    const body = ctx.rng.pick([
      '',
      '   ',
      'success',
      '{"Encrypt":"x"}',
      '<xml><Encrypt>',
      `<xml><Encrypt><![CDATA[${ctx.rng.string(30)}`,
      `<!DOCTYPE x [<!ENTITY e "${ctx.rng.string(5)}">]><xml><Encrypt>&e;</Encrypt></xml>`,
      `<xml><ToUserName>a</ToUserName></xml>`,
      ctx.rng.bytes(ctx.rng.int(1, 200)).toString('latin1'),
    ]);
    return {
      name: 'malformed envelope',
      request: post(ctx, { timestamp: String(ctx.nowS), nonce: '5', msg_signature: 'a'.repeat(40) }, body),
      expect: [400, 401],
    };
  },
  (ctx) => ({
    name: 'deeply nested envelope',
    request: post(
      ctx,
      { timestamp: String(ctx.nowS), nonce: '6', msg_signature: 'a'.repeat(40) },
      `<xml>${deep(ctx.rng.int(9, 5000))}<Encrypt>x</Encrypt></xml>`,
    ),
    expect: [400],
  }),
  (ctx) => ({
    name: 'oversized body',
    request: post(
      ctx,
      { timestamp: String(ctx.nowS), nonce: '7', msg_signature: 'a'.repeat(40) },
      envelope('A'.repeat(64 * 1024 + ctx.rng.int(1, 4096))),
      {},
      { agent: false },
    ),
    expect: [413],
  }),
  (ctx) => {
    const encrypt = cryptoA.encrypt(messageXml(ctx));
    const component = ctx.rng.pick(['wx_unknown_component', COMPONENT_A.appId.toUpperCase(), `${A}x`]);
    return { name: 'unknown component', request: signed(ctx, encrypt, { component }), expect: [404] };
  },
  (ctx) => {
    const encrypt = cryptoA.encrypt(messageXml(ctx));
    const authorizer = ctx.rng.pick([
      'x'.repeat(ctx.rng.int(33, 600)),
      '%20',
      '%00wx1',
      '__proto__',
      '-wx',
      'wx%E2%80%8B1',
      '%C3%A9t%C3%A9',
      'wx.1',
    ]);
    return {
      name: 'invalid authorizer appid in the URL',
      request: signed(ctx, encrypt, { authorizer }),
      // Fastify answers 414 to a path parameter longer than its maxParamLength.
      expect: [400, 404, 414],
    };
  },
  (ctx) => {
    const encrypt = ctx.rng.pick([
      ctx.rng.string(ctx.rng.int(1, 300), 'ABCDEFabcdef0123456789+/='),
      '!!!',
      ctx.rng.bytes(48).toString('base64'),
    ]);
    return { name: 'signed garbage ciphertext', request: signed(ctx, encrypt), expect: [400] };
  },
  (ctx) => {
    // Encrypted with B's key but signed with A's token: decrypts to garbage.
    const encrypt = cryptoB.encrypt(messageXml(ctx));
    return { name: "another component's ciphertext", request: signed(ctx, encrypt), expect: [400] };
  },
  (ctx) => {
    const other = new MessageCrypto({
      platform: 'wechat',
      ...COMPONENT_A,
      appId: ctx.rng.pick([COMPONENT_B.appId, 'wx_elsewhere']),
    });
    return { name: 'wrong trailing appid', request: signed(ctx, other.encrypt(messageXml(ctx))), expect: [400] };
  },
  (ctx) => {
    const inner = ctx.rng.pick([
      'not xml at all',
      '{"MsgType":"text"}',
      '<xml></xml>',
      '<xml><ToUserName>gh</ToUserName></xml>',
      messageXml(ctx).replace(/<FromUserName>.*?<\/FromUserName>/, ''),
      messageXml(ctx).replace(/<MsgType>.*?<\/MsgType>/, '<MsgType><![CDATA[   ]]></MsgType>'),
      messageXml(ctx, '', ctx.rng.pick(['', 'yesterday', '-5', '1e3'])),
      messageXml(ctx, deep(ctx.rng.int(9, 2000))),
      `<!DOCTYPE xml [<!ENTITY lol "lol">]>${messageXml(ctx)}`,
      messageXml(ctx).replace('<Content>', '<__proto__>x</__proto__><Content>'),
      messageXml(ctx).replace(/<ToUserName>.*?<\/ToUserName>/, `<ToUserName>${'g'.repeat(600)}</ToUserName>`),
      `<xml><ToUserName>gh</ToUserName><FromUserName>o</FromUserName><CreateTime>${ctx.nowS}</CreateTime><MsgType>event</MsgType></xml>`,
      messageXml(ctx).slice(0, ctx.rng.int(5, 60)),
    ]);
    return { name: 'signed, malformed message', request: signed(ctx, cryptoA.encrypt(inner)), expect: [400] };
  },
];

/** `count` cases drawn from every class in turn, reproducible from the generator's seed. */
export function generateMessageCases(ctx: MessageCaseContext, count: number): HostileCase[] {
  return Array.from({ length: count }, (_, i) => GENERATORS[i % GENERATORS.length](ctx));
}
