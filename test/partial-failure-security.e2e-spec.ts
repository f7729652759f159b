import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { Body, Controller, Get, Injectable, Module, Param, Post, Query } from '@nestjs/common';
import { AxiosHeaders } from 'axios';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { firstValueFrom, map } from 'rxjs';
import { AuthorizerLocator } from '../lib/authorizers/authorizer-locator.service.js';
import { AuthorizerSyncService } from '../lib/authorizers/authorizer-sync.service.js';
import { AuthorizerTokenService } from '../lib/authorizers/authorizer-token.service.js';
import {
  AsAuthorizer,
  OpenPlatformErrorCode,
  OpenPlatformExceptionFilter,
  OpenPlatformHttpService,
  TokenService,
} from '../lib/index.js';
import { DOUYIN_COMPONENT, douyinComponent, startDouyinHarness, type DouyinHarness } from './support/douyin-harness.js';
import { FakeDouyinPlatform } from '../lib/testing/index.js';
import { COMPONENT_A } from './support/fixtures.js';
import { ADAPTERS, startHarness, type Harness } from './support/harness.js';
import { ManualClock } from './support/manual-clock.js';
import { rejection } from './support/rejection.js';

const A = COMPONENT_A.appId;
const SHOP = 'wx_sec_shop';
const SHOP_2 = 'wx_sec_shop_2';
const BASIC = '/cgi-bin/account/getaccountbasicinfo';
/** The emulator's base URL, for the controller and providers below (set by each suite). */
let fakeBaseUrl = '';

/** A loopback server that records what reaches it: a webhook, a CDN, or a private API gateway. */
class Recorder {
  readonly seen: Array<{ url: string; query: URLSearchParams; headers: IncomingHttpHeaders }> = [];
  private readonly server: Server = createServer((req, res) => {
    this.seen.push({ url: req.url!, query: new URL(req.url!, 'http://x').searchParams, headers: req.headers });
    req.resume();
    res.setHeader('content-type', 'application/json');
    res.end('{"errcode":0,"errmsg":"ok"}');
  });
  origin = '';

  async start(): Promise<this> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise<void>((r) => this.server.close(() => r()));
  }
}

/** The state kept per caller-supplied appid: none of it may grow for an appid nobody authorized. */
function kept(app: Harness['app']): { keys: number; remembered: number; misses: number } {
  // Private fields, read on purpose: these are the maps a flood of made-up appids would grow.
  const tokens: unknown = app.get(AuthorizerTokenService);
  const locator: unknown = app.get(AuthorizerLocator);
  const sync: unknown = app.get(AuthorizerSyncService);
  const { keys } = tokens as { keys: Map<string, Map<string, string>> };
  const { remembered } = locator as { remembered: Map<string, unknown> };
  const { lists } = sync as { lists: Map<string, { misses: { size: number } }> };
  return {
    keys: [...keys.values()].reduce((n, m) => n + m.size, 0),
    remembered: remembered.size,
    misses: [...lists.values()].reduce((n, l) => n + l.misses.size, 0),
  };
}

@Controller('shops')
class ShopController {
  constructor(
    private readonly http: OpenPlatformHttpService,
    private readonly tokens: TokenService,
  ) {}

  /** The README's pattern: the authorizer comes from the route. */
  @Get(':appId/basic')
  @AsAuthorizer((appId: string) => appId)
  basic(@Param('appId') _appId: string) {
    return this.http.get(`${fakeBaseUrl}${BASIC}`).pipe(map((r) => r.data as unknown));
  }

  @Get('basic')
  @AsAuthorizer((appId: string) => appId)
  basicByQuery(@Query('appId') _appId: string) {
    return this.http.get(`${fakeBaseUrl}${BASIC}`).pipe(map((r) => r.data as unknown));
  }

  @Post('basic')
  @AsAuthorizer((body: { appId?: string }) => body?.appId)
  basicByBody(@Body() _body: { appId?: string }) {
    return this.http.get(`${fakeBaseUrl}${BASIC}`).pipe(map((r) => r.data as unknown));
  }

  @Get(':appId/token')
  async token(@Param('appId') appId: string): Promise<{ ok: true }> {
    await this.tokens.getAuthorizerAccessToken(appId);
    return { ok: true };
  }

  @Get(':appId/info')
  async info(@Param('appId') appId: string): Promise<unknown> {
    return (await this.tokens.getAuthorizer(appId)) ?? { none: true };
  }
}

/** Calls an app makes inside an authorizer scope: to the platform, and to other hosts. */
@Injectable()
class ScopedCalls {
  constructor(private readonly http: OpenPlatformHttpService) {}

