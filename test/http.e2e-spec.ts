import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { HttpModule, HttpService } from '@nestjs/axios';
import { Controller, Get, Injectable, Module, Param } from '@nestjs/common';
import { createServer, type Server } from 'node:http';
import { Readable } from 'node:stream';
import { firstValueFrom } from 'rxjs';
import { AsAuthorizer, OpenPlatformErrorCode, OpenPlatformHttpService } from '../lib/index.js';
import { REJECTED_RENEWAL_WINDOW_MS } from '../lib/tokens/rejected-renewals.js';
import { COMPONENT_A } from './support/fixtures.js';
import { startHarness, type Harness } from './support/harness.js';
import { rejection } from './support/rejection.js';

const A = COMPONENT_A.appId;
const MERCHANTS = Array.from({ length: 10 }, (_, i) => `wx_shop_${i}`);
type Basic = { errcode: number; appid?: string };

@Injectable()
class Inner {
  constructor(private readonly http: OpenPlatformHttpService) {}
  /** No decorator: relies on the caller's scope. */
  async basic(base: string): Promise<Basic> {
    return (await firstValueFrom(this.http.get<Basic>(`${base}/cgi-bin/account/getaccountbasicinfo`))).data;
  }
}

@Injectable()
class ShopService {
  constructor(
    private readonly http: OpenPlatformHttpService,
    private readonly inner: Inner,
  ) {}

  @AsAuthorizer('wx_shop_0')
  async fixed(base: string): Promise<Basic> {
    return (await firstValueFrom(this.http.get<Basic>(`${base}/cgi-bin/account/getaccountbasicinfo`))).data;
  }

  @AsAuthorizer((shop: { appId: string }) => shop.appId)
  async forShop(shop: { appId: string }, base: string): Promise<Basic[]> {
    await new Promise((r) => setTimeout(r, Math.random() * 5)); // the scope survives timers…
    const direct = await this.inner.basic(base); // …nested calls…
    await Promise.resolve();
    const later = await new Promise<Basic>((resolve, reject) =>
      setImmediate(() => void this.inner.basic(base).then(resolve, reject)),
    );
    return [direct, later];
  }

  @AsAuthorizer((shop: { appId: string }) => shop.appId)
  async explicitWins(shop: { appId: string }, base: string, other: string): Promise<Basic> {
    return (
      await firstValueFrom(
        this.http.get<Basic>(`${base}/cgi-bin/account/getaccountbasicinfo`, { authorizerAppId: other }),
      )
    ).data;
  }

  @AsAuthorizer(() => undefined)
  async nobody(): Promise<void> {}
}

@Controller('shops')
class ShopController {
  constructor(private readonly inner: Inner) {}

  @Get(':appId/basic')
  @AsAuthorizer((appId: string) => appId)
  async basic(@Param('appId') appId: string): Promise<Basic & { asked: string }> {
    return { ...(await this.inner.basic(process.env.FAKE_BASE_URL!)), asked: appId };
  }
}

@Module({ imports: [HttpModule], controllers: [ShopController], providers: [ShopService, Inner] })
class ShopModule {}

let received: Array<{ token: string; body: string; type?: string }> = [];
/**
 * A business API stand-in that checks tokens with the emulator and echoes what it got. Started
 * before the app: its origin is in the component's `apiOrigins`, so it gets tokens.
 */
const echo: Server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const token = new URL(req.url!, 'http://x').searchParams.get('access_token') ?? '';
    received.push({ token, body: Buffer.concat(chunks).toString(), type: req.headers['content-type'] });
    res.setHeader('content-type', 'application/json');
    res.end(
      JSON.stringify(
        received.length === 1
          ? { errcode: 40001, errmsg: 'invalid credential' }
          : { errcode: 0, echoed: Buffer.concat(chunks).toString() },
      ),
    );
  });
});
let echoUrl = '';

