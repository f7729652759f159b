import type { IncomingMessage } from 'node:http';
import { OpenPlatformError, OpenPlatformErrorCode } from '../errors/open-platform.error.js';
import type { InboundPush } from '../platforms/platform-adapter.js';

/** The request as Express or Fastify hand it over: a Node request plus what body parsers added. */
export type PushRequest = IncomingMessage & { body?: unknown; rawBody?: unknown; raw?: IncomingMessage };

function tooLarge(limit: number): OpenPlatformError {
  return new OpenPlatformError({
    platform: 'library',
    code: OpenPlatformErrorCode.PAYLOAD_TOO_LARGE,
    message: `push body exceeds ${limit} bytes`,
  });
}

function checked<T extends Buffer | string>(body: T, limit: number): T {
  if (Buffer.byteLength(body) > limit) throw tooLarge(limit);
  return body;
}

/**
 * Gets the push body whatever body parser the app installed: a raw buffer (`rawBody: true`), a
 * string or Buffer (text/raw parsers), an object (JSON or XML-to-object parsers), or — the
 * Express 5 default for XML — nothing at all, in which case the unread stream is read here,
 * stopping at `limit` bytes.
 */
export async function readPushBody(req: PushRequest, limit: number): Promise<InboundPush['body']> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit);

  if (Buffer.isBuffer(req.rawBody)) return checked(req.rawBody, limit);
  const body = req.body;
  if (Buffer.isBuffer(body) || typeof body === 'string') return checked(body, limit);
  if (body && typeof body === 'object' && Object.keys(body).length > 0) {
    if (Buffer.byteLength(JSON.stringify(body)) > limit) throw tooLarge(limit);
    return body as Record<string, unknown>;
  }
  const stream = req.raw ?? req;
  if (stream.readableEnded || stream.destroyed) return undefined;
  return readStream(stream, limit);
}

async function readStream(stream: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    size += buf.length;
    if (size > limit) throw tooLarge(limit);
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}