  @AsAuthorizer(SHOP)
  async post(url: string, config: { baseURL?: string } = {}): Promise<unknown> {
    return (await firstValueFrom(this.http.post(url, { hello: 1 }, config))).data;
  }
}

@Module({ controllers: [ShopController], providers: [ScopedCalls] })
class ShopModule {}

// Longer route parameters are refused by Fastify itself (414, maxParamLength 100); Express passes them on.
const HOSTILE: Array<[string, string]> = [
  ['100 characters', 'a'.repeat(100)],
  ['unicode', '店铺_1'],
  ['__proto__', '__proto__'],
  ['a space', 'wx shop'],
  ['too long by one (33)', 'w'.repeat(33)],
];

describe.each(ADAPTERS)('hostile authorizer appids from a route (%s, e2e)', (adapter) => {
  let h: Harness;
  let before: ReturnType<typeof kept>;
  const get = async (path: string) => {
    const res = await fetch(`${h.url}${path}`);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const upstream = () => h.fake.calls('getaccountbasicinfo') + h.fake.calls('api_get_authorizer_list');

  beforeAll(async () => {
    h = await startHarness({
      adapter,
      singleComponent: true,
      options: { isGlobal: true },
      imports: [ShopModule],
      configure: (app) => app.useGlobalFilters(new OpenPlatformExceptionFilter()),
    });
    fakeBaseUrl = h.fake.baseUrl;
    await h.fake.pushTicket(h.eventsUrl(), A);
    await h.fake.authorize({ componentAppId: A, authorizerAppId: SHOP });
    await h.fake.settle();
    expect((await get(`/shops/${SHOP}/basic`)).body).toMatchObject({ errcode: 0, appid: SHOP });
    before = kept(h.app);
  });
  afterAll(() => h?.close());
  beforeEach(() => h.fake.resetCalls());

  it.each(HOSTILE)('%s in @Param → 400 INVALID_ARGUMENT, nothing looked up, nothing kept', async (_name, appId) => {
    for (const route of ['basic', 'token', 'info']) {
      const res = await get(`/shops/${encodeURIComponent(appId)}/${route}`);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: OpenPlatformErrorCode.INVALID_ARGUMENT, platform: 'library' });
      expect(String(res.body.message)).not.toContain(appId);
    }
    expect(upstream()).toBe(0);
    expect(kept(h.app)).toEqual(before);
  });

  it('an empty or 8 KB appid (query) and a 100 KB appid (body) → 400, nothing looked up, nothing kept', async () => {
    expect((await get('/shops/basic?appId=')).status).toBe(400);
    // A query string must fit Node's 16 KiB request header.
    expect((await get(`/shops/basic?appId=${'a'.repeat(8_000)}`)).status).toBe(400);
    const res = await fetch(`${h.url}/shops/basic`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ appId: 'a'.repeat(100_000) }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: OpenPlatformErrorCode.INVALID_ARGUMENT });
    expect(upstream()).toBe(0);
    expect(kept(h.app)).toEqual(before);
  });

  it('32 characters is still an appid: unknown → 404, and no cache key is kept for it', async () => {
    const res = await get(`/shops/${'w'.repeat(32)}/basic`);
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ code: OpenPlatformErrorCode.AUTHORIZER_NOT_FOUND });
    expect(h.fake.calls('getaccountbasicinfo')).toBe(0);
    const now = kept(h.app);
    expect(now.keys).toBe(before.keys);
    expect(now.remembered).toBe(before.remembered);
  });
});

