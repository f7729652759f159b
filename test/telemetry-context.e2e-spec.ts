import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { Controller, Get, Module, Param, type INestApplication, type LoggerService } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { Test } from '@nestjs/testing';
import { context, SpanKind, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import type { NextFunction, Request, Response } from 'express';
import { Clock } from '../lib/clock/clock.js';
import { OpenPlatformModule, TokenService } from '../lib/index.js';
import { FakeWeChatPlatform } from '../lib/testing/index.js';
import { Spans } from '../lib/telemetry/telemetry.names.js';
import { eventually } from './support/eventually.js';
import { COMPONENT_A, TEST_RETRY, wechatComponent } from './support/fixtures.js';
import { ManualClock } from './support/manual-clock.js';

// The app's side of tracing, as @opentelemetry/instrumentation-http does it: a server span per
// request, active while the request is handled (its handlers run in that context).
const spans = new InMemorySpanExporter();
const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
const contextManager = new AsyncLocalStorageContextManager();
const SHOP = 'wx_ctx_shop';

beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable());
  trace.setGlobalTracerProvider(tracerProvider);
});
afterAll(async () => {
  trace.disable();
  context.disable();
  await tracerProvider.shutdown();
});
beforeEach(() => spans.reset());

@Controller('orders')
class OrdersController {
  constructor(private readonly tokens: TokenService) {}

  /** A business call made inside the app's request: a renewal, so it goes upstream. */
  @Get(':shop')
  async order(@Param('shop') shop: string): Promise<{ ok: boolean }> {
    await this.tokens.getAuthorizerAccessToken(shop, { forceRefresh: true });
    return { ok: true };
  }

  /** A component token renewal, which the module logs. */
  @Get('component/renew')
  async component(): Promise<{ ok: boolean }> {
    await this.tokens.getComponentAccessToken(COMPONENT_A.appId, { forceRefresh: true });
    return { ok: true };
  }
}

/** Every line the module logs, with the trace and span active when it was logged. */
const logged: Array<{ message: string; traceId?: string; spanId?: string }> = [];
const record = (message: unknown) => {
  const active = trace.getActiveSpan()?.spanContext();
  logged.push({ message: String(message), traceId: active?.traceId, spanId: active?.spanId });
};
const correlatingLogger: LoggerService = { log: record, warn: record, error: record, debug: record, verbose: record };

function serverSpans(req: Request, res: Response, next: NextFunction): void {
  trace.getTracer('the-app').startActiveSpan(`${req.method} /orders/:shop`, { kind: SpanKind.SERVER }, (span) => {
    res.on('finish', () => span.end());
    next();
  });
}

const closing: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const close of closing.splice(0).reverse()) await close();
});

async function boot(clock: ManualClock, intervalMs: number): Promise<{ app: INestApplication; url: string }> {
  const wechat = new FakeWeChatPlatform({ components: [COMPONENT_A], now: () => clock.now() });
  await wechat.start();
  closing.push(() => wechat.stop());
  @Module({
    imports: [
      ScheduleModule.forRoot(),
      OpenPlatformModule.forRoot({
        components: [wechatComponent(COMPONENT_A, wechat.baseUrl)],
        refresh: { enabled: true, intervalMs },
        retry: TEST_RETRY,
      }),
    ],
    controllers: [OrdersController],
  })
  class AppModule {}
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
    .overrideProvider(Clock)
    .useValue(clock)
    .compile();
  const app = moduleRef.createNestApplication({ logger: correlatingLogger });
  app.use(serverSpans);
  // Booted inside a span of the app's own: the scheduler's interval is created in its context.
  await trace.getTracer('the-app').startActiveSpan('app.boot', async (span) => {
    await app.listen(0, '127.0.0.1');
    span.end();
  });
  closing.push(() => app.close());
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const events = `${url}/open-platform/${COMPONENT_A.appId}/events`;
  wechat.setEventsUrl(COMPONENT_A.appId, events);
  await wechat.pushTicket(events, COMPONENT_A.appId);
  await wechat.authorize({ componentAppId: COMPONENT_A.appId, authorizerAppId: SHOP, push: true });
  await wechat.settle();
  await eventually(
    async () => (await app.get(TokenService).getAuthorizer(SHOP))?.status === 'active',
    'the shop is onboarded',
  );
  return { app, url };
}

