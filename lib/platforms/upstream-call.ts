import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { AxiosInstance, AxiosRequestConfig } from 'axios';
import { OpenPlatformError, OpenPlatformErrorCode } from '../errors/open-platform.error.js';
import type { PlatformName } from '../options/open-platform-options.interface.js';

/**
 * Connection failures that happen before a single byte is sent: the platform cannot have
 * processed the call, so even a call that spends a single-use credential may be sent again.
 * A reset or a timeout is not among them: the request may have arrived and been processed.
 */
const NEVER_SENT_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/**
 * Agents without keep-alive, for calls that spend a single-use credential. A pooled socket the
 * platform has closed meanwhile fails the request with a reset that cannot be told from a lost
 * answer, and such a call is not sent again: on a connection of its own, that cannot happen.
 */
const freshHttpAgent = new HttpAgent({ keepAlive: false });
const freshHttpsAgent = new HttpsAgent({ keepAlive: false });

/** Options of {@link callUpstream}. */
export interface UpstreamCallOptions {
  /** Send on a new connection rather than a pooled keep-alive one (single-use calls). */
  freshConnection?: boolean;
}

/** Transport errors known not to have reached the platform (kept apart from the public error type). */
const neverSent = new WeakSet<OpenPlatformError>();

/** Whether a failed upstream call provably never reached the platform (its connection was refused). */
export function neverReachedPlatform(err: unknown): boolean {
  return err instanceof OpenPlatformError && neverSent.has(err);
}

/** Carries the "never reached the platform" mark over to an error that replaces `from`. */
export function keepDeliveryMark(from: OpenPlatformError, to: OpenPlatformError): OpenPlatformError {
  if (neverSent.has(from)) neverSent.add(to);
  return to;
}

/**
 * Sends one upstream request and returns the parsed JSON body. Transport failures, non-2xx
 * statuses and non-JSON answers become an `OpenPlatformError(TRANSPORT)`, retryable unless the
 * platform answered a 4xx other than 429. The axios error is deliberately not attached as
 * `cause`: its config carries secrets and tokens.
 *
 * The instance's `timeout` bounds the whole call, not only the wait for the first byte: an answer
 * trickling in byte by byte would otherwise keep the caller waiting past any stated bound.
 */
export async function callUpstream(
  http: AxiosInstance,
  platform: PlatformName,
  endpoint: string,
  config: AxiosRequestConfig,
  options: UpstreamCallOptions = {},
): Promise<Record<string, unknown>> {
  const timeoutMs = http.defaults.timeout;
  let status: number;
  let data: unknown;
  try {
    const res = await http.request({
      ...config,
      responseType: 'text',
      transformResponse: (d: unknown) => d,
      validateStatus: () => true,
      signal: timeoutMs ? AbortSignal.timeout(timeoutMs) : undefined,
      ...(options.freshConnection ? { httpAgent: freshHttpAgent, httpsAgent: freshHttpsAgent } : {}),
    });
    status = res.status;
    data = res.data;
  } catch (err) {
    // Already explained (the module is shutting down, say) and free of secrets.
    if (err instanceof OpenPlatformError) throw err;
    const code = (err as { code?: unknown } | undefined)?.code;
    const error = transport(platform, endpoint, describeTransportError(err), true);
    if (typeof code === 'string' && NEVER_SENT_CODES.has(code)) neverSent.add(error);
    throw error;
  }
  if (status < 200 || status >= 300)
    throw transport(platform, endpoint, `HTTP ${status}`, status >= 500 || status === 429, status);
  try {
    const parsed: unknown = JSON.parse(String(data));
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
  } catch {
    // fall through: not JSON
  }
  throw transport(platform, endpoint, 'the answer is not a JSON object', true, status);
}

function describeTransportError(err: unknown): string {
  const e = err as { code?: string; message?: string };
  if (e?.code === 'ECONNABORTED' || e?.code === 'ETIMEDOUT' || e?.code === 'ERR_CANCELED') return 'timed out';
  if (e?.code) return e.code;
  return 'request failed';
}

function transport(
  platform: PlatformName,
  endpoint: string,
  what: string,
  retryable: boolean,
  status?: number,
): OpenPlatformError {
  return new OpenPlatformError({
    platform,
    code: OpenPlatformErrorCode.TRANSPORT,
    message: `${platform} ${endpoint}: ${what}`,
    retryable,
    status,
  });
}
