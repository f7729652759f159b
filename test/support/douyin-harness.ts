import type { INestApplication } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { Clock } from '../../lib/clock/clock.js';
import {
  OpenPlatformModule,
  TokenService,
  type ComponentOptions,
  type OpenPlatformModuleOptions,
} from '../../lib/index.js';
import { FakeDouyinPlatform, type FakeDouyinPlatformOptions } from '../../lib/testing/index.js';
import { TEST_RETRY } from './fixtures.js';
import type { HttpAdapterName } from './harness.js';
import { ManualClock } from './manual-clock.js';

/** A Douyin component shared by the app under test and the emulator. */
export const DOUYIN_COMPONENT = {
  appId: 'tt_component_a',
  appSecret: 'tt-secret-must-not-leak',
  token: 'tt-token',
  encodingAesKey: 'kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR',
};

/** The module options of the Douyin component, pointed at an emulator (API V2 unless given). */
export function douyinComponent(
  fake: { baseUrl: string; authorizePageUrl: string },
  apiVersion: 'v1' | 'v2' = 'v2',
): ComponentOptions {
  return {
    platform: 'douyin',
    apiVersion,
    ...DOUYIN_COMPONENT,
    apiBaseUrl: fake.baseUrl,
    authorizePageUrl: fake.authorizePageUrl,
  };
}

export interface DouyinHarness {
  app: INestApplication;
  fake: FakeDouyinPlatform;
  clock: ManualClock;
  tokens: TokenService;
  url: string;
  eventsUrl: string;
  close(): Promise<void>;
}

/** Starts a Douyin emulator of one API generation and a Nest app running that component. */
export async function startDouyinHarness(
  apiVersion: 'v1' | 'v2',
  opts: {
    fake?: FakeDouyinPlatformOptions;
    options?: Partial<OpenPlatformModuleOptions>;
    adapter?: HttpAdapterName;
    /** Reuse an emulator and clock (several apps, restarts); the caller then stops the emulator. */
    shared?: { fake: FakeDouyinPlatform; clock: ManualClock };
    /** Extra modules the app imports (e.g. message handlers). */
    imports?: unknown[];
  } = {},
): Promise<DouyinHarness> {
  const clock = opts.shared?.clock ?? new ManualClock();
  const fake =
    opts.shared?.fake ??
    new FakeDouyinPlatform({
      apiVersion,
      components: [DOUYIN_COMPONENT],
      now: () => clock.now(),
      ...opts.fake,
    });
  if (!opts.shared) await fake.start();
  const moduleRef = await Test.createTestingModule({
    imports: [
      OpenPlatformModule.forRoot({
        components: [douyinComponent(fake, apiVersion)],
        retry: TEST_RETRY,
        ...opts.options,
      }),
      ...((opts.imports ?? []) as never[]),
    ],
  })
    .overrideProvider(Clock)
    .useValue(clock)
    .compile();
  const app =
    opts.adapter === 'fastify'
      ? moduleRef.createNestApplication(new FastifyAdapter(), { logger: false })
      : moduleRef.createNestApplication({ logger: false });
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1').replace('localhost', '127.0.0.1');
  const eventsUrl = `${url}/open-platform/${DOUYIN_COMPONENT.appId}/events`;
  fake.setEventsUrl(DOUYIN_COMPONENT.appId, eventsUrl);
  return {
    app,
    fake,
    clock,
    tokens: app.get(TokenService),
    url,
    eventsUrl,
    close: async () => {
      await app.close();
      if (!opts.shared) await fake.stop();
    },
  };
}