describe('OpenPlatformHttpService (e2e over loopback HTTP)', () => {
  let h: Harness;
  let http: OpenPlatformHttpService;
  let shops: ShopService;
  let base: string;
  const basicUrl = () => `${base}/cgi-bin/account/getaccountbasicinfo`;

  beforeAll(async () => {
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
    const echoOrigin = `http://127.0.0.1:${(echo.address() as { port: number }).port}`;
    echoUrl = `${echoOrigin}/echo`;
    h = await startHarness({
      singleComponent: true,
      options: { isGlobal: true },
      imports: [ShopModule],
      apiOrigins: [echoOrigin],
    });
    base = h.fake.baseUrl;
    process.env.FAKE_BASE_URL = base;
    http = h.app.get(OpenPlatformHttpService);
    shops = h.app.get(ShopService);
    await h.fake.pushTicket(h.eventsUrl(), A);
    for (const appId of MERCHANTS) await h.fake.authorize({ componentAppId: A, authorizerAppId: appId });
    await h.fake.settle();
  });
  afterAll(async () => {
    await h.close();
    await new Promise<void>((r) => echo.close(() => r()));
  });
  beforeEach(() => {
    h.fake.clearFaults();
    h.fake.resetCalls();
  });

  it('injects the token for an explicit authorizerAppId; the platform accepts it', async () => {
    const res = await firstValueFrom(http.get<Basic>(basicUrl(), { authorizerAppId: 'wx_shop_3' }));
    expect(res.data).toMatchObject({ errcode: 0, appid: 'wx_shop_3' });
    expect(h.fake.businessCalls()).toEqual([{ authorizerAppId: 'wx_shop_3', token: expect.any(String) }]);
  });

  // This request used to go out without a token and come back 41001 (access_token missing); it is
  // now refused before it is sent, and only requests to other hosts pass through untouched.
  it('refuses a request to the API host that names nobody and carries no token, before sending it', async () => {
    for (const call of [
      () => firstValueFrom(http.get<Basic>(basicUrl())),
      () => http.axiosRef.post(basicUrl(), {}),
      () => firstValueFrom(http.get<Basic>('/cgi-bin/account/getaccountbasicinfo', { baseURL: base })),
    ]) {
      const err = await rejection(call());
      expect(err).toMatchObject({ platform: 'wechat', code: OpenPlatformErrorCode.MISSING_AUTHORIZER });
      expect(err.message).toContain('authorizerAppId');
      expect(err.message).toContain('@AsAuthorizer');
      expect(err.url).toBe(basicUrl());
    }
    expect(h.fake.calls('getaccountbasicinfo')).toBe(0);
  });

  it('a request to the API host that brings its own token is sent as it is', async () => {
    const token = await h.tokens.getAuthorizerAccessToken('wx_shop_2');
    const viaParams = await firstValueFrom(http.get<Basic>(basicUrl(), { params: { access_token: token } }));
    const viaUrl = await firstValueFrom(http.get<Basic>(`${basicUrl()}?access_token=${token}`));
    for (const res of [viaParams, viaUrl]) expect(res.data).toMatchObject({ errcode: 0, appid: 'wx_shop_2' });
    expect(h.fake.calls('getaccountbasicinfo')).toBe(2);
  });

  it('an endpoint that takes no token (it takes the secret) is sent as it is', async () => {
    const res = await firstValueFrom(
      http.post<{ errcode?: number }>(`${base}/cgi-bin/component/api_component_token`, {
        component_appid: A,
        component_appsecret: 'wrong',
        component_verify_ticket: 'wrong',
      }),
    );
    expect(res.data.errcode).toBeGreaterThan(0); // the platform answered: the request went out
    expect(h.fake.calls('api_component_token')).toBe(1);
  });

  it('componentAppId alone injects the component token the platform’s way', async () => {
    const res = await firstValueFrom(
      http.post<{ total_count?: number; errcode?: number }>(
        `${base}/cgi-bin/component/api_get_authorizer_list`,
        { component_appid: A, offset: 0, count: 20 },
        { componentAppId: A },
      ),
    );
    expect(res.data.errcode ?? 0).toBe(0);
    expect(res.data.total_count).toBe(MERCHANTS.length);
  });

  it("leaves the app's own HttpService instances untouched", async () => {
    const own = h.app.get(HttpService);
    expect(own.axiosRef).not.toBe(http.axiosRef);
    const res = await firstValueFrom(own.get<Basic>(basicUrl(), { authorizerAppId: 'wx_shop_1' }));
    expect(res.data.errcode).toBe(41001);
  });

  it('@AsAuthorizer with an appid string', async () => {
    expect(await shops.fixed(base)).toMatchObject({ errcode: 0, appid: 'wx_shop_0' });
  });

  it('@AsAuthorizer with a resolver: scope survives awaits, timers and nested services', async () => {
    expect(await shops.forShop({ appId: 'wx_shop_7' }, base)).toEqual([
      expect.objectContaining({ errcode: 0, appid: 'wx_shop_7' }),
      expect.objectContaining({ errcode: 0, appid: 'wx_shop_7' }),
    ]);
  });

  it('@AsAuthorizer on a controller method, stacked with @Get', async () => {
    const res = await fetch(`${h.url}/shops/wx_shop_5/basic`);
    expect(await res.json()).toMatchObject({ errcode: 0, appid: 'wx_shop_5', asked: 'wx_shop_5' });
  });

  it('an explicit authorizerAppId wins over the context', async () => {
    expect(await shops.explicitWins({ appId: 'wx_shop_1' }, base, 'wx_shop_2')).toMatchObject({ appid: 'wx_shop_2' });
  });

  it('a resolver that returns nothing raises a clear error', async () => {
    const err = await rejection(shops.nobody());
    expect(err.code).toBe(OpenPlatformErrorCode.INVALID_ARGUMENT);
    expect(err.message).toContain('ShopService.nobody');
  });

  it('1,000 interleaved concurrent requests for 10 authorizers: each reaches the platform with its own token', async () => {
    const jobs = Array.from({ length: 1000 }, (_, i) => {
      const appId = MERCHANTS[(i * 7) % MERCHANTS.length];
      return i % 2 === 0
        ? shops.forShop({ appId }, base).then((r) => ({ appId, got: r.map((b) => b.appid) }))
        : firstValueFrom(http.get<Basic>(basicUrl(), { authorizerAppId: appId })).then((r) => ({
            appId,
            got: [r.data.appid],
          }));
    });
    const results = await Promise.all(jobs);
    for (const r of results) for (const got of r.got) expect(got).toBe(r.appId);
    const calls = h.fake.businessCalls();
    expect(calls).toHaveLength(1500);
    for (const c of calls) expect(h.fake.authorizerOfToken(c.token)).toBe(c.authorizerAppId);
    expect(h.fake.calls('api_authorizer_token')).toBe(0); // warm tokens: no upstream traffic
  });

  it('a token killed mid-run: 200 concurrent calls get 40001, one refresh, all succeed on their single retry', async () => {
    await firstValueFrom(http.get(basicUrl(), { authorizerAppId: 'wx_shop_4' })); // warm
    h.fake.killAuthorizerAccessTokens(A, 'wx_shop_4');
    h.fake.resetCalls();
    const results = await Promise.all(
      Array.from({ length: 200 }, () => firstValueFrom(http.get<Basic>(basicUrl(), { authorizerAppId: 'wx_shop_4' }))),
    );
    for (const r of results) expect(r.data).toMatchObject({ errcode: 0, appid: 'wx_shop_4' });
    expect(h.fake.calls('api_authorizer_token')).toBe(1);
    expect(h.fake.calls('getaccountbasicinfo')).toBe(400);
  });

  it('a token that keeps failing surfaces as OpenPlatformError after one retry, never a loop', async () => {
    h.fake.failNext('getaccountbasicinfo', { errcode: 40001, times: 10 });
    const err = await rejection(firstValueFrom(http.get(basicUrl(), { authorizerAppId: 'wx_shop_6' })));
    expect(err).toMatchObject({ platform: 'wechat', code: 40001 });
    expect(h.fake.calls('getaccountbasicinfo')).toBe(2);
  });

  it('42001 and 40014 are retried the same way', async () => {
    h.fake.failNext('getaccountbasicinfo', { errcode: 42001 });
    expect((await firstValueFrom(http.get<Basic>(basicUrl(), { authorizerAppId: 'wx_shop_8' }))).data).toMatchObject({
      errcode: 0,
    });
    // A new rejection, not a repeat: past the window in which a token that replaced a rejected one
    // is not replaced again (test/partial-failure-renewal.e2e-spec.ts covers the repeat).
    h.clock.advance(REJECTED_RENEWAL_WINDOW_MS);
    h.fake.failNext('getaccountbasicinfo', { errcode: 40014 });
    expect((await firstValueFrom(http.get<Basic>(basicUrl(), { authorizerAppId: 'wx_shop_8' }))).data).toMatchObject({
      errcode: 0,
    });
  });

  it('token lookup failures surface as OpenPlatformError before any request', async () => {
    const err = await rejection(firstValueFrom(http.get(basicUrl(), { authorizerAppId: 'wx_stranger' })));
    expect(err.code).toBe(OpenPlatformErrorCode.AUTHORIZER_NOT_FOUND);
    expect(h.fake.calls('getaccountbasicinfo')).toBe(0);
  });

  describe('request bodies on the retry', () => {
    beforeEach(() => {
      received = [];
      // Each test's rejection is a new one: past the window in which a token that replaced a
      // rejected one is not replaced again.
      h.clock.advance(REJECTED_RENEWAL_WINDOW_MS);
    });

    it.each([
      ['JSON object', { a: 1, b: ['x'] }, '{"a":1,"b":["x"]}'],
      ['form', new URLSearchParams({ a: '1', b: 'two words' }), 'a=1&b=two+words'],
      ['string', 'plain text body', 'plain text body'],
      ['Buffer', Buffer.from('raw bytes'), 'raw bytes'],
    ])('%s body is sent again, identical, with the new token', async (_name, data, wire) => {
      const res = await firstValueFrom(http.post<{ echoed: string }>(echoUrl, data, { authorizerAppId: 'wx_shop_9' }));
      expect(res.data.echoed).toBe(wire);
      expect(received.map((r) => r.body)).toEqual([wire, wire]);
      expect(received[0].token).not.toBe(received[1].token);
      expect(h.fake.isAuthorizerTokenValid(received[1].token)).toBe(true);
    });

    it('a request to another host that names nobody passes through untouched (no token, no check)', async () => {
      const res = await firstValueFrom(http.post<{ echoed: string }>(echoUrl, 'hello'));
      expect(res.data).toMatchObject({ errcode: 40001 }); // the stand-in's first answer: it was reached
      expect(received).toEqual([{ token: '', body: 'hello', type: expect.any(String) }]);
    });

    it('a stream body that cannot be replayed fails clearly instead of sending an empty retry', async () => {
      const err = await rejection(
        firstValueFrom(
          http.post(echoUrl, Readable.from([Buffer.from('streamed')]), {
            authorizerAppId: 'wx_shop_9',
            headers: { 'content-type': 'application/octet-stream' },
          }),
        ),
      );
      expect(err.code).toBe(OpenPlatformErrorCode.NON_REPLAYABLE_BODY);
      expect(received).toHaveLength(1);
    });
  });
});
