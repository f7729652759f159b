import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from '@jest/globals';
import { OpenPlatformError } from '../../errors/open-platform.error.js';
import type { ResolvedComponent } from '../../options/resolved-options.js';

/** What the adapter sent, as the loopback platform received it. */
export interface Received {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  body: unknown;
}

/**
 * A loopback HTTP server standing in for Douyin: it answers queued, recorded bodies in order and
 * records every request, so specs assert the real wire traffic (axios is never stubbed).
 */
export class RecordedPlatform {
  readonly received: Received[] = [];
  private readonly answers: { status: number; body: string }[] = [];
  private server?: Server;
  baseUrl = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://loopback');
        const text = Buffer.concat(chunks).toString('utf8');
        this.received.push({
          method: req.method ?? '',
          path: url.pathname,
          query: Object.fromEntries(url.searchParams),
          headers: req.headers,
          body: text ? (JSON.parse(text) as unknown) : undefined,
        });
        const answer = this.answers.shift() ?? { status: 500, body: '{"unexpected":"request"}' };
        res.writeHead(answer.status, { 'content-type': 'application/json' });
        res.end(answer.body);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Queues the body of the next answer (an object is sent as JSON, a string as is). */
  answer(body: object | string, status = 200): void {
    this.answers.push({ status, body: typeof body === 'string' ? body : JSON.stringify(body) });
  }

  /** The only request received since the last call, removed from the record. */
  last(): Received {
    expect(this.received).toHaveLength(1);
    return this.received.pop()!;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

export const COMPONENT_APPID = 'tt_component_01';
export const PAGE_URL = 'https://page.example/mappconsole/tp/authorization';

export function douyinComponent(baseUrl: string, apiVersion?: 'v1' | 'v2'): ResolvedComponent {
  return {
    platform: 'douyin',
    appId: COMPONENT_APPID,
    appSecret: 'dy-secret',
    token: 'dy-token',
    encodingAesKey: 'ZDY0ZjQ3MmQ1YjQ4NGQ3YjkxZjZmZGZkZmQ2ZmQ3ZjQ',
    apiBaseUrl: baseUrl,
    authorizePageUrl: PAGE_URL,
    ...(apiVersion ? { apiVersion } : {}),
  };
}

/** Awaits a rejection and checks it is a Douyin `OpenPlatformError`. */
export async function douyinFailure(promise: Promise<unknown>): Promise<OpenPlatformError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(OpenPlatformError);
  expect((err as OpenPlatformError).platform).toBe('douyin');
  return err as OpenPlatformError;
}
