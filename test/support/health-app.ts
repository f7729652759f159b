// The app, emulators and checks shared by the health e2e suites.
import { expect } from '@jest/globals';
import { Controller, Get, type INestApplication } from '@nestjs/common';
import { HealthCheck, HealthCheckService, TerminusModule } from '@nestjs/terminus';
import { Test } from '@nestjs/testing';
import { Clock } from '../../lib/clock/clock.js';
import {
  OpenPlatformHealthIndicator,
  OpenPlatformModule,
  TokenCache,
  TokenService,
  type OpenPlatformHealth,
} from '../../lib/index.js';
import { StoreKeys } from '../../lib/store/store-keys.js';
import { FakeDouyinPlatform, FakeWeChatPlatform } from '../../lib/testing/index.js';
import { CapturingLogger } from './capturing-logger.js';
import { DOUYIN_COMPONENT } from './douyin-harness.js';
import { COMPONENT_A, TEST_RETRY, wechatComponent } from './fixtures.js';
import { ManualClock } from './manual-clock.js';

export const WX = COMPONENT_A.appId;
export const TT = DOUYIN_COMPONENT.appId;

/** What terminus logs when a check fails (its `logger` option takes a class). */
export class TerminusLog extends CapturingLogger {
  static readonly all: string[] = [];
  override error(message: unknown): void {
    TerminusLog.all.push(String(message));
  }
}

@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly openPlatform: OpenPlatformHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  check() {
    return this.health.check([() => this.openPlatform.isHealthy('open-platform')]);
  }
}

export interface App {
  app: INestApplication;
  url: string;
  wechat: FakeWeChatPlatform;
  douyin: FakeDouyinPlatform;
  clock: ManualClock;
  tokens: TokenService;
  indicator: OpenPlatformHealthIndicator;
  /** Authorizers of either component whose credentials must never show. */
  merchants: Set<string>;
  events(appId: string): string;
  close(): Promise<void>;
}

/** One app running a WeChat and a Douyin component against both emulators, with or without terminus. */
export async function startApp(opts: { terminus: boolean }): Promise<App> {
  // On a whole second: pushes carry their creation time in seconds, so ticket ages come out exact.
  const clock = new ManualClock(Math.floor(Date.now() / 1000) * 1000);
  const wechat = new FakeWeChatPlatform({ components: [COMPONENT_A], now: () => clock.now() });
  const douyin = new FakeDouyinPlatform({ apiVersion: 'v2', components: [DOUYIN_COMPONENT], now: () => clock.now() });
  await Promise.all([wechat.start(), douyin.start()]);
  const moduleRef = await Test.createTestingModule({
    imports: [
      OpenPlatformModule.forRoot({
        components: [
          wechatComponent(COMPONENT_A, wechat.baseUrl),
          {
            platform: 'douyin',
            ...DOUYIN_COMPONENT,
            apiBaseUrl: douyin.baseUrl,
            authorizePageUrl: douyin.authorizePageUrl,
          },
        ],
        retry: TEST_RETRY,
      }),
      ...(opts.terminus ? [TerminusModule.forRoot({ logger: TerminusLog })] : []),
    ],
    controllers: opts.terminus ? [HealthController] : [],
  })
    .overrideProvider(Clock)
    .useValue(clock)
    .compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1').replace('localhost', '127.0.0.1');
  const events = (appId: string) => `${url}/open-platform/${appId}/events`;
  wechat.setEventsUrl(WX, events(WX));
  douyin.setEventsUrl(TT, events(TT));
  return {
    app,
    url,
    wechat,
    douyin,
    clock,
    tokens: app.get(TokenService),
    indicator: app.get(OpenPlatformHealthIndicator),
    merchants: new Set(),
    events,
    close: async () => {
      await Promise.all([wechat.settle(), douyin.settle()]);
      await app.close();
      await Promise.all([wechat.stop(), douyin.stop()]);
    },
  };
}

/**
 * Every credential in play: the configured secrets, the latest tickets, the refresh and access
 * tokens the emulators hold for the merchants, and every token the app has cached (read from its
 * token cache, so tokens obtained by health checks are included).
 */
export async function secrets(a: App): Promise<string[]> {
  const cache = a.app.get(TokenCache);
  const cached = async (key: string) => (await cache.get<{ accessToken: string }>(key))?.accessToken;
  const merchants = [...a.merchants];
  return [
    COMPONENT_A.appSecret,
    COMPONENT_A.encodingAesKey,
    DOUYIN_COMPONENT.appSecret,
    DOUYIN_COMPONENT.encodingAesKey,
    a.wechat.latestTicket(WX),
    a.douyin.latestTicket(TT),
    await cached(StoreKeys.componentToken('wechat', WX)),
    await cached(StoreKeys.componentToken('douyin', TT)),
    ...merchants.flatMap((m) => [
      a.wechat.authorizerState(WX, m)?.refreshToken,
      a.douyin.authorizerState(TT, m)?.refreshToken,
      a.douyin.authorizerState(TT, m)?.accessToken,
    ]),
    ...(await Promise.all(merchants.map((m) => cached(StoreKeys.authorizerToken('wechat', WX, m))))),
    ...(await Promise.all(merchants.map((m) => cached(StoreKeys.authorizerToken('douyin', TT, m))))),
  ].filter((s): s is string => typeof s === 'string' && s.length > 0);
}

/** No credential in `value` (a JSON body or any result), and no word of it is a token either emulator accepts. */
export async function expectNoSecret(a: App, value: unknown): Promise<void> {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  const known = await secrets(a);
  expect(known.length).toBeGreaterThanOrEqual(4);
  for (const secret of known) expect(text).not.toContain(secret);
  for (const word of text.split(/[\s"',:{}[\]()]+/).filter((w) => w.length >= 16)) {
    expect(a.wechat.isComponentTokenValid(word) || a.wechat.isAuthorizerTokenValid(word)).toBe(false);
    expect(a.douyin.isComponentTokenValid(word) || a.douyin.isAuthorizerTokenValid(word)).toBe(false);
  }
}

export async function pushTickets(a: App): Promise<void> {
  expect((await a.wechat.pushTicket(a.events(WX), WX)).status).toBe(200);
  expect((await a.douyin.pushTicket(a.events(TT), TT)).status).toBe(200);
}

/** What terminus answers: its HealthCheckResult, with our indicator under 'open-platform'. */
export interface HealthBody {
  status: 'ok' | 'error' | 'degraded' | 'shutting_down';
  info?: Record<string, OpenPlatformHealth>;
  error?: Record<string, OpenPlatformHealth>;
  details: Record<string, OpenPlatformHealth>;
}

export async function getHealth(a: App): Promise<{ status: number; body: HealthBody; text: string }> {
  const res = await fetch(`${a.url}/health`);
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text) as HealthBody, text };
}