describe('hostile appids through TokenService and the interceptor (e2e)', () => {
  let h: Harness;
  let http: OpenPlatformHttpService;

  beforeAll(async () => {
    h = await startHarness({ singleComponent: true });
    http = h.app.get(OpenPlatformHttpService);
    await h.fake.pushTicket(h.eventsUrl(), A);
    await h.fake.authorize({ componentAppId: A, authorizerAppId: SHOP });
    await h.fake.settle();
    await h.tokens.getAuthorizerAccessToken(SHOP);
  });
  afterAll(() => h?.close());

  it('a 100 KB appid, on every entry point: INVALID_ARGUMENT, nothing sent, nothing kept', async () => {
    const before = kept(h.app);
    h.fake.resetCalls();
    const huge = 'a'.repeat(100_000);
    const attempts = [
      h.tokens.getAuthorizerAccessToken(huge),
      h.tokens.getAuthorizerAccessToken(huge, { componentAppId: A }),
      h.tokens.getAuthorizer(huge),
      http.axiosRef.get(`${h.fake.baseUrl}${BASIC}`, { authorizerAppId: huge }),
      http.axiosRef.get(`${h.fake.baseUrl}${BASIC}`, { authorizerAppId: '' }),
      http.axiosRef.get(`${h.fake.baseUrl}${BASIC}`, { authorizerAppId: 42 as unknown as string }),
    ];
    for (const attempt of attempts) {
      const err = await rejection(attempt);
      expect(err.code).toBe(OpenPlatformErrorCode.INVALID_ARGUMENT);
      expect(err.message.length).toBeLessThan(300);
    }
    expect(h.fake.calls('getaccountbasicinfo') + h.fake.calls('api_get_authorizer_list')).toBe(0);
    expect(kept(h.app)).toEqual(before);
  });

  it('200 distinct appids nobody authorized keep no cache key (only the bounded miss memo)', async () => {
    const before = kept(h.app);
    for (let i = 0; i < 200; i++) {
      const err = await rejection(h.tokens.getAuthorizerAccessToken(`wx_nobody_${i}`));
      expect(err.code).toBe(OpenPlatformErrorCode.AUTHORIZER_NOT_FOUND);
    }
    expect(kept(h.app).keys).toBe(before.keys);
    expect(kept(h.app).remembered).toBe(before.remembered);
    // The authorized one is still served warm.
    await expect(h.tokens.getAuthorizerAccessToken(SHOP)).resolves.toEqual(expect.any(String));
  });

  it('an unknown componentAppId that is no appid is not echoed', async () => {
    const err = await rejection(h.tokens.getAuthorizerAccessToken(SHOP, { componentAppId: `x${'\n'.repeat(50)}y` }));
    expect(err.code).toBe(OpenPlatformErrorCode.UNKNOWN_COMPONENT);
    expect(err.message).not.toContain('\n');
  });
});

