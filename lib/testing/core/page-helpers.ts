import type { FakeReply } from './fake-http-server.js';

/** Appends `params` to the query of `uri` (before any fragment), with `?` or `&` as needed. */
export function withQuery(uri: string, params: string): string {
  const hash = uri.indexOf('#');
  const base = hash >= 0 ? uri.slice(0, hash) : uri;
  const fragment = hash >= 0 ? uri.slice(hash) : '';
  const separator = !base.includes('?') ? '?' : base.endsWith('?') || base.endsWith('&') ? '' : '&';
  return `${base}${separator}${params}${fragment}`;
}

/** Whether `value` is an absolute http(s) URL, the only kind a platform redirects to. */
export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** A plain-text error page: authorization pages answer a browser, not an API client. */
export function textPage(status: number, message: string): FakeReply {
  return { status, text: `${message}\n`, contentType: 'text/plain; charset=utf-8' };
}
