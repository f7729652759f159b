import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, it, expect } from '@jest/globals';
import { OpenPlatformError, OpenPlatformErrorCode } from '../errors/open-platform.error.js';
import { readPushBody, type PushRequest } from './read-push-body.js';

const LIMIT = 1024;

/**
 * How the throwaway server prepares the request before calling readPushBody, simulating the body
 * parser an app may have installed (header `x-mode`).
 */
type Mode = 'unread' | 'raw-buffer' | 'string' | 'buffer' | 'object' | 'empty-object' | 'raw-fastify';

interface Outcome {
  status: number;
  /** What readPushBody returned: its type and content, or the error code. */
  type?: string;
  text?: string;
  json?: unknown;
  code?: string | number;
}

async function drain(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function handle(req: IncomingMessage, res: import('node:http').ServerResponse): Promise<void> {
  const mode = (req.headers['x-mode'] as Mode | undefined) ?? 'unread';
  let target = req as PushRequest;
  if (mode !== 'unread') {
    // A body parser already consumed the stream and left its result on the request.
    const raw = await drain(req);
    if (mode === 'raw-buffer') {
      target.rawBody = raw;
      target.body = { parsed: 'by-json-parser' };
    } else if (mode === 'string') target.body = raw.toString('utf8');
    else if (mode === 'buffer') target.body = raw;
    else if (mode === 'object') target.body = JSON.parse(raw.toString('utf8'));
    else if (mode === 'empty-object') target.body = {};
    else if (mode === 'raw-fastify') {
      // Fastify: a wrapper object with the Node request as `raw`; nothing parsed. Re-serve the
      // bytes through a fresh stream to stand for the unread Node request.
      const { Readable } = await import('node:stream');
      const stream = Readable.from([raw]) as unknown as IncomingMessage;
      target = { headers: req.headers, raw: stream } as unknown as PushRequest;
    }
  }
  let outcome: Outcome;
  try {
    const body = await readPushBody(target, LIMIT);
    if (Buffer.isBuffer(body)) outcome = { status: 200, type: 'buffer', text: body.toString('utf8') };
    else if (typeof body === 'string') outcome = { status: 200, type: 'string', text: body };
    else if (body === undefined) outcome = { status: 200, type: 'undefined' };
    else outcome = { status: 200, type: 'object', json: body };
  } catch (err) {
    const status = err instanceof OpenPlatformError && err.code === OpenPlatformErrorCode.PAYLOAD_TOO_LARGE ? 413 : 500;
    outcome = { status, code: err instanceof OpenPlatformError ? err.code : String(err) };
  }
  res.statusCode = outcome.status;
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(outcome));
}

let server: Server;
let port: number;

beforeAll(async () => {
  server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      res.statusCode = 599;
      res.end(String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

interface Send {
  mode: Mode;
  /** Sent in one piece with a content-length header. */
  body?: string | Buffer;
  /** Sent as separate writes with chunked transfer encoding, `delayMs` apart. */
  chunks?: Buffer[];
  delayMs?: number;
  contentType?: string;
}

function send({ mode, body, chunks, delayMs = 5, contentType = 'text/xml' }: Send): Promise<Outcome> {
  return new Promise<Outcome>((resolve, reject) => {
    const headers: Record<string, string | number> = { 'x-mode': mode, 'content-type': contentType };
    if (body !== undefined) headers['content-length'] = Buffer.byteLength(body);
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/events', headers, agent: false }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => {
        const outcome = JSON.parse(Buffer.concat(parts).toString('utf8')) as Outcome;
        expect(outcome.status).toBe(res.statusCode);
        resolve(outcome);
      });
    });
    req.on('error', reject);
    if (body !== undefined) {
      req.end(body);
      return;
    }
    expect(req.getHeader('content-length')).toBeUndefined();
    let i = 0;
    const next = (): void => {
      if (req.destroyed) return;
      if (i < (chunks ?? []).length) {
        req.write(chunks![i++]);
        setTimeout(next, delayMs);
      } else req.end();
    };
    next();
  });
}