describe('tokens go only to API origins (e2e)', () => {
  let h: Harness;
  let http: OpenPlatformHttpService;
  let scoped: ScopedCalls;
  let webhook: Recorder;
  let gateway: Recorder;
  const basicUrl = () => `${h.fake.baseUrl}${BASIC}`;

  beforeAll(async () => {
    webhook = await new Recorder().start();
    gateway = await new Recorder().start();
    h = await startHarness({
      singleComponent: true,
      options: { isGlobal: true },
      imports: [ShopModule],
      apiOrigins: [gateway.origin],
    });
    fakeBaseUrl = h.fake.baseUrl;
    http = h.app.get(OpenPlatformHttpService);
    scoped = h.app.get(ScopedCalls);
    await h.fake.pushTicket(h.eventsUrl(), A);
    for (const shop of [SHOP, SHOP_2]) await h.fake.authorize({ componentAppId: A, authorizerAppId: shop });
    await h.fake.settle();
  });
  afterAll(async () => {
    await h?.close();
    await webhook.stop();
    await gateway.stop();
  });
  beforeEach(() => {
    webhook.seen.length = 0;
    gateway.seen.length = 0;
  });

  const tokensIn = (r: Recorder['seen'][number]) =>
    [...r.query.keys(), ...Object.keys(r.headers)].filter((k) => /access.token|authorizer_access_token/i.test(k));

  it('inside @AsAuthorizer, a call to a webhook arrives with no token in query or headers', async () => {
    await scoped.post(`${webhook.origin}/hook?x=1`);
    await scoped.post('/hook', { baseURL: webhook.origin });
    expect(webhook.seen).toHaveLength(2);
    const token = await h.tokens.getAuthorizerAccessToken(SHOP);
    for (const r of webhook.seen) {
      expect(tokensIn(r)).toEqual([]);
      expect(JSON.stringify([r.url, r.headers])).not.toContain(token);
    }
    // The same scope still acts as the authorizer towards the platform.
    expect(await scoped.post(basicUrl())).toMatchObject({ errcode: 0, appid: SHOP });
  });

  it('an explicit authorizerAppId or componentAppId to another origin is refused: FOREIGN_ORIGIN, nothing sent', async () => {
    const tricks = [
      `${webhook.origin}/hook`,
      // user info that looks like the gateway: the request would go to the webhook
      `http://${new URL(gateway.origin).host}@${new URL(webhook.origin).host}/hook`,
    ];
    for (const url of tricks) {
      for (const config of [
        { authorizerAppId: SHOP },
        { componentAppId: A },
        { authorizerAppId: SHOP, componentAppId: A },
      ]) {
        const err = await rejection(http.axiosRef.post(url, { hello: 1 }, config));
        expect(err.code).toBe(OpenPlatformErrorCode.FOREIGN_ORIGIN);
        expect(err.retryable).toBe(false);
        expect(err.message).toContain('apiOrigins');
        expect(err.url).not.toMatch(/[?#@]/);
      }
    }
    expect(webhook.seen).toEqual([]);
    expect(gateway.seen).toEqual([]);
  });

  it("an origin in the component's apiOrigins gets the token, explicit or in scope", async () => {
    await http.axiosRef.get(`${gateway.origin}/cgi-bin/x`, { authorizerAppId: SHOP_2 });
    await scoped.post(`${gateway.origin}/cgi-bin/y`);
    expect(gateway.seen.map((r) => r.query.get('access_token'))).toEqual([
      await h.tokens.getAuthorizerAccessToken(SHOP_2),
      await h.tokens.getAuthorizerAccessToken(SHOP),
    ]);
  });

  it('an explicit authorizerAppId to the platform API host injects as before', async () => {
    const res = await http.axiosRef.get(basicUrl(), { authorizerAppId: SHOP_2 });
    expect(res.data).toMatchObject({ errcode: 0, appid: SHOP_2 });
  });

  it('one URLSearchParams shared by two authorizers: each request carries its own token, the object keeps none', async () => {
    const params = new URLSearchParams({ lang: 'zh_CN' });
    const plain = { lang: 'zh_CN' };
    for (const shared of [params, plain]) {
      const [one, two] = await Promise.all([
        http.axiosRef.get(basicUrl(), { authorizerAppId: SHOP, params: shared }),
        http.axiosRef.get(basicUrl(), { authorizerAppId: SHOP_2, params: shared }),
      ]);
      expect(one.data).toMatchObject({ errcode: 0, appid: SHOP });
      expect(two.data).toMatchObject({ errcode: 0, appid: SHOP_2 });
    }
    expect([...params.keys()]).toEqual(['lang']);
    expect(plain).toEqual({ lang: 'zh_CN' });
    // A later call without a token of its own, to another host, sends nothing of theirs.
    await firstValueFrom(http.get(`${webhook.origin}/hook`, { params }));
    expect(webhook.seen[0].url).toBe('/hook?lang=zh_CN');
  });
});

describe('Douyin v2: header injection leaves the caller’s headers alone, and only for API origins (e2e)', () => {
  let h: DouyinHarness;
  let http: OpenPlatformHttpService;
  let gateway: Recorder;
  let webhook: Recorder;
  const TT = ['tt_sec_shop', 'tt_sec_shop_2'];

  beforeAll(async () => {
    gateway = await new Recorder().start();
    webhook = await new Recorder().start();
    // The component options need the emulator's URL, known only once it runs: start it first.
    const clock = new ManualClock();
    const fake = new FakeDouyinPlatform({ apiVersion: 'v2', components: [DOUYIN_COMPONENT], now: () => clock.now() });
    await fake.start();
    h = await startDouyinHarness('v2', {
      shared: { fake, clock },
      options: { components: [{ ...douyinComponent(fake, 'v2'), apiOrigins: [gateway.origin] }] },
    });
    http = h.app.get(OpenPlatformHttpService);
    await h.fake.pushTicket(h.eventsUrl, DOUYIN_COMPONENT.appId);
    for (const shop of TT) await h.fake.authorize({ componentAppId: DOUYIN_COMPONENT.appId, authorizerAppId: shop });
    await h.fake.settle();
  });
  afterAll(async () => {
    await h?.close();
    await h?.fake.stop();
    await gateway.stop();
    await webhook.stop();
  });

  it('a headers object (plain or AxiosHeaders) shared by two authorizers keeps no token; each call has its own', async () => {
    const plain = { 'x-trace': 'shared' };
    const axiosHeaders = new AxiosHeaders({ 'x-trace': 'shared' });
    for (const headers of [plain, axiosHeaders]) {
      gateway.seen.length = 0;
      await Promise.all(
        TT.map((authorizerAppId) => http.axiosRef.get(`${gateway.origin}/api/x`, { authorizerAppId, headers })),
      );
      expect(gateway.seen.map((r) => r.headers['access-token']).sort()).toEqual(
        (await Promise.all(TT.map((t) => h.tokens.getAuthorizerAccessToken(t)))).sort(),
      );
    }
    expect(plain).toEqual({ 'x-trace': 'shared' });
    expect(axiosHeaders.toJSON()).toEqual({ 'x-trace': 'shared' });
  });

  it('an explicit authorizerAppId to another origin is refused, nothing sent', async () => {
    const err = await rejection(http.axiosRef.get(`${webhook.origin}/hook`, { authorizerAppId: TT[0] }));
    expect(err.code).toBe(OpenPlatformErrorCode.FOREIGN_ORIGIN);
    expect(webhook.seen).toEqual([]);
  });
});
