import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import {
  hashAdminPassword,
  MemoryDurableStore,
  OpenPlatformEvents,
  type AdminActionEvent,
  type OpenPlatformEvent,
} from '../lib/index.js';
import { StoreKeys } from '../lib/store/store-keys.js';
import { FakeWeChatPlatform } from '../lib/testing/index.js';
import { merchantAuthorizes } from './support/authorize-flow.js';
import { COMPONENT_A, COMPONENT_B } from './support/fixtures.js';
import { ADAPTERS, startHarness, type Harness, type HarnessOptions } from './support/harness.js';

// The admin API over real HTTP on both adapters, with the emulator behind the module. Pagination
// runs over records written straight into the durable store (a few thousand: the emulator would
// take minutes to authorize that many, and the list code reads the store only).

const A = COMPONENT_A.appId;
const USER = 'ops';
const PASSWORD = 'correct horse battery staple';
let passwordHash: string;
const auth = (user = USER, password = PASSWORD) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
/** Headers of a same-origin state-changing request from the console. */
const ACTION = { 'x-requested-with': 'fetch' };
const JSON_BODY = { 'content-type': 'application/json' };

beforeAll(async () => {
  // Low cost so the suite stays fast; the format and the check are the production ones.
  passwordHash = await hashAdminPassword(PASSWORD, { N: 1024 });
});

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are read field by field
  json: any;
}

/** Every answer a test got, for the credential scan. */
let answers: Answer[] = [];

async function call(url: string, init: RequestInit = {}): Promise<Answer> {
  const res = await fetch(url, init);
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const answer = { status: res.status, headers: res.headers, text, json };
  answers.push(answer);
  return answer;
}

function adminStart(extra: HarnessOptions = {}): Promise<Harness> {
  return startHarness({
    ...extra,
    options: { admin: { enabled: true, basicAuth: { username: USER, passwordHash } }, ...extra.options },
  });
}

