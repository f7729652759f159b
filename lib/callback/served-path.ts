import type { IncomingMessage } from 'node:http';

/** The request as Express (`originalUrl`) or Fastify (`url`, `raw.url`) hands it to a route. */
export type ServedRequest = IncomingMessage & { originalUrl?: string; raw?: IncomingMessage };

// Characters a URL path may carry as is (RFC 3986 pchar and '/'); anything else is refused
// rather than copied into a redirect_uri.
const PATH = /^\/[A-Za-z0-9\-._~!$&'()*+,;=:@%/]*$/;

/**
 * The path this request was really served under, as the client sent it and without its query:
 * global prefixes, versioning and mounts included, which the module cannot know from its own
 * options. Express' `url` is relative to a mount point, so `originalUrl` comes first.
 *
 * @returns undefined when the request line holds no usable path.
 */
export function servedPath(req: ServedRequest): string | undefined {
  const target = req.originalUrl ?? req.raw?.url ?? req.url;
  if (typeof target !== 'string') return undefined;
  // An absolute-form request target (`GET http://host/path`) must not carry its host along.
  let path = target.startsWith('/') ? target : safePathname(target);
  if (path === undefined) return undefined;
  path = path.replace(/[?#].*$/s, '');
  return PATH.test(path) && !path.startsWith('//') ? path : undefined;
}

/**
 * The path of the redirect target for a request served by the `…/authorize` route: its own path
 * with the last segment replaced.
 */
export function authorizedPath(req: ServedRequest): string | undefined {
  const path = servedPath(req)?.replace(/\/+$/, '');
  // Routing may be case-insensitive (Express by default): match the segment the same way.
  if (!path || !/\/authorize$/i.test(path)) return undefined;
  return path.replace(/\/authorize$/i, '/authorized');
}

function safePathname(target: string): string | undefined {
  try {
    return new URL(target).pathname;
  } catch {
    return undefined;
  }
}