describe('readPushBody over real HTTP', () => {
  const XML = '<xml><AppId><![CDATA[wx1]]></AppId><Encrypt><![CDATA[abc+/=]]></Encrypt></xml>';

  it('reads an unread stream (Express 5 leaves XML bodies alone)', async () => {
    expect(await send({ mode: 'unread', body: XML })).toEqual({ status: 200, type: 'buffer', text: XML });
  });

  it('reads an unread chunked stream without content-length', async () => {
    const chunks = [Buffer.from('<xml><Encrypt>'), Buffer.from('中文'), Buffer.from('</Encrypt></xml>')];
    expect(await send({ mode: 'unread', chunks })).toEqual({
      status: 200,
      type: 'buffer',
      text: '<xml><Encrypt>中文</Encrypt></xml>',
    });
  });

  it('reads a body of exactly the limit', async () => {
    const body = 'x'.repeat(LIMIT);
    expect(await send({ mode: 'unread', body })).toEqual({ status: 200, type: 'buffer', text: body });
    expect(
      await send({ mode: 'unread', chunks: [Buffer.from(body.slice(0, 600)), Buffer.from(body.slice(600))] }),
    ).toEqual({
      status: 200,
      type: 'buffer',
      text: body,
    });
  });

  it('reads an empty unread body as an empty buffer', async () => {
    expect(await send({ mode: 'unread', body: '' })).toEqual({ status: 200, type: 'buffer', text: '' });
  });

  it('refuses a body whose content-length exceeds the limit (413, PAYLOAD_TOO_LARGE)', async () => {
    expect(await send({ mode: 'unread', body: 'x'.repeat(LIMIT + 1) })).toEqual({
      status: 413,
      code: OpenPlatformErrorCode.PAYLOAD_TOO_LARGE,
    });
  });

  it('refuses by content-length before looking at an already-parsed body', async () => {
    expect(
      await send({ mode: 'object', body: JSON.stringify({ a: 'x'.repeat(LIMIT) }), contentType: 'application/json' }),
    ).toEqual({
      status: 413,
      code: OpenPlatformErrorCode.PAYLOAD_TOO_LARGE,
    });
  });

  it('refuses a chunked body that grows past the limit while streaming, and still answers 413', async () => {
    const chunks = Array.from({ length: 12 }, () => Buffer.alloc(256, 0x61)); // 3 KiB in 256-byte writes
    expect(await send({ mode: 'unread', chunks, delayMs: 10 })).toEqual({
      status: 413,
      code: OpenPlatformErrorCode.PAYLOAD_TOO_LARGE,
    });
  });

  it('the server keeps serving after a refused stream', async () => {
    expect(await send({ mode: 'unread', body: XML })).toEqual({ status: 200, type: 'buffer', text: XML });
  });

  it('prefers rawBody (Nest `rawBody: true`) over a parsed body', async () => {
    const json = JSON.stringify({ encrypt: 'abc' });
    expect(await send({ mode: 'raw-buffer', body: json, contentType: 'application/json' })).toEqual({
      status: 200,
      type: 'buffer',
      text: json,
    });
  });

  it('returns a string body as is', async () => {
    expect(await send({ mode: 'string', body: XML })).toEqual({ status: 200, type: 'string', text: XML });
  });

  it('returns a Buffer body as is', async () => {
    expect(await send({ mode: 'buffer', body: XML })).toEqual({ status: 200, type: 'buffer', text: XML });
  });

  it('returns an object body as is', async () => {
    const obj = { xml: { appid: ['wx1'], encrypt: ['abc'] } };
    expect(await send({ mode: 'object', body: JSON.stringify(obj), contentType: 'application/json' })).toEqual({
      status: 200,
      type: 'object',
      json: obj,
    });
  });

  it('refuses a string or object body that is too large once parsed (no content-length to go by)', async () => {
    // Chunked upload, so only the parsed size can be checked.
    const big = Buffer.from(JSON.stringify({ xml: { encrypt: ['x'.repeat(LIMIT)] } }));
    const chunks = [big.subarray(0, 500), big.subarray(500)];
    expect(await send({ mode: 'object', chunks, contentType: 'application/json' })).toEqual({
      status: 413,
      code: OpenPlatformErrorCode.PAYLOAD_TOO_LARGE,
    });
    expect(await send({ mode: 'string', chunks })).toEqual({
      status: 413,
      code: OpenPlatformErrorCode.PAYLOAD_TOO_LARGE,
    });
    expect(await send({ mode: 'raw-buffer', chunks })).toEqual({
      status: 413,
      code: OpenPlatformErrorCode.PAYLOAD_TOO_LARGE,
    });
  });

  it('counts bytes, not characters, against the limit', async () => {
    const multiByte = '中'.repeat(400); // 1200 bytes, 400 characters
    expect(await send({ mode: 'string', chunks: [Buffer.from(multiByte)] })).toEqual({
      status: 413,
      code: OpenPlatformErrorCode.PAYLOAD_TOO_LARGE,
    });
    expect(await send({ mode: 'unread', chunks: [Buffer.from(multiByte)] })).toEqual({
      status: 413,
      code: OpenPlatformErrorCode.PAYLOAD_TOO_LARGE,
    });
  });

  it('returns undefined when a parser consumed the stream and left an empty object (nothing to read)', async () => {
    expect(await send({ mode: 'empty-object', body: XML })).toEqual({ status: 200, type: 'undefined' });
  });

  it('reads the Node request under `raw` (Fastify)', async () => {
    expect(await send({ mode: 'raw-fastify', body: XML })).toEqual({ status: 200, type: 'buffer', text: XML });
  });
});
