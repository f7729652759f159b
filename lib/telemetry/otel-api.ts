/** The optional peer package every instrument goes through. */
export const OTEL_API_PACKAGE = '@opentelemetry/api';

/** Attribute values the module records: strings and numbers only (never a credential). */
export type Attributes = Record<string, string | number | boolean>;

/**
 * The part of `@opentelemetry/api` the module uses, declared here (structurally) so that the
 * published typings never name the package: apps without it type-check and run unchanged.
 */
export interface OtelSpan {
  setAttribute(key: string, value: string | number | boolean): unknown;
  setStatus(status: { code: number; message?: string }): unknown;
  end(): void;
  spanContext(): { traceId: string; spanId: string };
  isRecording(): boolean;
}

export interface OtelTracer {
  startActiveSpan<F extends (span: OtelSpan) => unknown>(
    name: string,
    options: { kind?: number; attributes?: Attributes; root?: boolean },
    fn: F,
  ): ReturnType<F>;
}

export interface OtelObservableResult {
  observe(value: number, attributes?: Attributes): void;
}

export interface OtelObservable {
  addCallback(callback: (result: OtelObservableResult) => void | Promise<void>): void;
}

export interface OtelBatchResult {
  observe(observable: OtelObservable, value: number, attributes?: Attributes): void;
}

export interface OtelCounter {
  add(value: number, attributes?: Attributes): void;
}

export interface OtelHistogram {
  record(value: number, attributes?: Attributes): void;
}

interface InstrumentOptions {
  description?: string;
  unit?: string;
  advice?: { explicitBucketBoundaries?: number[] };
}

export interface OtelMeter {
  createCounter(name: string, options?: InstrumentOptions): OtelCounter;
  createHistogram(name: string, options?: InstrumentOptions): OtelHistogram;
  createObservableCounter(name: string, options?: InstrumentOptions): OtelObservable;
  createObservableGauge(name: string, options?: InstrumentOptions): OtelObservable;
  addBatchObservableCallback(
    callback: (result: OtelBatchResult) => void | Promise<void>,
    observables: OtelObservable[],
  ): void;
}

/** The module namespace of `@opentelemetry/api`, as far as it is used. */
export interface OtelApi {
  trace: {
    getTracer(name: string, version?: string): OtelTracer;
    getActiveSpan(): OtelSpan | undefined;
  };
  metrics: { getMeter(name: string, version?: string): OtelMeter };
  SpanKind: { INTERNAL: number; CLIENT: number };
  SpanStatusCode: { ERROR: number };
}

/** How the package is imported; a seam for the tests that simulate its absence. */
export type OtelImporter = (name: string) => Promise<unknown>;

const importPackage: OtelImporter = (name) => import(name);

/**
 * Loads `@opentelemetry/api` if the app has it; undefined otherwise, and then the module emits
 * nothing and every instrument call is skipped. Any other failure of the import is thrown: a
 * broken install must not silently turn observability off.
 */
export async function loadOtelApi(importer: OtelImporter = importPackage): Promise<OtelApi | undefined> {
  try {
    const loaded = (await importer(OTEL_API_PACKAGE)) as OtelApi & { default?: OtelApi };
    return loaded.trace ? loaded : loaded.default;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') return undefined;
    throw err;
  }
}
