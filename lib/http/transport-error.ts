import axios, { type AxiosError } from 'axios';
import { OpenPlatformError, OpenPlatformErrorCode, type ErrorPlatform } from '../errors/open-platform.error.js';
import { redactBody } from './redact.js';
import { reportableUrl, requestUrl } from './request-url.js';

/** What the translation knows about the failed request besides the error itself. */
export interface TransportErrorContext {
  platform: ErrorPlatform;
  /** Tokens the request carried, to be redacted from the answer's body. */
  secrets: readonly string[];
}

/**
 * Turns an axios failure into an `OpenPlatformError(TRANSPORT)` that holds nothing a credential
 * could hide in: no axios config, request or error as `cause` (the config's `params` hold the
 * token), only the method, the URL without query string, the status and a redacted body.
 */
export function transportError(err: unknown, ctx: TransportErrorContext): OpenPlatformError {
  if (!axios.isAxiosError(err) && !axios.isCancel(err)) {
    // Not from axios (a bug in an interceptor, say): report its kind only, since its message and
    // properties may quote the request.
    const kind = (err as { name?: unknown })?.name;
    return new OpenPlatformError({
      platform: ctx.platform,
      code: OpenPlatformErrorCode.TRANSPORT,
      message: `the request failed (${typeof kind === 'string' ? kind : typeof err})`,
    });
  }
  const e = err as AxiosError;
  const method = (e.config?.method ?? 'get').toUpperCase();
  const url = e.config ? reportableUrl(requestUrl(e.config)) : undefined;
  const status = e.response?.status;
  const [what, retryable] = describe(e, status);
  return new OpenPlatformError({
    platform: ctx.platform,
    code: OpenPlatformErrorCode.TRANSPORT,
    message: `${method} ${url ?? 'request'}: ${what}`,
    retryable,
    status,
    method,
    url,
    response: e.response ? { status: e.response.status, data: redactBody(e.response.data, ctx.secrets) } : undefined,
  });
}

/** What went wrong, and whether trying again later may work. */
function describe(e: AxiosError, status: number | undefined): [string, boolean] {
  if (status !== undefined && (status < 200 || status >= 300))
    return [`HTTP ${status}`, status >= 500 || status === 429];
  if (axios.isCancel(e)) return ['cancelled', false];
  if (e.code === 'ECONNABORTED' || e.code === 'ETIMEDOUT') return ['timed out', true];
  if (e.code === 'ERR_INVALID_URL' || e.code === 'ERR_BAD_OPTION_VALUE' || e.code === 'ERR_BAD_OPTION')
    return [`bad request (${e.code})`, false];
  if (status !== undefined) return [`unusable answer (${e.code ?? 'HTTP ' + status})`, true];
  // Refused, reset, unreachable, DNS: the network may be back later.
  return [`no answer (${e.code ?? 'network error'})`, true];
}
