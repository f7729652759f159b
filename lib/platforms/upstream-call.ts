import type { AxiosInstance, AxiosRequestConfig } from 'axios';
import { OpenPlatformError, OpenPlatformErrorCode } from '../errors/open-platform.error.js';
import type { PlatformName } from '../options/open-platform-options.interface.js';

/**
 * Sends one upstream request and returns the parsed JSON body. Transport failures, non-2xx
 * statuses and non-JSON answers become a retryable `OpenPlatformError(TRANSPORT)`. The axios error
 * is deliberately not attached as `cause`: its config carries secrets and tokens.
 */
export async function callUpstream(
  http: AxiosInstance,
  platform: PlatformName,
  endpoint: string,
  config: AxiosRequestConfig,
): Promise<Record<string, unknown>> {
  let status: number;
  let data: unknown;
  try {
    const res = await http.request({
      ...config,
      responseType: 'text',
      transformResponse: (d: unknown) => d,
      validateStatus: () => true,
    });
    status = res.status;
    data = res.data;
  } catch (err) {
    // Already explained (the module is shutting down, say) and free of secrets.
    if (err instanceof OpenPlatformError) throw err;
    throw transport(platform, endpoint, describeTransportError(err));
  }
  if (status < 200 || status >= 300) throw transport(platform, endpoint, `HTTP ${status}`);
  try {
    const parsed: unknown = JSON.parse(String(data));
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
  } catch {
    // fall through: not JSON
  }
  throw transport(platform, endpoint, 'the answer is not a JSON object');
}

function describeTransportError(err: unknown): string {
  const e = err as { code?: string; message?: string };
  if (e?.code === 'ECONNABORTED' || e?.code === 'ETIMEDOUT') return 'timed out';
  if (e?.code) return e.code;
  return 'request failed';
}

function transport(platform: PlatformName, endpoint: string, what: string): OpenPlatformError {
  return new OpenPlatformError({
    platform,
    code: OpenPlatformErrorCode.TRANSPORT,
    message: `${platform} ${endpoint}: ${what}`,
    retryable: true,
  });
}
