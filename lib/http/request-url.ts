/** The URL parts of an axios request config. */
export interface RequestUrlParts {
  url?: string;
  baseURL?: string;
  /** axios: when false, `baseURL` is prefixed to absolute URLs too. */
  allowAbsoluteUrls?: boolean;
}

const ABSOLUTE = /^([a-z][a-z\d+\-.]*:)?\/\//i;

/** The URL a request goes to, as axios builds it from `baseURL` and `url` (query string included). */
export function requestUrl(config: RequestUrlParts): string {
  const url = config.url ?? '';
  if (!config.baseURL || (ABSOLUTE.test(url) && config.allowAbsoluteUrls !== false)) return url;
  return url ? `${config.baseURL.replace(/\/+$/, '')}/${url.replace(/^\/+/, '')}` : config.baseURL;
}

/** The origin of an absolute URL, or undefined for a relative or malformed one. */
export function originOf(url: string): string | undefined {
  if (!ABSOLUTE.test(url)) return undefined;
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

/**
 * The URL safe to report: no query string (where WeChat puts tokens), no fragment, no user info.
 */
export function reportableUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return url.split(/[?#]/, 1)[0].replace(/\/\/[^/@]*@/, '//');
  }
}
