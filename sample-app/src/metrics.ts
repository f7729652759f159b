/**
 * Prometheus metrics for the sample app, only when the app has the exporter installed
 * (`npm install @opentelemetry/api @opentelemetry/sdk-metrics @opentelemetry/exporter-prometheus`):
 * a meter provider with a Prometheus reader, registered before the Nest app is created (the
 * module creates its instruments at boot). Without the packages nothing happens.
 */
interface PrometheusPackages {
  api: { metrics: { setGlobalMeterProvider(provider: unknown): boolean } };
  sdk: { MeterProvider: new (options: { readers: unknown[] }) => unknown };
  exporter: { PrometheusExporter: new (options: { port: number; host?: string }) => unknown };
}

// Names in variables: the packages are optional, so the compiler must not resolve them.
const load = (name: string): Promise<unknown> => import(name);

async function packages(): Promise<PrometheusPackages | undefined> {
  try {
    const [api, sdk, exporter] = await Promise.all([
      load('@opentelemetry/api'),
      load('@opentelemetry/sdk-metrics'),
      load('@opentelemetry/exporter-prometheus'),
    ]);
    return { api, sdk, exporter } as PrometheusPackages;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') return undefined;
    throw err;
  }
}

/** Starts the exporter on `port` (127.0.0.1); its URL, or undefined when the packages are not installed. */
export async function startPrometheus(port: number): Promise<string | undefined> {
  const p = await packages();
  if (!p) return undefined;
  const reader = new p.exporter.PrometheusExporter({ port, host: '127.0.0.1' });
  p.api.metrics.setGlobalMeterProvider(new p.sdk.MeterProvider({ readers: [reader] }));
  return `http://127.0.0.1:${port}/metrics`;
}
