import type { FakeHttpServer, FakeReply, FakeRequest, FakeRouteHandler } from './fake-http-server.js';

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

/**
 * Endpoints added by users of an emulator (`fake.route(...)`), so any platform API their app
 * calls can be emulated. Re-adding a user route replaces it; the emulator's own endpoints cannot
 * be replaced, since tests rely on their semantics.
 */
export class UserRoutes {
  private readonly keys = new Set<string>();

  constructor(
    private readonly server: FakeHttpServer<string>,
    /** Names the emulator in error messages. */
    private readonly owner: string,
  ) {}

  add(method: string, path: string, handler: FakeRouteHandler, endpoint?: string): void {
    const verb = typeof method === 'string' ? method.toUpperCase() : '';
    if (!METHODS.includes(verb)) throw new TypeError(`${this.owner}.route: unsupported method ${String(method)}`);
    if (typeof path !== 'string' || !path.startsWith('/') || path.includes('?')) {
      throw new TypeError(`${this.owner}.route: path must be a pathname starting with / (no query string)`);
    }
    if (typeof handler !== 'function') throw new TypeError(`${this.owner}.route: handler must be a function`);
    const key = `${verb} ${path}`;
    if (this.server.has(verb, path) && !this.keys.has(key)) {
      throw new Error(`${this.owner}.route: ${key} is one of the emulator's own endpoints`);
    }
    this.keys.add(key);
    this.server.route(verb, path, endpoint ?? path, handler);
  }
}

/** The outcome of checking a call's authorizer token: the caller, or the platform's error answer. */
export type TokenCheckResult<C> = { ok: true; caller: C } | { ok: false; reply: FakeReply };

/** Wraps `handler` so it runs only when `check` accepts the request, answering `check`'s error otherwise. */
export function guardedHandler<C>(
  check: (request: FakeRequest) => TokenCheckResult<C>,
  handler: (request: FakeRequest, caller: C) => FakeReply | Promise<FakeReply>,
): FakeRouteHandler {
  return (request) => {
    const checked = check(request);
    return checked.ok ? handler(request, checked.caller) : checked.reply;
  };
}
