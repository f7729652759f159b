import type { INestApplication, LoggerService } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { Clock } from '../../lib/clock/clock.js';
import { OpenPlatformModule, TokenService, type OpenPlatformModuleOptions } from '../../lib/index.js';
import { FakeWeChatPlatform } from '../../lib/testing/index.js';
import { COMPONENT_A, COMPONENT_B, TEST_RETRY, wechatComponent } from './fixtures.js';
import { ManualClock } from './manual-clock.js';

export interface Harness {
  app: INestApplication;
  fake: FakeWeChatPlatform;
  clock: ManualClock;
  tokens: TokenService;
  /** Base URL of the app, e.g. http://127.0.0.1:1234 */
  url: string;
  /** Which HTTP adapter the app runs on. */
  adapter: HttpAdapterName;
  /** URL of the module's routes: the app URL, the global prefix if any, and the route prefix. */
  routesUrl: string;
  eventsUrl(componentAppId?: string): string;
  close(): Promise<void>;
}

/** The HTTP adapters the e2e suites run on. */
export type HttpAdapterName = 'express' | 'fastify';
export const ADAPTERS: HttpAdapterName[] = ['express', 'fastify'];

export interface HarnessOptions {
  /** HTTP adapter of the app; default Express. */
  adapter?: HttpAdapterName;
  /** `app.setGlobalPrefix(…)` before listening. */
  globalPrefix?: string;
  /** Logger of the app (default: none). */
  logger?: LoggerService;
  /** Extra module options (components default to A and B on the emulator). */
  options?: Partial<OpenPlatformModuleOptions> & { isGlobal?: boolean };
  /** Nest application options (`rawBody`, `bodyParser`). */
  appOptions?: { rawBody?: boolean; bodyParser?: boolean };
  /** Configure component A only (so componentAppId may be omitted). */
  singleComponent?: boolean;
  /** `apiOrigins` of the components: loopback stand-ins for business APIs that get their tokens. */
  apiOrigins?: string[];
  /** Extra modules the app imports (e.g. EventEmitterModule.forRoot()). */
  imports?: unknown[];
  /** Runs before `listen`, e.g. to install body parsers. */
  configure?: (app: INestApplication) => void;
  /** Reuse an emulator / clock (restarts, several apps). */
  fake?: FakeWeChatPlatform;
  clock?: ManualClock;
}

/** Starts the emulator and a Nest app importing OpenPlatformModule, both on loopback. */
export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const clock = opts.clock ?? new ManualClock();
  const fake = opts.fake ?? new FakeWeChatPlatform({ components: [COMPONENT_A, COMPONENT_B], now: () => clock.now() });
  const ownFake = !opts.fake;
  if (ownFake) await fake.start();
  const component = (c: typeof COMPONENT_A) => ({
    ...wechatComponent(c, fake.baseUrl),
    ...(opts.apiOrigins && { apiOrigins: opts.apiOrigins }),
  });
  const moduleRef = await Test.createTestingModule({
    imports: [
      OpenPlatformModule.forRoot({
        components: opts.singleComponent ? [component(COMPONENT_A)] : [component(COMPONENT_A), component(COMPONENT_B)],
        retry: TEST_RETRY,
        ...opts.options,
      }),
      ...((opts.imports ?? []) as never[]),
    ],
  })
    .overrideProvider(Clock)
    .useValue(clock)
    .compile();
  const adapter = opts.adapter ?? 'express';
  const appOptions = { logger: opts.logger ?? (false as const), ...opts.appOptions };
  const app =
    adapter === 'fastify'
      ? moduleRef.createNestApplication(new FastifyAdapter(), appOptions)
      : moduleRef.createNestApplication(appOptions);
  if (opts.globalPrefix) app.setGlobalPrefix(opts.globalPrefix);
  opts.configure?.(app);
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1').replace('localhost', '127.0.0.1');
  const routesUrl = [url, opts.globalPrefix, opts.options?.routePrefix ?? 'open-platform'].filter(Boolean).join('/');
  // Like the platform's configured authorization-event URL.
  for (const c of [COMPONENT_A, COMPONENT_B]) fake.setEventsUrl(c.appId, `${routesUrl}/${c.appId}/events`);
  return {
    app,
    fake,
    clock,
    tokens: app.get(TokenService),
    url,
    adapter,
    routesUrl,
    eventsUrl: (appId = COMPONENT_A.appId) => `${routesUrl}/${appId}/events`,
    close: async () => {
      await app.close();
      if (ownFake) await fake.stop();
    },
  };
}
