import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { context, metrics, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  AggregationTemporality,
  MeterProvider,
  MetricReader,
  type DataPoint,
  type MetricData,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import type { AxiosInstance } from 'axios';
import { readFileSync } from 'node:fs';
import { OPEN_PLATFORM_HTTP_CLIENT } from '../lib/open-platform.constants.js';
import { Metrics, Spans, TELEMETRY_SCOPE } from '../lib/telemetry/telemetry.names.js';
import { DOUYIN_COMPONENT } from './support/douyin-harness.js';
import { COMPONENT_A } from './support/fixtures.js';
import { onboard, SHOPS, startWorld, TT_SHOP, type World } from './support/renewal-world.js';
import { signedPush } from './support/signed-push.js';

const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string })
  .version;

/** A reader collected by hand: what an exporter would get at each collection. */
class ManualReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

const spans = new InMemorySpanExporter();
const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
const reader = new ManualReader();
const meterProvider = new MeterProvider({ readers: [reader] });
const contextManager = new AsyncLocalStorageContextManager();

beforeAll(() => {
  // Registered before the app boots: the module obtains its tracer and meter at boot.
  context.setGlobalContextManager(contextManager.enable());
  trace.setGlobalTracerProvider(tracerProvider);
  metrics.setGlobalMeterProvider(meterProvider);
});
afterAll(async () => {
  trace.disable();
  metrics.disable();
  context.disable();
  await Promise.all([tracerProvider.shutdown(), meterProvider.shutdown()]);
});
beforeEach(() => spans.reset());

/** Every credential-looking value crossing the wire between the module and the emulators. */
function tapCredentials(w: World): Set<string> {
  const found = new Set<string>([
    COMPONENT_A.appSecret,
    COMPONENT_A.token,
    COMPONENT_A.encodingAesKey,
    DOUYIN_COMPONENT.appSecret,
    DOUYIN_COMPONENT.encodingAesKey,
  ]);
  const walk = (v: unknown, key = ''): void => {
    if (typeof v === 'string') {
      if (/token|ticket|code|secret|key/i.test(key) && v.length >= 6) found.add(v);
      if (v.startsWith('{'))
        try {
          walk(JSON.parse(v));
        } catch {
          /* not JSON */
        }
      return;
    }
    if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, k);
  };
  const http = w.app.get<AxiosInstance>(OPEN_PLATFORM_HTTP_CLIENT);
  http.interceptors.response.use((res) => {
    walk(res.config.params);
    walk(res.config.data);
    walk(res.config.headers);
    walk(res.data);
    return res;
  });
  return found;
}

async function collect(): Promise<MetricData[]> {
  const { resourceMetrics, errors } = await reader.collect();
  expect(errors).toEqual([]);
  const scopes = resourceMetrics.scopeMetrics.filter((s) => s.scope.name === TELEMETRY_SCOPE);
  for (const s of scopes) expect(s.scope.version).toBe(VERSION);
  return scopes.flatMap((s) => s.metrics);
}

function points(all: MetricData[], name: string): DataPoint<unknown>[] {
  const m = all.find((x) => x.descriptor.name === name);
  expect(m).toBeDefined();
  return m!.dataPoints;
}

function valueOf(p: DataPoint<unknown>): number {
  const v = p.value as number | { count: number };
  return typeof v === 'number' ? v : v.count;
}

function sum(all: MetricData[], name: string, match: Record<string, unknown>): number {
  return points(all, name)
    .filter((p) => Object.entries(match).every(([k, v]) => p.attributes[k] === v))
    .reduce((n, p) => n + valueOf(p), 0);
}

const ours = () => spans.getFinishedSpans().filter((s) => s.instrumentationScope.name === TELEMETRY_SCOPE);
const named = (name: string) => ours().filter((s) => s.name === name);

async function post(url: string, push: { query: Record<string, string>; body: string }) {
  const res = await fetch(`${url}?${new URLSearchParams(push.query).toString()}`, {
    method: 'POST',
    headers: { 'content-type': 'text/xml' },
    body: push.body,
  });
  return res.status;
}

