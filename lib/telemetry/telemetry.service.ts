import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { OpenPlatformError } from '../errors/open-platform.error.js';
import { newTally, type LookupTally } from './lookup-tally.js';
import {
  loadOtelApi,
  type Attributes,
  type OtelApi,
  type OtelCounter,
  type OtelHistogram,
  type OtelImporter,
  type OtelMeter,
  type OtelSpan,
  type OtelTracer,
} from './otel-api.js';
import type { StateSnapshot } from './state-snapshot.js';
import { DURATION_BUCKETS_S, Metrics, Spans, TELEMETRY_SCOPE } from './telemetry.names.js';

/** A component as telemetry names it: its platform and appid (bounded: the configured components). */
export interface TelemetrySubject {
  platform: string;
  appId: string;
}

/** One upstream HTTP call as its adapter describes it (never its URL, query or headers). */
export interface UpstreamCallLabels {
  platform: string;
  componentAppId: string;
  /** The endpoint's short name, e.g. `component token`. */
  endpoint: string;
  method?: string;
  /** The path, a constant of the adapter (never carries a token): the `url.template`. */
  route?: string;
  /** The component's API base URL (scheme, host, port). */
  baseUrl?: string;
}

export type TokenKind = 'component' | 'authorizer';
export type RenewalTrigger = 'scheduled' | 'on_demand' | 'forced';

/** Instruments created once at boot; absent when `@opentelemetry/api` is not installed. */
interface Instruments {
  tracer: OtelTracer;
  activeSpan: () => OtelSpan | undefined;
  meter: OtelMeter;
  clientKind: number;
  internalKind: number;
  errorStatus: number;
  upstreamDuration: OtelHistogram;
  upstreamErrors: OtelCounter;
  renewals: OtelCounter;
  renewalDuration: OtelHistogram;
  pushes: OtelCounter;
}