const named = (name: string): ReadableSpan[] => spans.getFinishedSpans().filter((s) => s.name === name);
const parentOf = (s: ReadableSpan): string | undefined => s.parentSpanContext?.spanId;

describe('trace context from the app (AsyncLocalStorageContextManager, real HTTP)', () => {
  it("makes a business call inside a traced controller a child of the app's server span", async () => {
    const { url } = await boot(new ManualClock(), 3_600_000);
    spans.reset();
    const res = await fetch(`${url}/orders/${SHOP}`);
    expect(res.status).toBe(200);
    await eventually(() => named('GET /orders/:shop').length === 1, 'the server span ended');

    const server = named('GET /orders/:shop')[0];
    expect(server.kind).toBe(SpanKind.SERVER);
    const renewal = named(Spans.renewal).find((s) => s.attributes.trigger === 'forced')!;
    expect(parentOf(renewal)).toBe(server.spanContext().spanId);
    const upstream = named('POST /cgi-bin/component/api_authorizer_token');
    expect(upstream).toHaveLength(1);
    expect(upstream[0].kind).toBe(SpanKind.CLIENT);
    expect(parentOf(upstream[0])).toBe(renewal.spanContext().spanId);
    for (const s of [renewal, upstream[0]]) expect(s.spanContext().traceId).toBe(server.spanContext().traceId);
  });

  it('logs inside the active span: a log correlation (e.g. instrumentation-pino) gets the trace id', async () => {
    const { url } = await boot(new ManualClock(), 3_600_000);
    spans.reset();
    logged.length = 0;
    expect((await fetch(`${url}/orders/component/renew`)).status).toBe(200);
    await eventually(() => named('GET /orders/:shop').length === 1, 'the server span ended');
    const server = named('GET /orders/:shop')[0];
    const renewal = named(Spans.renewal).find((s) => s.attributes.kind === 'component')!;
    const line = logged.find((l) => l.message.startsWith('component token renewed'));
    expect(line).toBeDefined();
    expect(line!.traceId).toBe(server.spanContext().traceId);
    expect(line!.spanId).toBe(renewal.spanContext().spanId);
  });

  it("runs the scheduler's timer ticks as root spans, their renewals `scheduled` children", async () => {
    const clock = new ManualClock();
    await boot(clock, 1000);
    // The boot tick ran before the onboarding; now everything is due and the interval's next tick renews it.
    clock.advance(7100 * 1000);
    spans.reset();
    const renewedByTick = () =>
      named(Spans.renewal).some((s) => s.attributes.kind === 'authorizer' && s.attributes.trigger === 'scheduled');
    await eventually(renewedByTick, 'a timer tick renewed the shop');
    await eventually(() => named(Spans.tick).length > 0, 'the tick span ended');

    const boot_ = spans.getFinishedSpans().find((s) => s.name === 'app.boot');
    expect(boot_).toBeUndefined(); // reset after boot: only the tick's spans are here
    const ticks = named(Spans.tick);
    for (const t of ticks) expect(t.parentSpanContext).toBeUndefined();
    const scheduled = named(Spans.renewal).filter((s) => s.attributes.trigger === 'scheduled');
    expect(scheduled.map((s) => s.attributes.kind).sort()).toEqual(['authorizer', 'component']);
    const tickIds = new Set(ticks.map((t) => t.spanContext().spanId));
    for (const s of scheduled) expect(tickIds.has(parentOf(s)!)).toBe(true);
    // The renewal's upstream call is the renewal's child, in the tick's trace.
    const call = named('POST /cgi-bin/component/api_authorizer_token')[0];
    const authorizerRenewal = scheduled.find((s) => s.attributes.kind === 'authorizer')!;
    expect(parentOf(call)).toBe(authorizerRenewal.spanContext().spanId);
    expect(call.spanContext().traceId).toBe(authorizerRenewal.spanContext().traceId);
  });
});
