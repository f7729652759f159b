import { describe, expect, it } from '@jest/globals';
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import axios from 'axios';
import { MessageCrypto } from '../../crypto/message-crypto.js';
import { OpenPlatformError, OpenPlatformErrorCode } from '../../errors/open-platform.error.js';
import type { InboundPush } from '../platform-adapter.js';
import { assertUsablePush } from '../push-fields.js';
import { DouyinAdapter } from './douyin.adapter.js';

const adapter = new DouyinAdapter(axios.create());
const TP = 'tt_component_01';
const KEY = 'ZDY0ZjQ3MmQ1YjQ4NGQ3YjkxZjZmZGZkZmQ2ZmQ3ZjQ';
// The envelope example of Douyin's push documentation.
const PUSH = {
  Nonce: '4464221',
  TimeStamp: '1535551395',
  Encrypt: 'RW5jcnlwdA==',
  MsgSignature: 'ba394c04acece6c2c0edee058c5dddf82474b8ee',
};
const EXPECTED = { timestamp: '1535551395', nonce: '4464221', signature: PUSH.MsgSignature, encrypt: PUSH.Encrypt };

function malformed(fn: () => unknown): OpenPlatformError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(OpenPlatformError);
  expect((caught as OpenPlatformError).code).toBe(OpenPlatformErrorCode.MALFORMED_MESSAGE);
  expect((caught as OpenPlatformError).platform).toBe('douyin');
  return caught as OpenPlatformError;
}

const envelope = (body: unknown) => adapter.readEnvelope({ query: {}, body: body as InboundPush['body'] });

describe('Douyin push envelope', () => {
  it('reads a string, a Buffer and an object an app JSON parser produced', () => {
    expect(envelope(JSON.stringify(PUSH))).toEqual(EXPECTED);
    expect(envelope(Buffer.from(` \n${JSON.stringify(PUSH)}`))).toEqual(EXPECTED);
    expect(envelope({ ...PUSH })).toEqual(EXPECTED);
  });

  it('accepts a numeric TimeStamp and signs it as its decimal string', () => {
    expect(envelope({ ...PUSH, TimeStamp: 1535551395 })).toEqual(EXPECTED);
    expect(envelope(JSON.stringify({ ...PUSH, TimeStamp: 1535551395 }))).toEqual(EXPECTED);
  });

  it('ignores unknown keys and reports a missing MsgSignature as a missing signature', () => {
    expect(envelope({ ...PUSH, Extra: { deep: [1, 2] } })).toEqual(EXPECTED);
    const { MsgSignature: _s, ...unsigned } = PUSH;
    expect(envelope(unsigned)).toEqual({ ...EXPECTED, signature: undefined });
  });

  it('refuses hostile and malformed bodies', () => {
    const deep = '{"a":'.repeat(12_000) + '1' + '}'.repeat(12_000);
    const hostile: unknown[] = [
      undefined,
      '',
      '   ',
      Buffer.alloc(0),
      'not json',
      '<xml><Encrypt>x</Encrypt></xml>',
      '{"Nonce": "1",',
      deep,
      '[' + JSON.stringify(PUSH) + ']',
      [PUSH],
      JSON.stringify({ __proto__: PUSH }),
      '{"__proto__": {"Nonce":"1","TimeStamp":"1","Encrypt":"e","MsgSignature":"s"}}',
      JSON.parse('{"__proto__": {"Nonce":"1","TimeStamp":"1","Encrypt":"e"}}'),
      Object.create(PUSH),
      'x'.repeat(70_000),
      JSON.stringify({ ...PUSH, Encrypt: 'e'.repeat(70_000) }),
      42,
      null,
    ];
    for (const key of ['Nonce', 'TimeStamp', 'Encrypt'] as const) {
      const { [key]: _gone, ...rest } = PUSH;
      hostile.push(rest, { ...PUSH, [key]: '' }, { ...PUSH, [key]: [PUSH[key]] }, { ...PUSH, [key]: { v: PUSH[key] } });
    }
    hostile.push(
      { ...PUSH, TimeStamp: 'soon' },
      { ...PUSH, TimeStamp: 1.5 },
      { ...PUSH, TimeStamp: -1 },
      { ...PUSH, TimeStamp: '1535551395 ' },
      { ...PUSH, MsgSignature: 42 },
      { ...PUSH, MsgSignature: ['x'] },
    );
    for (const body of hostile) malformed(() => envelope(body));
  });
});

// ---- An independent encoder (Node's crypto, manual padding), not MessageCrypto ----
function encryptLikeDouyin(message: string, appId: string, prefix = randomBytes(32)): string {
  const key = Buffer.from(KEY + '=', 'base64');
  const body = Buffer.from(message, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length);
  const plain = Buffer.concat([prefix, length, body, Buffer.from(appId, 'utf8')]);
  const pad = 32 - (plain.length % 32);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false);
  return Buffer.concat([cipher.update(Buffer.concat([plain, Buffer.alloc(pad, pad)])), cipher.final()]).toString(
    'base64',
  );
}

function sign(token: string, ...parts: string[]): string {
  return createHash('sha1')
    .update([token, ...parts].sort().join(''))
    .digest('hex');
}

