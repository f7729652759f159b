import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { FaultInjector, type FaultAction } from './fault-injector.js';

/** What a route handler sees of an incoming call. */
export interface FakeRequest {
  method: string;
  pathname: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** The body as received (UTF-8). */
  rawBody: string;
  /** The body parsed as JSON; undefined when empty or not valid JSON. */
  json: unknown;
}

/** A reply: JSON `body` by default, or a `text` body (HTML pages, redirects). */
export interface FakeReply {
  /** HTTP status, 200 unless given. */
  status?: number;
  /** Serialized as JSON unless `text` is given. */
  body?: unknown;
  /** Sent as is instead of `body`, with `contentType` (default `text/html; charset=utf-8`). */
  text?: string;
  contentType?: string;
  /** Extra response headers, e.g. `location` of a redirect. */
  headers?: Record<string, string>;
  /**
   * Destroy the socket instead of answering: the call was processed, the answer is lost. Set by the
   * `lose-response` fault, or by a handler that loses only some answers (a refresh, not an error).
   */
  lose?: boolean;
  /** Runs once the reply has been written (or lost), e.g. to fire a push "right after" answering. */
  afterSend?: () => void;
}

export type FakeRouteHandler = (request: FakeRequest) => FakeReply | Promise<FakeReply>;

export interface FakeHttpServerOptions<E extends string> {
  faults: FaultInjector<E>;
  /** Bodies above this size are answered 413 without reaching a handler. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Body of the 404 for an unknown method + path; each platform has its own envelope. */
  notFoundBody?: unknown;
}

const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
const GATEWAY_HTML = (status: number) =>
  `<html><head><title>${status}</title></head><body><center><h1>${status}</h1></center><hr><center>nginx</center></body></html>`;

/**
 * A tiny loopback HTTP server with a route table keyed by method + pathname, per-endpoint call
 * counters and fault injection. Platform emulators (WeChat, Douyin) register their routes on it.
 */
export class FakeHttpServer<E extends string> {
  private readonly routes = new Map<string, { endpoint: E; handler: FakeRouteHandler }>();
  private readonly counters = new Map<E, number>();
  /** Delays in flight, so stop() can cancel them instead of leaving timers behind. */
  private readonly pendingDelays = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  /** Answers held by a `hold-answer` fault, so stop() can let them go. */
  private readonly heldAnswers = new Set<() => void>();
  private readonly faults: FaultInjector<E>;
  private readonly maxBodyBytes: number;
  private readonly notFoundBody: unknown;
  private server?: Server;
  private port?: number;

  constructor(options: FakeHttpServerOptions<E>) {
    this.faults = options.faults;
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.notFoundBody = options.notFoundBody ?? { error: 'not found' };
  }

  /** Registers `handler` for `method` + `pathname`; `endpoint` names it for counters and faults. */
  route(method: string, pathname: string, endpoint: E, handler: FakeRouteHandler): void {
    this.routes.set(`${method.toUpperCase()} ${pathname}`, { endpoint, handler });
  }

  /** Whether a handler is registered for `method` + `pathname`. */
  has(method: string, pathname: string): boolean {
    return this.routes.has(`${method.toUpperCase()} ${pathname}`);
  }

