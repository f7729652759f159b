import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Get, Logger, Module, Param } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { OpenPlatformExceptionFilter, TokenService } from '../lib/index.js';
import { merchantAuthorizes } from './support/authorize-flow.js';
import { CapturingLogger } from './support/capturing-logger.js';
import { ATTEMPTS, COMPONENT_A } from './support/fixtures.js';
import { startHarness, type Harness } from './support/harness.js';

@Controller('shop')
class ShopController {
  constructor(private readonly tokens: TokenService) {}

  /** An app route that needs an authorizer token (and never returns it). */
  @Get('authorizer/:appId')
  async authorizer(@Param('appId') appId: string): Promise<{ ok: true }> {
    await this.tokens.getAuthorizerAccessToken(appId);
    return { ok: true };
  }

  @Get('component')
  async component(): Promise<{ ok: true }> {
    await this.tokens.getComponentAccessToken(undefined, { forceRefresh: true });
    return { ok: true };
  }
}

@Module({ controllers: [ShopController] })
class ShopModule {}

@Module({ controllers: [ShopController], providers: [{ provide: APP_FILTER, useClass: OpenPlatformExceptionFilter }] })
class ShopModuleWithAppFilter {}

const SHOP = 'wx_filter_shop';
const REVOKED = 'wx_filter_gone';

describe.each([
  ['app.useGlobalFilters(new OpenPlatformExceptionFilter())', 'global'],
  ['APP_FILTER with dependency injection', 'di'],
])('OpenPlatformExceptionFilter via %s (e2e)', (_name, how) => {
  let h: Harness;
  let logger: CapturingLogger;
  const get = async (path: string) => {
    const res = await fetch(`${h.url}${path}`);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    h = await startHarness({
      singleComponent: true,
      options: { isGlobal: true },
      imports: [how === 'di' ? ShopModuleWithAppFilter : ShopModule],
      configure: (app) => {
        if (how === 'global') app.useGlobalFilters(new OpenPlatformExceptionFilter());
      },
    });
  });

  afterAll(() => h.close());
  afterEach(() => Logger.overrideLogger(false));

  it('no ticket yet → 503 NO_TICKET, logged once (by the library, not again by Nest)', async () => {
    logger = new CapturingLogger();
    Logger.overrideLogger(logger);
    const { status, body } = await get('/shop/component');
    expect(status).toBe(503);
    expect(body).toMatchObject({ statusCode: 503, code: 'NO_TICKET', retryable: true, platform: 'wechat' });
    expect(body.message).toContain('no verify ticket');
    expect(logger.lines.filter((l) => l.message.includes('no verify ticket'))).toHaveLength(1);
    expect(
      logger.lines.filter((l) => l.context === 'ExceptionsHandler' || /Internal server error/.test(l.message)),
    ).toEqual([]);
  });

  it('unknown authorizer → 404, revoked → 403, malformed appid → 400, each with its code and no token', async () => {
    await h.fake.pushTicket(h.eventsUrl(), COMPONENT_A.appId);
    await merchantAuthorizes(h, SHOP);
    await merchantAuthorizes(h, REVOKED);
    await h.fake.revoke(COMPONENT_A.appId, REVOKED);
    const token = await h.tokens.getAuthorizerAccessToken(SHOP);

    expect(await get(`/shop/authorizer/${SHOP}`)).toEqual({ status: 200, body: { ok: true } });
    const unknown = await get('/shop/authorizer/wx_never_authorized');
    expect(unknown).toMatchObject({ status: 404, body: { statusCode: 404, code: 'AUTHORIZER_NOT_FOUND' } });
    const revoked = await get(`/shop/authorizer/${REVOKED}`);
    expect(revoked).toMatchObject({ status: 403, body: { statusCode: 403, code: 'AUTHORIZER_REVOKED' } });
    const malformed = await get('/shop/authorizer/not%20an%20appid');
    expect(malformed).toMatchObject({ status: 400, body: { statusCode: 400, code: 'INVALID_ARGUMENT' } });
    for (const answer of [unknown, revoked, malformed]) expect(JSON.stringify(answer)).not.toContain(token);
  });

  it('a busy platform (errcode -1, retryable) → 503; a refusal that a retry cannot fix → 502', async () => {
    h.fake.failNext('api_component_token', { errcode: -1, times: ATTEMPTS });
    expect(await get('/shop/component')).toMatchObject({ status: 503, body: { code: -1, retryable: true } });
    h.fake.failNext('api_component_token', { errcode: 40013 });
    expect(await get('/shop/component')).toMatchObject({ status: 502, body: { code: 40013, retryable: false } });
  });
});

describe('without the filter (e2e)', () => {
  it('Nest answers a library error with its generic 500, which is why the filter exists', async () => {
    const h = await startHarness({ singleComponent: true, options: { isGlobal: true }, imports: [ShopModule] });
    try {
      expect((await fetch(`${h.url}/shop/component`)).status).toBe(500);
    } finally {
      await h.close();
    }
  });
});
