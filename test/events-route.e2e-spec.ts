import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import express from 'express';
import { Agent } from 'node:http';
import { DurableStore } from '../lib/store/durable-store.js';
import { StoreKeys } from '../lib/store/store-keys.js';
import type { TicketRecord } from '../lib/tickets/ticket.store.js';
import { COMPONENT_A, COMPONENT_B } from './support/fixtures.js';
import { closed, rawRequest } from './support/raw-http.js';
import { signedPush } from './support/signed-push.js';
import { ADAPTERS, startHarness, type Harness, type HarnessOptions } from './support/harness.js';
import { CapturingLogger } from './support/capturing-logger.js';

const ticketXml = (appId: string, ticket: string, createTime: number) =>
  `<xml><AppId><![CDATA[${appId}]]></AppId><CreateTime>${createTime}</CreateTime><InfoType><![CDATA[component_verify_ticket]]></InfoType><ComponentVerifyTicket><![CDATA[${ticket}]]></ComponentVerifyTicket></xml>`;

async function post(url: string, query: Record<string, string>, body: string | Buffer, contentType = 'text/xml') {
  const res = await fetch(`${url}?${new URLSearchParams(query).toString()}`, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body,
  });
  return { status: res.status, body: await res.text(), type: res.headers.get('content-type') };
}

function storedTicket(h: Harness, appId = COMPONENT_A.appId): Promise<TicketRecord | undefined> {
  return h.app.get(DurableStore).get<TicketRecord>(StoreKeys.ticket('wechat', appId));
}

type FastifyLike = {
  addContentTypeParser(
    t: string,
    o: object,
    fn: (r: unknown, b: unknown, d: (e: null, b: unknown) => void) => void,
  ): void;
};

const variants: [string, HarnessOptions][] = [
  ['default Express body parsing (XML left unread)', {}],
  ['rawBody: true', { appOptions: { rawBody: true } }],
  [
    'app-level text parser for XML',
    {
      configure: (app: INestApplication) =>
        app.use(express.text({ type: ['text/xml', 'application/xml', 'text/plain'], limit: '1mb' })),
    },
  ],
  [
    'app-level raw parser',
    { configure: (app: INestApplication) => app.use(express.raw({ type: () => true, limit: '1mb' })) },
  ],
  [
    'bodyParser: false and a custom routePrefix',
    { appOptions: { bodyParser: false }, options: { routePrefix: 'hooks/wechat' } },
  ],
  ['Fastify, no XML parser registered by the app', { adapter: 'fastify' }],
  [
    'Fastify, rawBody: true and a global prefix',
    { adapter: 'fastify', appOptions: { rawBody: true }, globalPrefix: 'api' },
  ],
  [
    "Fastify, the app's own string parser for XML",
    {
      adapter: 'fastify',
      configure: (app: INestApplication) =>
        (app.getHttpAdapter().getInstance() as FastifyLike).addContentTypeParser(
          'text/xml',
          { parseAs: 'string' },
          (_r, body, done) => done(null, body),
        ),
    },
  ],
  [
    'Fastify, bodyParser: false and a custom routePrefix',
    { adapter: 'fastify', appOptions: { bodyParser: false }, options: { routePrefix: 'hooks/wechat' } },
  ],
];