  /** Listens on 127.0.0.1; port 0 (default) picks a free port. */
  async start(port = 0): Promise<void> {
    if (this.server) throw new Error('fake server already started');
    const server = createServer((req, res) => void this.dispatch(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  /** Closes the listener and every socket (keep-alive included) and cancels pending delays. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    this.port = undefined;
    for (const delay of this.pendingDelays) {
      clearTimeout(delay.timer);
      delay.resolve();
    }
    this.pendingDelays.clear();
    for (const letGo of this.heldAnswers) letGo();
    this.heldAnswers.clear();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }

  get baseUrl(): string {
    if (this.port === undefined) throw new Error('fake server is not started');
    return `http://127.0.0.1:${this.port}`;
  }

  /** Calls received by `endpoint`, faulted ones included (the platform did see them). */
  calls(endpoint: E): number {
    return this.counters.get(endpoint) ?? 0;
  }

  resetCalls(): void {
    this.counters.clear();
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const owner = this.server;
    try {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const method = (req.method ?? 'GET').toUpperCase();
      const route = this.routes.get(`${method} ${url.pathname}`);
      const rawBody = await this.readBody(req);
      if (rawBody === undefined) return sendJson(res, 413, { error: 'payload too large' });
      if (!route) return sendJson(res, 404, this.notFoundBody);

      this.counters.set(route.endpoint, this.calls(route.endpoint) + 1);
      const fault = this.faults.take(route.endpoint);
      if (fault && (await this.applyFault(fault, route.endpoint, req, res)) === 'answered') return;
      // Stopped while delayed: do nothing. A client that merely gave up still gets the call
      // processed, as on the real platform (that is how a "lost response" happens).
      if (this.server !== owner) return;

      const handled = await route.handler({
        method,
        pathname: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        rawBody,
        json: parseJson(rawBody),
      });
      const reply = fault?.kind === 'lose-response' ? { ...handled, lose: true } : handled;
      if (fault?.kind === 'hold-answer') {
        fault.onProcessed();
        let letGo!: () => void;
        const stopped = new Promise<void>((resolve) => this.heldAnswers.add((letGo = resolve)));
        await Promise.race([fault.gate, stopped]);
        this.heldAnswers.delete(letGo);
        if (this.server !== owner) return;
      }
      if (reply.lose) {
        req.socket.destroy();
        // The platform did process the call, so what it does next (a push) still happens.
        reply.afterSend?.();
        return;
      }
      if (reply.text !== undefined) {
        send(res, reply.status ?? 200, reply.contentType ?? 'text/html; charset=utf-8', reply.text, reply.headers);
      } else {
        send(
          res,
          reply.status ?? 200,
          'application/json; charset=utf-8',
          JSON.stringify(reply.body ?? null),
          reply.headers,
        );
      }
      reply.afterSend?.();
    } catch (err) {
      // A handler bug must surface in the test as a 500, not as a hung request.
      sendJson(res, 500, { error: 'fake platform handler failed', message: String(err) });
    }
  }

  /** Applies a fault; 'continue' means the normal handler should still run. */
  private async applyFault(
    fault: FaultAction,
    endpoint: E,
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<'answered' | 'continue'> {
    switch (fault.kind) {
      case 'error':
        sendJson(res, 200, this.faults.errorBody(fault.errcode, fault.errmsg, endpoint));
        return 'answered';
      case 'status':
        send(res, fault.status, 'text/html; charset=utf-8', GATEWAY_HTML(fault.status));
        return 'answered';
      case 'drop':
        req.socket.destroy();
        return 'answered';
      case 'delay':
        await this.sleep(fault.ms);
        return 'continue';
      case 'lose-response':
      case 'hold-answer':
        return 'continue';
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const delay = {
        resolve,
        timer: setTimeout(() => {
          this.pendingDelays.delete(delay);
          resolve();
        }, ms),
      };
      this.pendingDelays.add(delay);
    });
  }

  /** Reads the whole body; undefined when it exceeds the cap (the rest is drained, not buffered). */
  private readBody(req: IncomingMessage): Promise<string | undefined> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= this.maxBodyBytes) chunks.push(chunk);
      });
      req.on('end', () => resolve(size > this.maxBodyBytes ? undefined : Buffer.concat(chunks).toString('utf8')));
      req.on('error', reject);
    });
  }
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(body));
}

function send(
  res: ServerResponse,
  status: number,
  contentType: string,
  body: string,
  headers: Record<string, string> = {},
): void {
  if (res.destroyed || res.writableEnded) return;
  res.writeHead(status, { ...headers, 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
