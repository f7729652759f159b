/** The instrumentation scope every span and metric of the module is under (with the package version). */
export const TELEMETRY_SCOPE = 'nest-open-platform';

/** Metric names (OpenTelemetry conventions: dotted, unit in `unit`, not in the name). */
export const Metrics = {
  upstreamDuration: 'open_platform.upstream.duration',
  upstreamErrors: 'open_platform.upstream.errors',
  renewals: 'open_platform.token.renewals',
  renewalDuration: 'open_platform.token.renewal.duration',
  lookups: 'open_platform.token.lookups',
  expiring: 'open_platform.token.expiring',
  pushes: 'open_platform.pushes',
  ticketAge: 'open_platform.ticket.age',
  authorizers: 'open_platform.authorizers',
  schedulerLag: 'open_platform.scheduler.lag',
  deferred: 'open_platform.scheduler.deferred',
} as const;

/** Span names other than the upstream client spans (named `{method} {url.template}`). */
export const Spans = {
  renewal: 'open_platform.token.renew',
  chainRepair: 'open_platform.chain.repair',
  codeExchange: 'open_platform.code.exchange',
  push: 'open_platform.push',
  tick: 'open_platform.scheduler.tick',
} as const;

/** Seconds: histogram buckets for platform calls and renewals (5 ms … 30 s). */
export const DURATION_BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