describe('telemetry through @opentelemetry/api with the real SDK (e2e against the emulators)', () => {
  it('emits every span and metric with its attributes, parented to the app span, and never a credential', async () => {
    const w = await startWorld();
    const credentials = tapCredentials(w);
    await onboard(w);

    // Upstream client spans: one per HTTP call, HTTP conventions, the route an adapter constant.
    const clients = ours().filter((s) => s.kind === SpanKind.CLIENT);
    expect(clients.length).toBeGreaterThanOrEqual(6);
    const token = clients.find((s) => s.attributes.endpoint === 'api_component_token')!;
    expect(token.name).toBe('POST /cgi-bin/component/api_component_token');
    expect(token.attributes).toMatchObject({
      'http.request.method': 'POST',
      'url.template': '/cgi-bin/component/api_component_token',
      'server.address': '127.0.0.1',
      platform: 'wechat',
      component: COMPONENT_A.appId,
    });
    expect(typeof token.attributes['server.port']).toBe('number');
    const douyinCall = clients.find((s) => s.attributes.platform === 'douyin')!;
    expect(douyinCall.attributes).toMatchObject({ component: DOUYIN_COMPONENT.appId, 'server.address': '127.0.0.1' });
    expect(String(douyinCall.attributes['url.template'])).toMatch(/^\//);

    // Pushes (2 tickets, 4 authorizations) and code exchanges, each a span of its own.
    const pushSpans = named(Spans.push);
    expect(pushSpans.map((s) => s.attributes.kind).sort()).toEqual(
      ['authorized', 'authorized', 'authorized', 'authorized', 'ticket', 'ticket'].sort(),
    );
    for (const s of pushSpans) expect(s.attributes.outcome).toBe('accepted');
    expect(named(Spans.codeExchange).length).toBe(SHOPS.length + 1);
    // The exchange's upstream call is its child.
    const exchange = named(Spans.codeExchange).find((s) => s.attributes.platform === 'wechat')!;
    const exchangeCall = clients.find((s) => s.attributes.endpoint === 'api_query_auth')!;
    expect(exchangeCall.parentSpanContext?.spanId).toBe(exchange.spanContext().spanId);

    // A business call inside the app's own request span: the renewal and its upstream call are its children.
    spans.reset();
    const app = trace.getTracer('the-app');
    await app.startActiveSpan('GET /orders', async (span) => {
      await w.tokens.getAuthorizerAccessToken(SHOPS[0], { forceRefresh: true });
      span.end();
    });
    const request = named('GET /orders')[0] ?? spans.getFinishedSpans().find((s) => s.name === 'GET /orders')!;
    const renewal = named(Spans.renewal)[0];
    expect(renewal.parentSpanContext?.spanId).toBe(request.spanContext().spanId);
    expect(renewal.spanContext().traceId).toBe(request.spanContext().traceId);
    expect(renewal.attributes).toMatchObject({
      platform: 'wechat',
      component: COMPONENT_A.appId,
      kind: 'authorizer',
      trigger: 'forced',
      outcome: 'renewed',
      'open_platform.authorizer': SHOPS[0],
    });
    const refreshCall = named('POST /cgi-bin/component/api_authorizer_token')[0];
    expect(refreshCall.parentSpanContext?.spanId).toBe(renewal.spanContext().spanId);

    // Warm hits: plain counts, read at collection.
    for (let i = 0; i < 5; i++) await w.tokens.getAuthorizerAccessToken(SHOPS[1]);
    await w.tokens.getComponentAccessToken(COMPONENT_A.appId);

    // A rotated refresh token: the platform refuses the refresh (61023), the chain is repaired from the list.
    spans.reset();
    w.wechat.rotateRefreshToken(COMPONENT_A.appId, SHOPS[2]);
    credentials.add(w.wechat.authorizerState(COMPONENT_A.appId, SHOPS[2])!.refreshToken!);
    await w.tokens.getAuthorizerAccessToken(SHOPS[2], { forceRefresh: true });
    const refused = named('POST /cgi-bin/component/api_authorizer_token').find(
      (s) => s.status.code === SpanStatusCode.ERROR,
    )!;
    expect(refused.attributes).toMatchObject({ 'open_platform.error.code': '61023', 'error.type': '61023' });
    expect(named(Spans.chainRepair)[0].attributes).toMatchObject({
      platform: 'wechat',
      strategy: 'authorizer_list',
      outcome: 'repaired',
      'open_platform.authorizer': SHOPS[2],
    });

    // A scheduler tick: renewals inside it are `scheduled`.
    spans.reset();
    w.clock.advance(7000 * 1000);
    // Every token is now inside its renewal window (200 s of 7200 s left, the margin is 300 s):
    // the gauge counts them until the tick renews them.
    const before = await collect();
    expect(sum(before, Metrics.expiring, { component: COMPONENT_A.appId, kind: 'authorizer' })).toBe(SHOPS.length);
    expect(sum(before, Metrics.expiring, { component: COMPONENT_A.appId, kind: 'component' })).toBe(1);
    expect(sum(before, Metrics.expiring, { component: DOUYIN_COMPONENT.appId, kind: 'component' })).toBe(1);
    const report = await w.tick();
    expect(report.authorizers).toBeGreaterThanOrEqual(SHOPS.length);
    const tick = named(Spans.tick)[0];
    expect(tick.attributes).toMatchObject({ authorizers: report.authorizers, failed: report.failed });
    const scheduled = named(Spans.renewal).filter((s) => s.attributes.trigger === 'scheduled');
    expect(scheduled.length).toBeGreaterThanOrEqual(SHOPS.length + 1);
    for (const s of scheduled) expect(s.spanContext().traceId).toBe(tick.spanContext().traceId);

    // A push, its exact repeat (replay), and a forged one (refused, by reason).
    const eventsUrl = `${w.url}/open-platform/${COMPONENT_A.appId}/events`;
    const nowS = Math.floor(w.clock.now() / 1000);
    const ticket = `ticket@@@telemetry-${nowS}`;
    credentials.add(ticket);
    const push = signedPush(
      `<xml><AppId><![CDATA[${COMPONENT_A.appId}]]></AppId><CreateTime>${nowS}</CreateTime><InfoType><![CDATA[component_verify_ticket]]></InfoType><ComponentVerifyTicket><![CDATA[${ticket}]]></ComponentVerifyTicket></xml>`,
      { timestamp: nowS },
    );
    expect(await post(eventsUrl, push)).toBe(200);
    expect(await post(eventsUrl, push)).toBe(200);
    const forged = { query: { ...push.query, msg_signature: '0'.repeat(40) }, body: push.body };
    expect(await post(eventsUrl, forged)).toBeGreaterThanOrEqual(400);

    const m = await collect();
    // Upstream duration by endpoint and outcome; errors by code.
    expect(
      sum(m, Metrics.upstreamDuration, { platform: 'wechat', endpoint: 'api_component_token', outcome: 'ok' }),
    ).toBeGreaterThanOrEqual(1);
    expect(sum(m, Metrics.upstreamDuration, { platform: 'douyin', outcome: 'ok' })).toBeGreaterThanOrEqual(1);
    expect(
      sum(m, Metrics.upstreamErrors, { platform: 'wechat', endpoint: 'api_authorizer_token', 'error.code': '61023' }),
    ).toBe(1);
    // Renewals by kind, trigger and outcome, and their duration.
    expect(sum(m, Metrics.renewals, { kind: 'authorizer', trigger: 'forced', outcome: 'renewed' })).toBe(2);
    expect(sum(m, Metrics.renewals, { kind: 'authorizer', trigger: 'scheduled', outcome: 'renewed' })).toBe(
      report.authorizers,
    );
    expect(sum(m, Metrics.renewals, { kind: 'component', trigger: 'on_demand', outcome: 'renewed' })).toBe(2);
    expect(sum(m, Metrics.renewalDuration, { kind: 'authorizer', trigger: 'scheduled' })).toBe(report.authorizers);
    // Lookups: the five warm hits at least, and the misses of the forced calls.
    expect(
      sum(m, Metrics.lookups, { component: COMPONENT_A.appId, kind: 'authorizer', result: 'hit' }),
    ).toBeGreaterThanOrEqual(5);
    expect(sum(m, Metrics.lookups, { component: COMPONENT_A.appId, kind: 'authorizer', result: 'miss' })).toBe(2);
    expect(
      sum(m, Metrics.lookups, { component: COMPONENT_A.appId, kind: 'component', result: 'hit' }),
    ).toBeGreaterThanOrEqual(1);
    // Pushes by kind and outcome.
    expect(sum(m, Metrics.pushes, { component: COMPONENT_A.appId, kind: 'ticket', outcome: 'accepted' })).toBe(2);
    expect(sum(m, Metrics.pushes, { kind: 'ticket', outcome: 'replay' })).toBe(1);
    expect(sum(m, Metrics.pushes, { kind: 'authorized', outcome: 'accepted' })).toBe(SHOPS.length + 1);
    expect(sum(m, Metrics.pushes, { outcome: 'refused', reason: 'SIGNATURE_MISMATCH' })).toBe(1);
    // Gauges: ticket age, authorizers by status, scheduler lag, deferred.
    // The new ticket was created at a whole second just before now; the Douyin one at onboarding, 7000 s ago.
    expect(sum(m, Metrics.ticketAge, { component: COMPONENT_A.appId })).toBe((w.clock.now() - nowS * 1000) / 1000);
    const status = await w.tokens.status(DOUYIN_COMPONENT.appId);
    expect(sum(m, Metrics.ticketAge, { component: DOUYIN_COMPONENT.appId })).toBe(
      status.components[0].ticket.ageMs! / 1000,
    );
    expect(status.components[0].ticket.ageMs).toBeGreaterThanOrEqual(7000 * 1000);
    expect(sum(m, Metrics.authorizers, { component: COMPONENT_A.appId, status: 'active' })).toBe(SHOPS.length);
    expect(sum(m, Metrics.authorizers, { component: DOUYIN_COMPONENT.appId, status: 'active' })).toBe(1);
    expect(points(m, Metrics.schedulerLag).length).toBe(2);
    expect(sum(m, Metrics.deferred, {})).toBe(0);
    // Tokens expiring within the margin: none once the tick renewed them, per component and kind.
    expect(points(m, Metrics.expiring).length).toBe(4);
    expect(sum(m, Metrics.expiring, { component: COMPONENT_A.appId, kind: 'authorizer' })).toBe(0);
    expect(sum(m, Metrics.expiring, { component: COMPONENT_A.appId, kind: 'component' })).toBe(0);
    expect(sum(m, Metrics.expiring, { component: DOUYIN_COMPONENT.appId })).toBe(0);
    const expiringUnit = m.find((x) => x.descriptor.name === Metrics.expiring)!.descriptor.unit;
    expect(expiringUnit).toBe('{token}');

    // No metric attribute names an authorizer.
    for (const metric of m)
      for (const p of metric.dataPoints)
        for (const v of Object.values(p.attributes)) expect([...SHOPS, TT_SHOP]).not.toContain(v);

    // Nothing exported carries a credential: span names, attributes, events, statuses, metric points.
    expect(credentials.size).toBeGreaterThan(10);
    const exported = JSON.stringify([
      spans.getFinishedSpans().map(describeSpan),
      m.map((x) => ({ d: x.descriptor, p: x.dataPoints.map((p) => p.attributes) })),
    ]);
    const everything = [...spansSeen, exported].join('\n');
    for (const c of credentials) expect(everything.includes(c) ? c : undefined).toBeUndefined();
  });
});

/** Every span finished in the test, kept across resets for the credential scan. */
const spansSeen: string[] = [];
const exportSpan = spans.export.bind(spans);
spans.export = (batch: ReadableSpan[], done) => {
  spansSeen.push(JSON.stringify(batch.map(describeSpan)));
  exportSpan(batch, done);
};

function describeSpan(s: ReadableSpan) {
  return { name: s.name, attributes: s.attributes, events: s.events, status: s.status, links: s.links };
}
