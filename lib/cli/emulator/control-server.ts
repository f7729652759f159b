import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Bodies above this are refused (413): control calls are small JSON objects. */
const MAX_BODY_BYTES = 64 * 1024;

/** What a control handler receives. */
export interface ControlRequest {
  /** Path parameters (`:name` segments), decoded. */
  params: Record<string, string>;
  query: URLSearchParams;
  /** The JSON body (an object; `{}` when empty). */
  body: Record<string, unknown>;
}

/** A handler answers a JSON value (HTTP 200) or throws a {@link ControlError}. */
export type ControlHandler = (request: ControlRequest) => unknown;

/** One route: `method` and a pattern such as `/_control/v1/:platform/faults`. */
export interface ControlRoute {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  pattern: string;
  handler: ControlHandler;
}

/** A refusal with its HTTP status and a message that quotes no credential. */
export class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The control API's HTTP server on 127.0.0.1: routes by method and path pattern, JSON in and out,
 * every refusal a 4xx `{ error: { status, message } }`. Small and dependency-free on purpose: it
 * serves a handful of test calls, not traffic.
 */
export class ControlServer {
  private server?: Server;
  private readonly routes: Array<ControlRoute & { segments: string[] }>;

  constructor(routes: readonly ControlRoute[]) {
    this.routes = routes.map((r) => ({ ...r, segments: r.pattern.split('/').filter(Boolean) }));
  }

  async start(port: number): Promise<void> {
    const server = createServer((req, res) => void this.dispatch(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
  }

  get baseUrl(): string {
    const address = this.server?.address() as AddressInfo | null | undefined;
    if (!address) throw new Error('the control server is not started');
    return `http://127.0.0.1:${address.port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const segments = url.pathname.split('/').filter(Boolean);
      let params: Record<string, string> | undefined;
      let route: ControlRoute | undefined;
      let pathKnown = false;
      for (const candidate of this.routes) {
        const matched = match(candidate.segments, segments);
        if (!matched) continue;
        pathKnown = true;
        if (candidate.method === req.method) {
          route = candidate;
          params = matched;
          break;
        }
      }
      if (!route || !params) {
        req.resume();
        throw new ControlError(
          pathKnown ? 405 : 404,
          pathKnown ? `${req.method} is not allowed here` : 'no such control route',
        );
      }
      const body = await readJson(req);
      const answer = await route.handler({ params, query: url.searchParams, body });
      send(res, 200, answer ?? { ok: true });
    } catch (err) {
      if (err instanceof ControlError && err.status === 413) {
        // The rest of the body is not read: answer, then close the connection.
        res.setHeader('connection', 'close');
        send(res, 413, { error: { status: 413, message: err.message } });
        res.once('finish', () => req.destroy());
      } else if (err instanceof ControlError)
        send(res, err.status, { error: { status: err.status, message: err.message } });
      else send(res, 400, { error: { status: 400, message: (err as Error)?.message ?? String(err) } });
    }
  }
}

function match(pattern: readonly string[], segments: readonly string[]): Record<string, string> | undefined {
  if (pattern.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    let segment: string;
    try {
      segment = decodeURIComponent(segments[i]);
    } catch {
      return undefined;
    }
    if (pattern[i].startsWith(':')) params[pattern[i].slice(1)] = segment;
    else if (pattern[i] !== segment) return undefined;
  }
  return params;
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      throw new ControlError(413, `the body is over ${MAX_BODY_BYTES} bytes`);
    }
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ControlError(400, 'the body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ControlError(400, 'the body must be a JSON object');
  return value as Record<string, unknown>;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}