function packageVersion(): string {
  try {
    // lib/telemetry and dist/telemetry both sit two levels below the package root.
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * The module's traces and metrics, through `@opentelemetry/api` only: with no SDK registered in
 * the app every instrument is the API's no-op; without the package installed nothing is even
 * called. Attributes are bounded (platform, component, endpoint, kind, outcome, error code):
 * never an authorizer appid on a metric, never a URL, query, header or credential anywhere.
 */
export class Telemetry {
  /**
   * The spans of running ticks: a renewal whose active span is one of them was started by the
   * tick (`scheduled`). The SDK's context tells, so the module adds no AsyncLocalStorage of its own
   * (on Node 20 one would put promise hooks on every await of the app).
   */
  private readonly ticks = new WeakSet<object>();
  private readonly tallies = new Map<unknown, LookupTally>();
  private lastSubject: TelemetrySubject | undefined;
  private lastTally: LookupTally | undefined;
  private readonly servers = new Map<string, { address: string; port: number | undefined }>();

  private constructor(private readonly i: Instruments | undefined) {}

  /** Loads the API (when installed) and creates every instrument once. */
  static async create(importer?: OtelImporter): Promise<Telemetry> {
    return Telemetry.from(await loadOtelApi(importer));
  }

  /** Telemetry over a loaded API, or the silent one for `undefined`. */
  static from(api: OtelApi | undefined): Telemetry {
    if (!api) return new Telemetry(undefined);
    const version = packageVersion();
    const tracer = api.trace.getTracer(TELEMETRY_SCOPE, version);
    const meter = api.metrics.getMeter(TELEMETRY_SCOPE, version);
    const seconds = { unit: 's', advice: { explicitBucketBoundaries: DURATION_BUCKETS_S } };
    return new Telemetry({
      tracer,
      activeSpan: () => api.trace.getActiveSpan(),
      meter,
      clientKind: api.SpanKind.CLIENT,
      internalKind: api.SpanKind.INTERNAL,
      errorStatus: api.SpanStatusCode.ERROR,
      upstreamDuration: meter.createHistogram(Metrics.upstreamDuration, {
        ...seconds,
        description: 'Duration of each HTTP call to the platform (each resend counted apart)',
      }),
      upstreamErrors: meter.createCounter(Metrics.upstreamErrors, {
        unit: '{error}',
        description: 'Platform calls that failed, by error code (platform errcode, or TRANSPORT)',
      }),
      renewals: meter.createCounter(Metrics.renewals, {
        unit: '{renewal}',
        description: 'Token renewals, by token kind, trigger and outcome',
      }),
      renewalDuration: meter.createHistogram(Metrics.renewalDuration, {
        ...seconds,
        description: 'Duration of token renewals (lock wait included)',
      }),
      pushes: meter.createCounter(Metrics.pushes, {
        unit: '{push}',
        description: 'Pushes received on the events route, by kind and outcome',
      }),
    });
  }

  /** Whether `@opentelemetry/api` is installed (spans and metrics go to whatever SDK the app registered). */
  get enabled(): boolean {
    return this.i !== undefined;
  }

  /** The lookup counts of a component (created at boot for every configured one). */
  tally(component: TelemetrySubject): LookupTally {
    // The warm hit asks for the same component's tally call after call: one identity test, no lookup.
    if (component === this.lastSubject) return this.lastTally!;
    let t = this.tallies.get(component);
    if (!t) this.tallies.set(component, (t = newTally(component.platform, component.appId)));
    this.lastSubject = component;
    this.lastTally = t;
    return t;
  }

  /**
   * Creates the lookup counter and the gauges over the configured components; `state` is read once
   * per collection (never on a caller's path).
   */
  observe(components: readonly TelemetrySubject[], state: () => Promise<StateSnapshot>): void {
    const tallies = components.map((c) => this.tally(c));
    const i = this.i;
    if (!i) return;
    const lookups = i.meter.createObservableCounter(Metrics.lookups, {
      unit: '{lookup}',
      description: 'Token lookups: hit (served from this process, no I/O) or miss (store read or renewal)',
    });
    lookups.addCallback((r) => {
      for (const t of tallies) {
        const base = { platform: t.platform, component: t.component };
        r.observe(t.authorizerHits, { ...base, kind: 'authorizer', result: 'hit' });
        r.observe(t.authorizerMisses, { ...base, kind: 'authorizer', result: 'miss' });
        r.observe(t.componentHits, { ...base, kind: 'component', result: 'hit' });
        r.observe(t.componentMisses, { ...base, kind: 'component', result: 'miss' });
      }
    });
    const ticketAge = i.meter.createObservableGauge(Metrics.ticketAge, {
      unit: 's',
      description: "Age of each component's verify ticket (since the platform created it)",
    });
    const authorizers = i.meter.createObservableGauge(Metrics.authorizers, {
      unit: '{authorizer}',
      description: 'Authorizers per component and status',
    });
    const lag = i.meter.createObservableGauge(Metrics.schedulerLag, {
      unit: 's',
      description: 'How long the oldest overdue scheduled renewal of a component has waited',
    });
    const expiring = i.meter.createObservableGauge(Metrics.expiring, {
      unit: '{token}',
      description:
        'Tokens inside their renewal window (remaining life below the margin) or expired, not renewed yet, by kind',
    });
    const deferred = i.meter.createObservableGauge(Metrics.deferred, {
      unit: '{authorizer}',
      description: 'Due authorizers the last scheduler tick left for the next one',
    });
    i.meter.addBatchObservableCallback(
      async (r) => {
        const s = await state();
        for (const c of s.components) {
          const base = { platform: c.platform, component: c.component };
          if (c.ticketAgeMs !== undefined) r.observe(ticketAge, c.ticketAgeMs / 1000, base);
          for (const [status, n] of Object.entries(c.authorizers)) r.observe(authorizers, n, { ...base, status });
          if (c.schedulerLagMs !== undefined) r.observe(lag, c.schedulerLagMs / 1000, base);
          if (c.expiring?.component !== undefined)
            r.observe(expiring, c.expiring.component, { ...base, kind: 'component' });
          if (c.expiring?.authorizer !== undefined)
            r.observe(expiring, c.expiring.authorizer, { ...base, kind: 'authorizer' });
        }
        if (s.deferred !== undefined) r.observe(deferred, s.deferred);
      },
      [ticketAge, authorizers, lag, expiring, deferred],
    );
  }

  /** A client span and the duration / error metrics of one HTTP call to the platform. */
  upstream<T>(call: UpstreamCallLabels, attempt: number, send: () => Promise<T>): Promise<T> {
    const i = this.i;
    if (!i) return send();
    const method = call.method ?? 'POST';
    const route = call.route ?? call.endpoint;
    const server = this.server(call.baseUrl);
    const labels: Attributes = { platform: call.platform, component: call.componentAppId, endpoint: call.endpoint };
    const attributes: Attributes = {
      ...labels,
      'http.request.method': method,
      'url.template': route,
      ...(server && { 'server.address': server.address }),
      ...(server?.port !== undefined && { 'server.port': server.port }),
      ...(attempt > 1 && { 'http.request.resend_count': attempt - 1 }),
    };
    return i.tracer.startActiveSpan(`${method} ${route}`, { kind: i.clientKind, attributes }, async (span) => {
      const started = performance.now();
      try {
        const result = await send();
        i.upstreamDuration.record((performance.now() - started) / 1000, { ...labels, outcome: 'ok' });
        return result;
      } catch (err) {
        const code = errorCode(err);
        const outcome = code === 'TRANSPORT' || code === 'unexpected' ? 'transport_error' : 'platform_error';
        i.upstreamDuration.record((performance.now() - started) / 1000, { ...labels, outcome });
        i.upstreamErrors.add(1, { ...labels, 'error.code': code });
        const status = (err as { status?: unknown }).status;
        if (typeof status === 'number') span.setAttribute('http.response.status_code', status);
        this.failed(span, err, code);
        throw err;
      } finally {
        span.end();
      }
    });
  }

  /**
   * A renewal span and the renewal metrics. `work` tells whether it renewed or found the token
   * renewed elsewhere meanwhile (behind the lock).
   */
  renewal<T extends { renewed: boolean }>(
    kind: TokenKind,
    subject: TelemetrySubject | undefined,
    forced: boolean,
    work: () => Promise<T>,
    authorizerAppId?: string,
  ): Promise<T> {
    const i = this.i;
    if (!i) return work();
    const active = i.activeSpan();
    const trigger: RenewalTrigger = active && this.ticks.has(active) ? 'scheduled' : forced ? 'forced' : 'on_demand';
    const labels: Attributes = {
      platform: subject?.platform ?? 'unknown',
      component: subject?.appId ?? 'unknown',
      kind,
      trigger,
    };
    // On the span only (one trace per renewal): a metric attribute would be one series per merchant.
    const attributes = authorizerAppId ? { ...labels, 'open_platform.authorizer': authorizerAppId } : labels;
    return i.tracer.startActiveSpan(Spans.renewal, { kind: i.internalKind, attributes }, async (span) => {
      const started = performance.now();
      let outcome = 'failed';
      try {
        const result = await work();
        outcome = result.renewed ? 'renewed' : 'renewed_elsewhere';
        return result;
      } catch (err) {
        this.failed(span, err, errorCode(err));
        throw err;
      } finally {
        span.setAttribute('outcome', outcome);
        i.renewals.add(1, { ...labels, outcome });
        i.renewalDuration.record((performance.now() - started) / 1000, { ...labels, outcome });
        span.end();
      }
    });
  }

  /** A span around `work` (chain repair, code exchange), its status set when it throws. */
  span<T>(name: string, attributes: Attributes, work: (span?: OtelSpan) => Promise<T>): Promise<T> {
    const i = this.i;
    if (!i) return work();
    return i.tracer.startActiveSpan(name, { kind: i.internalKind, attributes }, async (span) => {
      try {
        return await work(span);
      } catch (err) {
        this.failed(span, err, errorCode(err));
        throw err;
      } finally {
        span.end();
      }
    });
  }

  /** A span around one push handled, and its count by kind and outcome (refused: by reason). */
  push(
    component: TelemetrySubject,
    handle: (seen: { kind?: string; outcome?: 'accepted' | 'replay' }) => Promise<void>,
  ): Promise<void> {
    const i = this.i;
    const seen: { kind?: string; outcome?: 'accepted' | 'replay' } = {};
    if (!i) return handle(seen);
    const base = { platform: component.platform, component: component.appId };
    return i.tracer.startActiveSpan(Spans.push, { kind: i.internalKind, attributes: base }, async (span) => {
      const count = (outcome: string, reason?: string) => {
        const attrs: Attributes = { ...base, kind: seen.kind ?? 'unknown', outcome, ...(reason && { reason }) };
        span.setAttribute('kind', attrs.kind);
        span.setAttribute('outcome', outcome);
        if (reason) span.setAttribute('reason', reason);
        i.pushes.add(1, attrs);
      };
      try {
        await handle(seen);
        count(seen.outcome ?? 'accepted');
      } catch (err) {
        const code = errorCode(err);
        count(seen.kind === undefined ? 'refused' : 'failed', code);
        this.failed(span, err, code);
        throw err;
      } finally {
        span.end();
      }
    });
  }

  /**
   * A span around one scheduler tick; renewals started inside it count as `scheduled` (this needs
   * the SDK's context manager, as every parent-child link does). Always a root span: the interval
   * keeps the context it was created in (the app's boot, maybe inside a span of the app's own), and
   * every tick would otherwise join that one never-ending trace.
   */
  tick<T>(work: () => Promise<T>, describe: (result: T) => Attributes): Promise<T> {
    const i = this.i;
    if (!i) return work();
    return i.tracer.startActiveSpan(Spans.tick, { kind: i.internalKind, attributes: {}, root: true }, async (span) => {
      this.ticks.add(span);
      try {
        const result = await work();
        for (const [k, v] of Object.entries(describe(result))) span.setAttribute(k, v);
        return result;
      } catch (err) {
        this.failed(span, err, errorCode(err));
        throw err;
      } finally {
        this.ticks.delete(span);
        span.end();
      }
    });
  }

  private failed(span: OtelSpan, err: unknown, code: string): void {
    span.setAttribute('error.type', code);
    span.setAttribute('open_platform.error.code', code);
    // The code only: messages are redacted, but a status message is kept free of anything dynamic.
    span.setStatus({ code: this.i!.errorStatus, message: code });
  }

  private server(baseUrl: string | undefined): { address: string; port: number | undefined } | undefined {
    if (!baseUrl) return undefined;
    let s = this.servers.get(baseUrl);
    if (!s) {
      try {
        const url = new URL(baseUrl);
        s = { address: url.hostname, port: url.port ? Number(url.port) : undefined };
      } catch {
        return undefined;
      }
      if (this.servers.size < 100) this.servers.set(baseUrl, s);
    }
    return s;
  }
}

/** A bounded error code: the platform's errcode, a library code, or `unexpected`. */
function errorCode(err: unknown): string {
  return err instanceof OpenPlatformError ? String(err.code) : 'unexpected';
}

/** Telemetry that emits nothing: for parts built outside the module (specs). */
export const SILENT_TELEMETRY = Telemetry.from(undefined);