describe('Douyin decrypted messages', () => {
  const parse = (message: object) => adapter.parseMessage(JSON.stringify(message), TP);

  it('a ticket: CreateTime is Beijing time, the component is the one it was decrypted for', () => {
    const push = parse({
      Ticket: 'ticket-abc',
      FromUserName: 'ByteDanceMicroApp',
      CreateTime: '2024-03-01 08:00:00',
      MsgType: 'Ticket',
      Event: 'PUSH',
    });
    expect(push).toEqual({
      kind: 'ticket',
      componentAppId: TP,
      createdAt: Date.UTC(2024, 2, 1, 0, 0, 0),
      ticket: 'ticket-abc',
    });
    expect(assertUsablePush(push, 'douyin')).toBe(push);
    malformed(() =>
      adapter.parseMessage(JSON.stringify({ Ticket: 't', MsgType: 'Ticket', CreateTime: '2024-03-01 08:00:00' })),
    );
  });

  it('AUTHORIZED with the optional created-on-behalf fields', () => {
    expect(
      parse({
        AppId: 'tt_authorizer_01',
        TpAppId: TP,
        EventTime: '2019-01-14 12:45:10',
        Event: 'AUTHORIZED',
        AuthorizationCode: 'code-1',
        AuthorizationCodeExpiresIn: 3600,
        AppName: '代创建的小程序名称',
        CompanyName: '公司',
      }),
    ).toEqual({
      kind: 'authorized',
      componentAppId: TP,
      authorizerAppId: 'tt_authorizer_01',
      createdAt: Date.UTC(2019, 0, 14, 4, 45, 10),
      authorizationCode: 'code-1',
      codeExpiresAt: Date.UTC(2019, 0, 14, 5, 45, 10),
    });
  });

  it('UPDATE_AUTHORIZED (the code retrieval notice) and UNAUTHORIZED; EventTime as epoch seconds too', () => {
    expect(
      parse({ AppId: 'tt_a', TpAppId: TP, EventTime: 1547441110, Event: 'UPDATE_AUTHORIZED', AuthorizationCode: 'c2' }),
    ).toEqual({
      kind: 'updateauthorized',
      componentAppId: TP,
      authorizerAppId: 'tt_a',
      createdAt: 1547441110_000,
      authorizationCode: 'c2',
      codeExpiresAt: undefined,
    });
    expect(
      parse({ AppId: 'tt_a', TpAppId: 'tt_other', EventTime: '2019-01-14 12:45:10', Event: 'UNAUTHORIZED' }),
    ).toEqual({
      kind: 'unauthorized',
      componentAppId: 'tt_other',
      authorizerAppId: 'tt_a',
      createdAt: Date.UTC(2019, 0, 14, 4, 45, 10),
    });
  });

  it('anything else is "other" with string fields only', () => {
    const push = parse({
      TpAppId: TP,
      EventTime: '2024-01-01 00:00:00',
      Event: 'MODIFY_APP_NAME',
      N: 3,
      Deep: { x: 1 },
    });
    expect(push).toMatchObject({ kind: 'other', infoType: 'MODIFY_APP_NAME', componentAppId: TP });
    expect({ ...(push as { fields: object }).fields }).toEqual({
      TpAppId: TP,
      EventTime: '2024-01-01 00:00:00',
      Event: 'MODIFY_APP_NAME',
      N: '3',
    });
  });

  it('refuses messages that lack what their kind needs', () => {
    const ok = {
      AppId: 'tt_a',
      TpAppId: TP,
      EventTime: '2019-01-14 12:45:10',
      Event: 'AUTHORIZED',
      AuthorizationCode: 'c',
    };
    for (const bad of [
      { ...ok, AuthorizationCode: undefined },
      { ...ok, AppId: 42 },
      { ...ok, EventTime: '2019-02-30 12:00:00' },
      { ...ok, EventTime: 'yesterday' },
      { Ticket: 't', MsgType: 'Ticket', CreateTime: 'now' },
      { MsgType: 'Ticket', CreateTime: '2024-03-01 08:00:00' },
      { TpAppId: TP, EventTime: '2019-01-14 12:45:10' },
    ])
      malformed(() => parse(bad));
    for (const text of ['', 'null', '[]', '"x"', 'not json', '{"Event":'])
      malformed(() => adapter.parseMessage(text, TP));
  });

  it('round trip: independently encrypted, signed push → envelope → MessageCrypto("douyin") → push', () => {
    const message = JSON.stringify({
      Ticket: '票据-ticket',
      FromUserName: 'ByteDanceMicroApp',
      CreateTime: '2024-03-01 08:00:00',
      MsgType: 'Ticket',
      Event: 'PUSH',
    });
    const encrypt = encryptLikeDouyin(message, TP);
    const body = {
      Nonce: '99',
      TimeStamp: 1709251200,
      Encrypt: encrypt,
      MsgSignature: sign('dy-token', '1709251200', '99', encrypt),
    };
    const env = envelope(JSON.stringify(body));
    const crypto = new MessageCrypto({ platform: 'douyin', token: 'dy-token', encodingAesKey: KEY, appId: TP });
    expect(crypto.verifySignature(env.signature!, env.timestamp, env.nonce, env.encrypt)).toBe(true);
    const plaintext = crypto.decrypt(env.encrypt);
    expect(plaintext).toBe(message);
    expect(adapter.parseMessage(plaintext, TP)).toEqual({
      kind: 'ticket',
      componentAppId: TP,
      createdAt: Date.UTC(2024, 2, 1, 0, 0, 0),
      ticket: '票据-ticket',
    });
    // The encoder and MessageCrypto agree byte for byte on a fixed prefix.
    const prefix = Buffer.alloc(32, 7);
    expect(crypto.encrypt(message, prefix)).toBe(encryptLikeDouyin(message, TP, prefix));
  });
});
