import { Agent, createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A parsed JSON body: read loosely, as the suites read platform answers. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

/** One call an app made to the platform, as the proxy in front of the emulator saw it. */
export interface RecordedCall {
  /** Which process made it (the proxy's index: one proxy per process). */
  process: number;
  method: string;
  pathname: string;
  query: URLSearchParams;
  /** The request body parsed as JSON (WeChat posts JSON), or undefined. */
  body: Json;
  /** Epoch ms when the request arrived / when the platform's answer came back. */
  requestAt: number;
  responseAt?: number;
  /** The platform's answer parsed as JSON, once it came back. */
  answer?: Json;
}

/**
 * A reverse proxy per process between the apps and an emulator: it forwards every call unchanged
 * and records which process made it, when, and what the platform answered. This is how the suite
 * knows which process's refresh reached the platform (the lock holder to kill) and every token the
 * platform issued (for the per-lifetime counts and the leak check). A call whose client died is
 * still forwarded and completed, as a request already on the wire would be.
 */
export class RecordingProxy {
  private server?: Server;
  private readonly agent = new Agent({ keepAlive: true });

  constructor(
    readonly index: number,
    private readonly target: string,
    private readonly calls: RecordedCall[],
  ) {}

  get url(): string {
    const { port } = this.server!.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('error', () => undefined);
      res.on('error', () => undefined);
      req.on('end', () => {
        const raw = Buffer.concat(chunks);
        const url = new URL(req.url ?? '/', this.target);
        const call: RecordedCall = {
          process: this.index,
          method: req.method ?? 'GET',
          pathname: url.pathname,
          query: url.searchParams,
          body: parse(raw.toString('utf8')),
          requestAt: Date.now(),
        };
        this.calls.push(call);
        const upstream = request(
          url,
          { method: req.method, headers: { ...req.headers, host: url.host }, agent: this.agent },
          (answer) => {
            const parts: Buffer[] = [];
            answer.on('data', (c: Buffer) => parts.push(c));
            answer.on('end', () => {
              const body = Buffer.concat(parts);
              call.responseAt = Date.now();
              call.answer = parse(body.toString('utf8')) ?? null;
              if (res.destroyed) return;
              res.writeHead(answer.statusCode ?? 502, answer.headers);
              res.end(body);
            });
          },
        );
        upstream.on('error', () => {
          call.responseAt = Date.now();
          call.answer = null;
          if (!res.destroyed) res.writeHead(502).end();
        });
        upstream.end(raw);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    this.agent.destroy();
  }
}

function parse(text: string): Json {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