describe.each(variants)('events route: %s', (_name, harnessOptions) => {
  let h: Harness;
  let genuine: TicketRecord | undefined;
  beforeEach(async () => {
    h = await startHarness(harnessOptions);
    const first = await h.fake.pushTicket(h.eventsUrl(), COMPONENT_A.appId);
    expect(first).toMatchObject({ status: 200, body: 'success' });
    genuine = await storedTicket(h);
    expect(genuine?.ticket).toBe(first.ticket);
    h.fake.resetCalls();
  });
  afterEach(() => h.close());

  const nowS = () => Math.floor(h.clock.now() / 1000);
  const build = (ticket = 'ticket@@@forged', appId = COMPONENT_A.appId, opts: { timestamp?: number } = {}) =>
    h.fake.buildPush(appId, ticketXml(appId, ticket, nowS() + 1), opts);

  async function expectUnchanged() {
    expect(await storedTicket(h)).toEqual(genuine);
    expect(h.fake.calls('api_component_token')).toBe(0);
  }

  it('answers 200 text/plain "success" to a genuine push and stores its ticket', async () => {
    h.clock.advance(1000);
    const push = build('ticket@@@second');
    const res = await post(h.eventsUrl(), push.query, push.body);
    expect(res).toMatchObject({ status: 200, body: 'success' });
    expect(res.type).toMatch(/^text\/plain/);
    expect((await storedTicket(h))?.ticket).toBe('ticket@@@second');
  });

  it('forged signature → 401', async () => {
    const push = build();
    const res = await post(h.eventsUrl(), { ...push.query, msg_signature: 'f'.repeat(40) }, push.body);
    expect(res.status).toBe(401);
    await expectUnchanged();
  });

  it('missing signature → 401', async () => {
    const { msg_signature: _ignored, ...query } = build().query;
    expect((await post(h.eventsUrl(), query, build().body)).status).toBe(401);
    await expectUnchanged();
  });

  it('tampered Encrypt under the original signature → 401', async () => {
    const push = build();
    const body = push.body.replace(
      /<Encrypt><!\[CDATA\[(.)/,
      (_m, c: string) => `<Encrypt><![CDATA[${c === 'A' ? 'B' : 'A'}`,
    );
    expect((await post(h.eventsUrl(), push.query, body)).status).toBe(401);
    await expectUnchanged();
  });

  it('undecryptable Encrypt with a valid signature (signed with the token, not the key) → 400', async () => {
    const { MessageCrypto } = await import('../lib/crypto/message-crypto.js');
    const crypto = new MessageCrypto({
      platform: 'wechat',
      ...COMPONENT_A,
      encodingAesKey: COMPONENT_B.encodingAesKey,
    });
    const encrypt = crypto.encrypt(ticketXml(COMPONENT_A.appId, 'ticket@@@wrongkey', nowS()));
    const query = {
      timestamp: String(nowS()),
      nonce: '42',
      msg_signature: crypto.signature(String(nowS()), '42', encrypt),
    };
    const res = await post(
      h.eventsUrl(),
      query,
      `<xml><AppId>${COMPONENT_A.appId}</AppId><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`,
    );
    expect(res.status).toBe(400);
    await expectUnchanged();
  });

  it('unknown component in the route → 404', async () => {
    const push = build();
    expect((await post(h.eventsUrl('wx_unknown'), push.query, push.body)).status).toBe(404);
    await expectUnchanged();
  });

  it("a push for component B sent to A's route → 401 (signed with B's token)", async () => {
    const push = build('ticket@@@for-b', COMPONENT_B.appId);
    expect((await post(h.eventsUrl(COMPONENT_A.appId), push.query, push.body)).status).toBe(401);
    await expectUnchanged();
    expect(await storedTicket(h, COMPONENT_B.appId)).toBeUndefined();
  });

  /** Signs and encrypts with A's token and key, as only A's platform could. */
  async function signedAsA(innerXml: string, trailingAppId: string) {
    const { MessageCrypto } = await import('../lib/crypto/message-crypto.js');
    const crypto = new MessageCrypto({ platform: 'wechat', ...COMPONENT_A, appId: trailingAppId });
    const encrypt = crypto.encrypt(innerXml);
    const timestamp = String(nowS());
    const query = { timestamp, nonce: '7', msg_signature: crypto.signature(timestamp, '7', encrypt) };
    return post(
      h.eventsUrl(COMPONENT_A.appId),
      query,
      `<xml><AppId>${COMPONENT_A.appId}</AppId><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`,
    );
  }

  it('wrong trailing appid → 400', async () => {
    expect((await signedAsA(ticketXml(COMPONENT_A.appId, 'ticket@@@trailing', nowS()), COMPONENT_B.appId)).status).toBe(
      400,
    );
    await expectUnchanged();
  });

  it('a message naming another component inside → 400, stored for neither', async () => {
    expect((await signedAsA(ticketXml(COMPONENT_B.appId, 'ticket@@@inner-b', nowS()), COMPONENT_A.appId)).status).toBe(
      400,
    );
    await expectUnchanged();
    expect(await storedTicket(h, COMPONENT_B.appId)).toBeUndefined();
  });

  it('65 KiB body → 413', async () => {
    const push = build();
    const body = push.body.replace('</xml>', `<Pad>${'x'.repeat(65 * 1024)}</Pad></xml>`);
    expect((await post(h.eventsUrl(), push.query, body)).status).toBe(413);
    await expectUnchanged();
  });

  it('empty body → 400', async () => {
    expect((await post(h.eventsUrl(), build().query, '')).status).toBe(400);
    await expectUnchanged();
  });

  it.each([
    ['plain text', 'hello'],
    ['JSON', '{"Encrypt":1}'],
    ['broken XML', '<xml><Encrypt>abc</xml>'],
    ['entity bomb', '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]><xml><Encrypt>&a;</Encrypt></xml>'],
  ])('non-XML or hostile body (%s) → 400', async (_name, body) => {
    expect((await post(h.eventsUrl(), build().query, body)).status).toBe(400);
    await expectUnchanged();
  });

  it('timestamp more than 5 minutes off → 401 (a captured push cannot be replayed later)', async () => {
    const old = build('ticket@@@late', COMPONENT_A.appId, { timestamp: nowS() - 301 });
    expect((await post(h.eventsUrl(), old.query, old.body)).status).toBe(401);
    const future = build('ticket@@@early', COMPONENT_A.appId, { timestamp: nowS() + 301 });
    expect((await post(h.eventsUrl(), future.query, future.body)).status).toBe(401);
    await expectUnchanged();
  });

  it('a repeated genuine push is acknowledged and changes nothing', async () => {
    const push = build('ticket@@@repeat');
    expect((await post(h.eventsUrl(), push.query, push.body)).body).toBe('success');
    const stored = await storedTicket(h);
    h.clock.advance(5000);
    expect(await post(h.eventsUrl(), push.query, push.body)).toMatchObject({ status: 200, body: 'success' });
    expect(await storedTicket(h)).toEqual(stored);
  });

  it('an older ticket never replaces a newer one', async () => {
    const older = h.fake.buildPush(COMPONENT_A.appId, ticketXml(COMPONENT_A.appId, 'ticket@@@older', nowS() - 120));
    expect((await post(h.eventsUrl(), older.query, older.body)).body).toBe('success');
    expect(await storedTicket(h)).toEqual(genuine);
  });

  it('a push of an unknown InfoType is acknowledged and stores nothing', async () => {
    const xml = `<xml><AppId><![CDATA[${COMPONENT_A.appId}]]></AppId><CreateTime>${nowS()}</CreateTime><InfoType><![CDATA[notify_third_fasteregister]]></InfoType></xml>`;
    const push = h.fake.buildPush(COMPONENT_A.appId, xml);
    expect((await post(h.eventsUrl(), push.query, push.body)).body).toBe('success');
    await expectUnchanged();
  });

  describe('hostile input never yields a 5xx and stores nothing', () => {
    it.each([
      ['objects', `${'{"a":'.repeat(10_000)}{}${'}'.repeat(10_000)}`],
      ['arrays', `{"Encrypt":${'['.repeat(10_000)}${']'.repeat(10_000)}}`],
    ])('a 10,000-deep JSON body (%s) → 400', async (_kind, json) => {
      const res = await post(h.eventsUrl(), build().query, json, 'application/json');
      expect(res.status).toBe(400);
      await expectUnchanged();
    });

    /** Posts `innerXml` encrypted and signed with A's real key and token. */
    function postSigned(innerXml: string) {
      const push = signedPush(innerXml, { timestamp: nowS() });
      return post(h.eventsUrl(), push.query, push.body);
    }

    it('a validly signed message nested 250 deep → 400', async () => {
      const deep = `<xml><AppId>${COMPONENT_A.appId}</AppId>${'<a>'.repeat(250)}x${'</a>'.repeat(250)}</xml>`;
      expect((await postSigned(deep)).status).toBe(400);
      await expectUnchanged();
    });

    it.each(['__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString'])(
      'a validly signed ticket message with a <%s> element → 400, or its ticket alone',
      async (name) => {
        const xml = ticketXml(COMPONENT_A.appId, 'ticket@@@proto', nowS()).replace(
          '</xml>',
          `<${name}><polluted>1</polluted></${name}><${name}>x</${name}></xml>`,
        );
        const res = await postSigned(xml);
        expect(res.status).toBeLessThan(500);
        if (res.status !== 200) {
          expect(res.status).toBe(400);
          await expectUnchanged();
        }
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      },
    );

    it.each([
      ['empty', ''],
      ['spaces', '   '],
      ['tabs and newlines', '\t\n \r\n'],
      ['full-width space', '\u3000'],
    ])('a validly signed ticket that is %s → 400, nothing stored, the token still works', async (_k, ticket) => {
      expect((await postSigned(ticketXml(COMPONENT_A.appId, ticket, nowS() + 5))).status).toBe(400);
      await expectUnchanged();
      await expect(h.tokens.getComponentAccessToken(COMPONENT_A.appId)).resolves.toEqual(expect.any(String));
    });

    it.each([
      ['AuthorizerAppid', ' ', 'code-1'],
      ['AuthorizationCode', 'wx_merchant_blank', '  \t '],
    ])('a validly signed authorized push with a blank %s → 400, no exchange', async (_f, authorizer, code) => {
      const xml =
        `<xml><AppId>${COMPONENT_A.appId}</AppId><CreateTime>${nowS()}</CreateTime><InfoType>authorized</InfoType>` +
        `<AuthorizerAppid><![CDATA[${authorizer}]]></AuthorizerAppid>` +
        `<AuthorizationCode><![CDATA[${code}]]></AuthorizationCode>` +
        `<AuthorizationCodeExpiredTime>${nowS() + 600}</AuthorizationCodeExpiredTime></xml>`;
      expect((await postSigned(xml)).status).toBe(400);
      expect(h.fake.calls('api_query_auth')).toBe(0);
      expect(await h.tokens.listAuthorizers(COMPONENT_A.appId)).toEqual([]);
    });

    it.each([
      ['chunked', { chunks: Array.from({ length: 10 }, () => Buffer.alloc(8 * 1024, 0x61)) }],
      ['by content-length, body never read', { body: Buffer.alloc(100 * 1024, 0x61) }],
    ])(
      'over 64 KiB (%s) → 413 with Connection: close; the socket is closed and the next request works',
      async (_k, upload) => {
        const agent = new Agent({ keepAlive: true, maxSockets: 1 });
        try {
          const url = `${h.eventsUrl()}?${new URLSearchParams(build().query).toString()}`;
          const first = await rawRequest({ url, agent, headers: { 'content-type': 'text/xml' }, ...upload });
          expect(first.status).toBe(413);
          expect(first.headers.connection).toBe('close');
          await closed(first.socket);

          const push = build('ticket@@@after-413');
          h.clock.advance(1000);
          const next = await rawRequest({
            url: `${h.eventsUrl()}?${new URLSearchParams(push.query).toString()}`,
            agent,
            headers: { 'content-type': 'text/xml' },
            body: push.body,
          });
          expect(next.socket).not.toBe(first.socket);
          expect({ status: next.status, body: next.body }).toEqual({ status: 200, body: 'success' });
          expect((await storedTicket(h))?.ticket).toBe('ticket@@@after-413');
        } finally {
          agent.destroy();
        }
      },
    );
  });
});

describe.each(ADAPTERS)('refused pushes on %s: debug lines, one summary per component per minute', (adapter) => {
  let h: Harness;
  const logger = new CapturingLogger();
  beforeEach(async () => {
    logger.clear();
    h = await startHarness({ adapter, logger });
  });
  afterEach(() => h.close());

  const nowS = () => Math.floor(h.clock.now() / 1000);
  const refusals = () => logger.lines.filter((l) => /refused/.test(l.message));

  it('37 refusals → 37 debug lines and one warning; the next one after a minute sums up the rest', async () => {
    const forged = (i: number) => {
      const push = h.fake.buildPush(COMPONENT_A.appId, ticketXml(COMPONENT_A.appId, `t${i}`, nowS()));
      return post(h.eventsUrl(), { ...push.query, msg_signature: 'f'.repeat(40) }, push.body);
    };
    for (let i = 0; i < 30; i++) expect((await forged(i)).status).toBe(401);
    for (let i = 0; i < 7; i++) expect((await post(h.eventsUrl(), {}, '<xml>')).status).toBe(400);
    expect(logger.at('debug', /refused/)).toHaveLength(37);
    const warnings = logger.at('warn', /refused/);
    expect(warnings).toHaveLength(1);
    expect(warnings[0].message).toMatch(/refused 1 push to wx_component_a: 1 SIGNATURE_MISMATCH/);

    h.clock.advance(59_000);
    expect((await forged(99)).status).toBe(401);
    expect(logger.at('warn', /refused/)).toHaveLength(1);
    h.clock.advance(1_000);
    expect((await post(h.eventsUrl(), {}, 'junk')).status).toBe(400);
    const [, summary] = logger.at('warn', /refused/);
    expect(summary.message).toMatch(
      /refused 38 pushes to wx_component_a since .*: 30 SIGNATURE_MISMATCH, 8 MALFORMED_MESSAGE/,
    );

    // Another component has its own budget; unknown ones share one bucket.
    expect((await post(h.eventsUrl(COMPONENT_B.appId), {}, 'junk')).status).toBe(400);
    for (let i = 0; i < 20; i++) expect((await post(h.eventsUrl(`wx_unknown_${i}`), {}, 'junk')).status).toBe(404);
    expect(logger.at('warn', /refused/).map((l) => /^refused \d+ push(es)? to [^\s:]+/.exec(l.message)?.[0])).toEqual([
      'refused 1 push to wx_component_a',
      'refused 38 pushes to wx_component_a',
      'refused 1 push to wx_component_b',
      'refused 1 push to (unknown',
    ]);
    // Nothing else at warn level or above, and no Fastify complaint about a JSON error under text/plain.
    expect(logger.lines.filter((l) => ['warn', 'error'].includes(l.level) && !/refused/.test(l.message))).toEqual([]);
    expect(refusals().length).toBe(37 + 2 + 1 + 20 + 4);
  });
});
