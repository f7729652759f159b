import type { OutboundRequest } from './platform-adapter.js';

/**
 * Sets one query parameter, whether `params` is a plain object or URLSearchParams, on a copy: the
 * caller's object may be shared by other requests (another authorizer's) and must not keep a token.
 */
export function setQueryParam(config: OutboundRequest, name: string, value: string): void {
  if (config.params instanceof URLSearchParams) {
    const copy = new URLSearchParams(config.params);
    copy.set(name, value);
    config.params = copy;
  } else {
    config.params = { ...(config.params as Record<string, unknown> | undefined), [name]: value };
  }
}

/** One query parameter, from `params` (plain object or URLSearchParams) or the URL's own query string. */
export function getQueryParam(config: OutboundRequest, name: string): string | undefined {
  const params = config.params;
  const fromParams =
    params instanceof URLSearchParams
      ? params.get(name)
      : params !== null && typeof params === 'object'
        ? (params as Record<string, unknown>)[name]
        : undefined;
  if (typeof fromParams === 'string' && fromParams) return fromParams;
  const query = config.url?.includes('?') ? config.url.slice(config.url.indexOf('?') + 1).split('#', 1)[0] : '';
  return query ? new URLSearchParams(query).get(name) || undefined : undefined;
}

/** Only small JSON answers are inspected: an error envelope is never large. */
const MAX_INSPECTED = 64 * 1024;

/** The response body as an object, if it is one or is a small JSON text / buffer. */
export function parseIfJson(data: unknown): Record<string, unknown> | undefined {
  if (
    data !== null &&
    typeof data === 'object' &&
    !Buffer.isBuffer(data) &&
    !(data instanceof ArrayBuffer) &&
    !ArrayBuffer.isView(data)
  ) {
    return Array.isArray(data) ? undefined : (data as Record<string, unknown>);
  }
  let text: string | undefined;
  if (typeof data === 'string') text = data;
  else if (Buffer.isBuffer(data)) text = data.length <= MAX_INSPECTED ? data.toString('utf8') : undefined;
  else if (data instanceof ArrayBuffer)
    text = data.byteLength <= MAX_INSPECTED ? Buffer.from(data).toString('utf8') : undefined;
  if (!text || text.length > MAX_INSPECTED || !text.trimStart().startsWith('{')) return undefined;
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
