import { exponentialBackoffMs } from '../backoff.js';
import { OpenPlatformError, OpenPlatformErrorCode } from '../errors/open-platform.error.js';
import type { PlatformName } from '../platform-names.js';
import type { Telemetry } from '../telemetry/telemetry.service.js';
import { keepDeliveryMark, neverReachedPlatform } from './upstream-call.js';

/**
 * Whether an upstream call may be sent again after a transient failure, declared per call by its
 * adapter:
 * - `idempotent`: sending it twice does no harm (a token fetch, a list page, a new pre-auth code),
 *   so any transient failure is retried;
 * - `single_use`: it spends something the platform accepts once (an authorization code, a Douyin
 *   refresh token). An answer lost after the platform processed it cannot be told from one that
 *   never arrived, and a second send would be refused or worse (OAuth servers may revoke what the
 *   first one issued), so it is retried only when the platform provably did nothing: the connection
 *   was refused, or the platform itself answered "busy, retry".
 */
export type ResendRule = 'idempotent' | 'single_use';

/** The retry bound of upstream calls; see {@link retryBudgetMs}. */
export interface RetryPolicy {
  /** Sends of one call, the first included (1 = never retried). */
  attempts: number;
  /** The backoff cap of the first retry; doubled for each further retry. */
  baseDelayMs: number;
  /** No backoff cap exceeds this. */
  maxDelayMs: number;
}

/** One upstream call as its adapter describes it. */
export interface UpstreamCallInfo {
  platform: PlatformName;
  componentAppId: string;
  /** The endpoint's short name, as in error messages. */
  endpoint: string;
  resend: ResendRule;
  /** For the client span: the HTTP method, the path (an adapter constant, no token) and the base URL. */
  method?: string;
  route?: string;
  baseUrl?: string;
}

/** Told before each retry. */
export interface RetryNotice extends UpstreamCallInfo {
  /** The attempt that failed, from 1. */
  attempt: number;
  delayMs: number;
  error: OpenPlatformError;
}

/** The largest backoff before retry `n` (from 1): exponential, capped. */
export function backoffCapMs(policy: RetryPolicy, n: number): number {
  return exponentialBackoffMs(policy.baseDelayMs, policy.maxDelayMs, n);
}

/** The most one call can spend sleeping between its attempts. */
export function retryBudgetMs(policy: RetryPolicy): number {
  let total = 0;
  for (let n = 1; n < policy.attempts; n++) total += backoffCapMs(policy, n);
  return total;
}

/**
 * The longest one upstream call can keep its caller waiting: every attempt running into the
 * timeout, every backoff at its cap.
 */
export function worstCaseCallMs(policy: RetryPolicy, httpTimeoutMs: number): number {
  return policy.attempts * httpTimeoutMs + retryBudgetMs(policy);
}

/** Whether `err` may be retried for a call sent under `rule`. */
export function mayResend(err: unknown, rule: ResendRule): boolean {
  if (!(err instanceof OpenPlatformError) || !err.retryable || err.platform === 'library') return false;
  // A platform errcode marked retryable (-1 "busy", Douyin 40045 "generation failed, retry") is an
  // answer saying nothing was done.
  if (err.code !== OpenPlatformErrorCode.TRANSPORT) return true;
  return rule === 'idempotent' || neverReachedPlatform(err);
}

interface Sleeper {
  timer: NodeJS.Timeout;
  wake: () => void;
}

/**
 * Runs upstream calls with bounded retries: exponential backoff with full jitter (a random delay
 * between 0 and the cap, so many callers failing together do not come back together), only for
 * failures the call's {@link ResendRule} allows. The error of the last attempt is thrown; its
 * message says how many attempts were made, or why a single-use call was not sent again.
 */
export class UpstreamRetry {
  private readonly sleepers = new Set<Sleeper>();
  private stopped = false;

  constructor(
    readonly policy: RetryPolicy,
    private readonly onRetry?: (notice: RetryNotice) => void,
    private readonly random: () => number = Math.random,
    private readonly telemetry?: Telemetry,
  ) {}

  /** No retries: for adapters built outside the module (specs). */
  static none(): UpstreamRetry {
    return new UpstreamRetry({ attempts: 1, baseDelayMs: 0, maxDelayMs: 0 });
  }

  async run<T>(call: UpstreamCallInfo, attempt: () => Promise<T>): Promise<T> {
    for (let n = 1; ; n++) {
      try {
        // One client span per HTTP call sent (a resend is a span of its own, as the conventions say).
        return await (this.telemetry ? this.telemetry.upstream(call, n, attempt) : attempt());
      } catch (err) {
        if (this.stopped || n >= this.policy.attempts || !mayResend(err, call.resend)) throw gaveUp(err, call, n);
        const delayMs = Math.floor(this.random() * backoffCapMs(this.policy, n));
        this.onRetry?.({ ...call, attempt: n, delayMs, error: err as OpenPlatformError });
        await this.sleep(delayMs);
        if (this.stopped) throw gaveUp(err, call, n);
      }
    }
  }

  /** Wakes every call sleeping between attempts and stops retrying (the app is shutting down). */
  stop(): void {
    this.stopped = true;
    for (const s of this.sleepers) {
      clearTimeout(s.timer);
      s.wake();
    }
    this.sleepers.clear();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const sleeper: Sleeper = {
        wake: resolve,
        timer: setTimeout(() => {
          this.sleepers.delete(sleeper);
          resolve();
        }, ms),
      };
      this.sleepers.add(sleeper);
    });
  }
}

/** The error a call ends with, its message saying what retrying did (or why it was not tried). */
function gaveUp(err: unknown, call: UpstreamCallInfo, attempts: number): unknown {
  if (!(err instanceof OpenPlatformError) || err.platform === 'library') return err;
  let note: string | undefined;
  if (attempts > 1) note = `gave up after ${attempts} attempts`;
  else if (err.retryable && call.resend === 'single_use' && !mayResend(err, 'single_use'))
    note = 'not sent again: the platform may have processed it, and what it spends works once';
  if (!note) return err;
  const replaced = new OpenPlatformError({
    platform: err.platform,
    code: err.code,
    message: `${err.message} (${note})`,
    retryable: err.retryable,
    status: err.status,
    method: err.method,
    url: err.url,
    response: err.response,
  });
  return keepDeliveryMark(err, replaced);
}
