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

function truncated(): OpenPlatformError {
  return new OpenPlatformError({
    platform: 'library',
    code: OpenPlatformErrorCode.MALFORMED_MESSAGE,
    message: 'push body ended before it was complete',
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
    if (sizeExceeds(body, limit)) throw tooLarge(limit);
    return body as Record<string, unknown>;
  }
  const stream = req.raw ?? req;
  if (stream.readableEnded || stream.destroyed) return undefined;
  return readStream(stream, limit);
}

/**
 * Whether an already-parsed body would serialize to more than `limit` bytes, estimated (about its
 * JSON length, in UTF-16 units) without recursion and stopping as soon as the limit is passed:
 * every node visited adds at least one unit, so an attacker's structure, however deep or wide,
 * costs at most `limit` steps. `JSON.stringify` would overflow the stack on deep nesting.
 */
function sizeExceeds(body: object, limit: number): boolean {
  let size = 0;
  const pending: unknown[] = [body];
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value === 'string') size += value.length + 3;
    else if (value !== null && typeof value === 'object') {
      size += 2;
      if (Array.isArray(value)) for (const item of value) pending.push(item);
      else
        for (const [key, item] of Object.entries(value)) {
          size += key.length + 3;
          pending.push(item);
        }
    } else size += 8;
    if (size > limit) return true;
  }
  return false;
}

/**
 * Reads an unread request stream up to `limit` bytes. On excess it stops listening without
 * destroying the stream (which would reset the socket before the 413 is written); the route
 * answers `Connection: close`, and Node discards the rest and closes once the answer is out.
 */
function readStream(stream: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = (): void => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onAbort);
      stream.off('close', onAbort);
    };
    const onData = (chunk: Buffer | string): void => {
      const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
      size += buf.length;
      if (size > limit) {
        stop();
        reject(tooLarge(limit));
        return;
      }
      chunks.push(buf);
    };
    const onEnd = (): void => {
      stop();
      resolve(Buffer.concat(chunks));
    };
    const onAbort = (): void => {
      stop();
      reject(truncated());
    };
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onAbort);
    stream.on('close', onAbort);
  });
}