function expectSecurityHeaders(a: Answer): void {
  expect(a.headers.get('content-security-policy')).toContain("default-src 'none'");
  expect(a.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  expect(a.headers.get('x-frame-options')).toBe('DENY');
  expect(a.headers.get('x-content-type-options')).toBe('nosniff');
  expect(a.headers.get('cache-control')).toBe('no-store');
}

/** Every admin route, as [method, path under the routes URL]. */
const ROUTES: Array<[string, string]> = [
  ['GET', '/admin/components'],
  ['GET', '/admin/authorizers'],
  ['GET', `/admin/components/${A}/authorizers/wx_shop_1`],
  ['POST', `/admin/components/${A}/authorizers/wx_shop_1/renew`],
  ['POST', `/admin/components/${A}/authorizers/wx_shop_1/revoke`],
  ['POST', `/admin/components/${A}/sync`],
  ['POST', `/admin/components/${A}/authorization-link`],
  ['GET', '/admin/authorizers/wx_shop_1'],
  ['POST', '/admin/authorizers/wx_shop_1/renew'],
  ['POST', '/admin/authorizers/wx_shop_1/revoke'],
];

let h: Harness | undefined;
afterEach(async () => {
  await h?.fake.settle();
  await h?.close();
  h = undefined;
  answers = [];
});

describe('admin API off by default', () => {
  it('no admin route answers (404) without admin.enabled', async () => {
    h = await startHarness({});
    for (const [method, path] of ROUTES) {
      const a = await call(`${h.routesUrl}${path}`, { method, headers: { ...ACTION, authorization: auth() } });
      expect(a.status).toBe(404);
    }
  });

  // The harness starts an emulator before the app; a boot that fails must not leave it running.
  const fake = new FakeWeChatPlatform({ components: [COMPONENT_A] });
  beforeAll(() => fake.start());
  afterAll(() => fake.stop());

  it('enabled without guard or basicAuth refuses to boot, naming the field', async () => {
    await expect(startHarness({ fake, options: { admin: { enabled: true } } })).rejects.toThrow(
      /admin\.guard: .*basicAuth/,
    );
  });

  it('a malformed passwordHash refuses to boot, without echoing it', async () => {
    const bad = 'scrypt$1000$8$1$c2FsdHNhbHRzYWx0c2FsdA==$' + 'A'.repeat(44);
    const err = await startHarness({
      fake,
      options: { admin: { enabled: true, basicAuth: { username: USER, passwordHash: bad } } },
    }).catch((e: Error) => e);
    expect(String((err as Error).message)).toMatch(/admin\.basicAuth\.passwordHash: N must be a power of two/);
    expect(String((err as Error).message)).not.toContain(bad);
  });
});

describe.each(ADAPTERS)('admin API on %s with a global prefix', (adapter) => {
  // maxFailures high: the refusal test sends many wrong credentials (the lockout has its own test).
  const start = () =>
    adminStart({
      adapter,
      globalPrefix: 'api',
      options: { admin: { enabled: true, basicAuth: { username: USER, passwordHash, maxFailures: 100 } } },
    });

  it('every route refuses without credentials or with wrong ones (401, WWW-Authenticate, security headers)', async () => {
    h = await start();
    expect(h.routesUrl).toContain('/api/open-platform');
    for (const [method, path] of ROUTES) {
      for (const authorization of [undefined, auth(USER, 'wrong'), auth('root', PASSWORD), 'Bearer x', 'Basic %%%']) {
        const headers: Record<string, string> = { 'x-requested-with': 'fetch' };
        if (authorization) headers.authorization = authorization;
        const a = await call(`${h.routesUrl}${path}`, { method, headers });
        expect([method, path, a.status]).toEqual([method, path, 401]);
        expect(a.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
        expectSecurityHeaders(a);
      }
    }
  });

  it('the operator flow: components, list, one with history, renew, link + QR, revoke (idempotent), events with the actor', async () => {
    h = await start();
    const events: OpenPlatformEvent[] = [];
    h.app.get(OpenPlatformEvents).events$.subscribe((e) => events.push(e));
    await h.fake.pushTicket(h.eventsUrl(), A);
    await merchantAuthorizes(h, 'wx_shop_1');
    const refreshTokens = [h.fake.authorizerState(A, 'wx_shop_1')?.refreshToken];
    const get = (path: string) => call(`${h!.routesUrl}${path}`, { headers: { authorization: auth() } });
    const post = (path: string, body?: unknown) =>
      call(`${h!.routesUrl}${path}`, {
        method: 'POST',
        headers: { ...ACTION, authorization: auth(), ...(body === undefined ? {} : JSON_BODY) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });

    const components = await get('/admin/components');
    expect(components.status).toBe(200);
    expectSecurityHeaders(components);
    const a = components.json.components.find((c: { componentAppId: string }) => c.componentAppId === A);
    expect(a.ticket).toMatchObject({ held: true, usable: true });
    expect(a.componentToken.valid).toBe(true);
    expect(a.authorizers).toMatchObject({ active: 1, total: 1 });

    const list = await get('/admin/authorizers');
    expect(list.status).toBe(200);
    expect(list.json.items.map((i: { authorizerAppId: string }) => i.authorizerAppId)).toEqual(['wx_shop_1']);
    expect(list.json.nextCursor).toBeUndefined();

    const before = await get(`/admin/components/${A}/authorizers/wx_shop_1`);
    expect(before.status).toBe(200);
    expect(before.json.authorizer).toMatchObject({ authorizerAppId: 'wx_shop_1', status: 'active' });
    const expiresBefore = before.json.authorizer.accessTokenExpiresAt as number;

    h.clock.advance(60_000);
    const renewed = await post(`/admin/components/${A}/authorizers/wx_shop_1/renew`);
    expect(renewed.status).toBe(200);
    expect(renewed.json.accessTokenExpiresAt).toBeGreaterThan(expiresBefore);
    expect(h.fake.calls('api_authorizer_token')).toBe(1);
    // The contract's short form, the authorizer named alone: the same renewal, its component found.
    h.clock.advance(60_000);
    const alone = await post('/admin/authorizers/wx_shop_1/renew');
    expect(alone.status).toBe(200);
    expect(alone.json.accessTokenExpiresAt).toBeGreaterThan(renewed.json.accessTokenExpiresAt as number);
    expect(h.fake.calls('api_authorizer_token')).toBe(2);
    expect((await get('/admin/authorizers/wx_shop_1')).json.authorizer).toMatchObject({ status: 'active' });
    expect((await get('/admin/authorizers/wx_nobody_here')).status).toBe(404);
    expect((await get('/admin/authorizers/wx_shop_1?componentAppId=a&componentAppId=b')).status).toBe(400);
    const accessToken = await h.tokens.getAuthorizerAccessToken('wx_shop_1', { componentAppId: A });
    expect(h.fake.isAuthorizerTokenValid(accessToken)).toBe(true);
    refreshTokens.push(accessToken, h.fake.authorizerState(A, 'wx_shop_1')?.refreshToken);

    const link = await post(`/admin/components/${A}/authorization-link`, { bizAppId: 'wx_shop_1', authType: 2 });
    expect(link.status).toBe(200);
    expect(link.json.url).toBe(`${h.routesUrl}/${A}/authorize?auth_type=2&biz_appid=wx_shop_1`);
    expect(link.json.qrSvg).toMatch(/^<svg[\s\S]*<\/svg>$/);
    // The link works: it leads to the platform's page with a fresh pre-auth code.
    const page = await fetch(link.json.url, { redirect: 'manual' });
    expect(page.status).toBe(302);

    const revoked = await post(`/admin/components/${A}/authorizers/wx_shop_1/revoke`);
    expect(revoked.status).toBe(200);
    expect(revoked.json.status).toBe('revoked');
    const again = await post(`/admin/components/${A}/authorizers/wx_shop_1/revoke`);
    expect(again.status).toBe(200);
    expect(again.json).toEqual(revoked.json);
    await expect(h.tokens.getAuthorizerAccessToken('wx_shop_1')).rejects.toMatchObject({ code: 'AUTHORIZER_REVOKED' });
    const renewRevoked = await post(`/admin/components/${A}/authorizers/wx_shop_1/renew`);
    expect(renewRevoked.status).toBe(403);

    const sync = await post(`/admin/components/${A}/sync`);
    expect(sync.status).toBe(200);
    expect(sync.json).toMatchObject({ total: 1 });

    const admin = events.filter((e): e is AdminActionEvent => e.type === 'admin.action');
    expect(admin.map((e) => [e.action, e.actor, e.outcome, e.changed])).toEqual([
      ['renew', USER, 'ok', true],
      ['renew', USER, 'ok', true],
      ['authorization_link', USER, 'ok', false],
      ['mark_revoked', USER, 'ok', true],
      ['mark_revoked', USER, 'ok', false],
      ['renew', USER, 'failed', undefined],
      ['sync', USER, 'ok', expect.any(Boolean)],
    ]);

    const detail = await get(`/admin/components/${A}/authorizers/wx_shop_1`);
    const kinds = (detail.json.history as Array<{ kind: string }>).map((e) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(['authorized', 'refreshed', 'admin']));
    expect(kinds.indexOf('authorized')).toBeLessThan(kinds.indexOf('refreshed'));

    // No credential the emulator issued (or the app was configured with) in any answer.
    const credentials = [
      COMPONENT_A.appSecret,
      COMPONENT_B.appSecret,
      COMPONENT_A.encodingAesKey,
      await h.tokens.getComponentAccessToken(A),
      ...h.fake.businessCalls().map((c) => c.token),
      ...h.fake.authorizationPushes().map((p) => p.authorizationCode),
      h.fake.authorizerState(A, 'wx_shop_1')?.refreshToken,
      ...refreshTokens,
    ].filter((c): c is string => typeof c === 'string' && c.length >= 8);
    expect(credentials.length).toBeGreaterThan(3);
    for (const answer of answers) {
      const all = answer.text + JSON.stringify([...answer.headers.entries()]);
      for (const credential of credentials) expect(all).not.toContain(credential);
    }
  });

  it('refuses cross-site and header-less actions (403) and changes nothing', async () => {
    h = await start();
    await h.fake.pushTicket(h.eventsUrl(), A);
    await merchantAuthorizes(h, 'wx_shop_1');
    const url = `${h.routesUrl}/admin/components/${A}/authorizers/wx_shop_1/revoke`;
    const attempts: Array<Record<string, string>> = [
      { authorization: auth() }, // no custom header: a plain form post
      { authorization: auth(), 'x-requested-with': 'fetch', origin: 'https://evil.example' },
      { authorization: auth(), 'x-requested-with': 'fetch', origin: 'null' },
      { authorization: auth(), 'x-requested-with': 'fetch', 'sec-fetch-site': 'cross-site' },
      { authorization: auth(), 'x-requested-with': 'fetch', 'sec-fetch-site': 'same-site' },
    ];
    for (const headers of attempts) {
      const a = await call(url, { method: 'POST', headers });
      expect(a.status).toBe(403);
      expectSecurityHeaders(a);
    }
    const same = new URL(h.url).host;
    expect((await h.tokens.getAuthorizer('wx_shop_1', A))?.status).toBe('active');
    const ok = await call(url, {
      method: 'POST',
      headers: {
        authorization: auth(),
        'x-requested-with': 'fetch',
        origin: `http://${same}`,
        'sec-fetch-site': 'same-origin',
      },
    });
    expect(ok.status).toBe(200);
    expect((await h.tokens.getAuthorizer('wx_shop_1', A))?.status).toBe('revoked');
  });
});

describe('admin API: basic-auth lockout', () => {
  it('locks a client out after maxFailures, even with the right password, until lockoutMs passed', async () => {
    h = await startHarness({
      options: {
        admin: { enabled: true, basicAuth: { username: USER, passwordHash, maxFailures: 3, lockoutMs: 60_000 } },
      },
    });
    const url = `${h.routesUrl}/admin/components`;
    expect((await call(url, { headers: { authorization: auth() } })).status).toBe(200);
    for (let i = 0; i < 3; i++)
      expect((await call(url, { headers: { authorization: auth(USER, `x${i}`) } })).status).toBe(401);
    expect((await call(url, { headers: { authorization: auth() } })).status).toBe(429);
    h.clock.advance(59_000);
    expect((await call(url, { headers: { authorization: auth() } })).status).toBe(429);
    h.clock.advance(2_000);
    expect((await call(url, { headers: { authorization: auth() } })).status).toBe(200);
  });
});

describe('admin API: the app guard', () => {
  @Injectable()
  class HeaderGuard implements CanActivate {
    canActivate(context: ExecutionContext): boolean {
      const req = context.switchToHttp().getRequest<{ headers: Record<string, string>; user?: unknown }>();
      if (req.headers['x-test-user'] !== 'alice') return false;
      req.user = { username: 'alice' };
      return true;
    }
  }

  it.each(ADAPTERS)('on %s: refused (403) unless the guard allows; the actor is the guard user', async (adapter) => {
    h = await startHarness({ adapter, options: { admin: { enabled: true, guard: HeaderGuard } } });
    const events: OpenPlatformEvent[] = [];
    h.app.get(OpenPlatformEvents).events$.subscribe((e) => events.push(e));
    for (const [method, path] of ROUTES) {
      const a = await call(`${h.routesUrl}${path}`, { method, headers: { 'x-requested-with': 'fetch' } });
      expect([path, a.status]).toEqual([path, 403]);
    }
    const link = await call(`${h.routesUrl}/admin/components/${A}/authorization-link`, {
      method: 'POST',
      headers: { 'x-requested-with': 'fetch', 'x-test-user': 'alice' },
    });
    expect(link.status).toBe(200);
    expect(events.find((e) => e.type === 'admin.action')).toMatchObject({
      actor: 'alice',
      action: 'authorization_link',
    });
  });
});

describe('admin API: pagination and hostile input over a few thousand records', () => {
  const COUNT = 3000;
  const record = (i: number, componentAppId = A) => ({
    componentAppId,
    authorizerAppId: `wx_m${String(i).padStart(5, '0')}`,
    platform: 'wechat',
    status: i % 10 === 0 ? 'revoked' : 'active',
    permissions: [1],
    authorizedAt: 1_700_000_000_000 + i,
    updatedAt: 1_700_000_000_000 + i,
    ...(i % 10 === 0 ? {} : { refreshToken: `refresh-secret-${i}-must-not-leak` }),
  });

  async function seeded(): Promise<{ h: Harness; durable: MemoryDurableStore }> {
    const durable = new MemoryDurableStore();
    for (let i = 0; i < COUNT; i++) {
      const r = record(i, i % 3 === 0 ? COMPONENT_B.appId : A);
      await durable.set(StoreKeys.authorizer('wechat', r.componentAppId, r.authorizerAppId), r);
    }
    const harness = await adminStart({ options: { storage: { durable } } });
    return { h: harness, durable };
  }

  async function page(
    url: string,
  ): Promise<{ items: Array<{ componentAppId: string; authorizerAppId: string }>; nextCursor?: string }> {
    const a = await call(url, { headers: { authorization: auth() } });
    expect(a.status).toBe(200);
    return a.json;
  }

  it('a cursor walk answers every record once, in order, while records are written between pages', async () => {
    const seed = await seeded();
    h = seed.h;
    const seen: string[] = [];
    let cursor: string | undefined;
    let written = 0;
    for (let pages = 0; pages < 100; pages++) {
      const p = await page(`${h.routesUrl}/admin/authorizers?limit=200${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...p.items.map((i) => `${i.componentAppId}/${i.authorizerAppId}`));
      // Concurrent writers: new records before and after the cursor, and an update of a seen one.
      const extra = record(COUNT + written++);
      await seed.durable.set(StoreKeys.authorizer('wechat', A, `wx_a${written}`), {
        ...extra,
        authorizerAppId: `wx_a${written}`,
      });
      await seed.durable.set(StoreKeys.authorizer('wechat', A, `wx_z${written}`), {
        ...extra,
        authorizerAppId: `wx_z${written}`,
      });
      cursor = p.nextCursor;
      if (!cursor) break;
    }
    const original = Array.from({ length: COUNT }, (_, i) => {
      const r = record(i, i % 3 === 0 ? COMPONENT_B.appId : A);
      return `${r.componentAppId}/${r.authorizerAppId}`;
    });
    expect(new Set(seen).size).toBe(seen.length); // never twice
    for (const id of original) expect(seen).toContain(id);
    // Order: component A's records, then B's, each by appid.
    const aPart = seen.filter((s) => s.startsWith(`${A}/`));
    expect(seen.slice(0, aPart.length)).toEqual(aPart);
    expect([...aPart].sort()).toEqual(aPart);
    for (const answer of answers) expect(answer.text).not.toContain('refresh-secret');
  });

  it('filters: status, component, platform, appid prefix, expiring, last renewal failed', async () => {
    const seed = await seeded();
    h = seed.h;
    const all = async (query: string) => {
      const ids: string[] = [];
      let cursor: string | undefined;
      do {
        const p = await page(
          `${h!.routesUrl}/admin/authorizers?limit=200&${query}${cursor ? `&cursor=${cursor}` : ''}`,
        );
        ids.push(...p.items.map((i) => i.authorizerAppId));
        cursor = p.nextCursor;
      } while (cursor);
      return ids;
    };
    expect((await all('status=revoked')).length).toBe(COUNT / 10);
    expect((await all(`component=${COMPONENT_B.appId}`)).length).toBe(COUNT / 3);
    expect((await all('platform=douyin')).length).toBe(0);
    // Component A's matches first, then B's (i % 3 === 0), each in appid order.
    const prefixed = Array.from({ length: 10 }, (_, i) => 120 + i);
    expect(await all('appIdPrefix=wx_m0012')).toEqual(
      [...prefixed.filter((i) => i % 3 !== 0), ...prefixed.filter((i) => i % 3 === 0)].map((i) => `wx_m00${i}`),
    );
    expect(await all('expiringWithinMinutes=120')).toEqual([]); // no token cached for seeded records
    expect(await all('lastRenewalFailed=true')).toEqual([]);
  });

  it('hostile input: 4xx and nothing changed', async () => {
    const seed = await seeded();
    h = seed.h;
    const snapshot = async () =>
      JSON.stringify(
        await Promise.all((await seed.durable.keys('')).sort().map(async (k) => [k, await seed.durable.get(k)])),
      );
    const before = await snapshot();
    const base = h.routesUrl;
    const queries = [
      "status=active' OR '1'='1",
      'status=active&status=revoked',
      'status[$ne]=x',
      'component=__proto__',
      'component=wx_unknown',
      'appIdPrefix=../',
      'appIdPrefix=%00',
      'appIdPrefix=' + 'a'.repeat(40),
      'limit=0',
      'limit=100000',
      'limit=1e3',
      'expiringWithinMinutes=-1',
      'lastRenewalFailed=yes',
      'cursor=not a cursor',
      `cursor=${Buffer.from('wx_unknown\nwx_m1').toString('base64url')}`,
      `cursor=${Buffer.from('x\ny\nz').toString('base64url')}`,
      'unknown=1',
      'appIdPrefix=' + 'a'.repeat(3000),
    ];
    for (const q of queries) {
      const a = await call(`${base}/admin/authorizers?${q}`, { headers: { authorization: auth() } });
      expect([q, a.status >= 400 && a.status < 500]).toEqual([q, true]);
    }
    const post = (path: string, body?: string) =>
      call(`${base}${path}`, {
        method: 'POST',
        headers: { ...ACTION, authorization: auth(), ...(body ? JSON_BODY : {}) },
        ...(body ? { body } : {}),
      });
    const hostileActions: Array<[string, string?]> = [
      [`/admin/components/${A}/authorizers/wx_m1'%20OR%201=1/revoke`],
      [`/admin/components/${A}/authorizers/__proto__/revoke`],
      [`/admin/components/${A}/authorizers/${'a'.repeat(100)}/renew`],
      [`/admin/authorizers/${'a'.repeat(100)}/renew`],
      ['/admin/authorizers/__proto__/revoke'],
      ['/admin/authorizers/wx_nobody/revoke'],
      ['/admin/authorizers/wx_m00001/renew?componentAppId=wx_unknown'],
      [`/admin/components/wx_unknown/authorizers/wx_m00001/revoke`],
      [`/admin/components/${A}/authorizers/wx_nobody/revoke`],
      [`/admin/components/%3Cscript%3E/sync`],
      [`/admin/components/${A}/authorization-link`, JSON.stringify({ bizAppId: '<script>alert(1)</script>' })],
      [`/admin/components/${A}/authorization-link`, JSON.stringify({ authType: '1; drop' })],
      [`/admin/components/${A}/authorization-link`, JSON.stringify({ redirect: 'https://evil.example' })],
      [`/admin/components/${A}/authorization-link`, JSON.stringify([1, 2])],
      [`/admin/components/${A}/authorization-link`, '{not json'],
    ];
    for (const [path, body] of hostileActions) {
      const a = await post(path, body);
      expect([path, body, a.status >= 400 && a.status < 500]).toEqual([path, body, true]);
      expect(a.text).not.toContain('<script>');
    }
    expect(await snapshot()).toBe(before);
    expect(h.fake.calls('api_authorizer_token')).toBe(0);
  });
});
