import { request, type Agent, type IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  socket: Socket;
}

export interface RawRequest {
  url: string;
  method?: string;
  headers?: Record<string, string | number>;
  /** Sent in one piece (with content-length unless a header says otherwise). */
  body?: string | Buffer;
  /** Sent as separate writes with chunked transfer encoding. */
  chunks?: Buffer[];
  /** Default: a fresh connection (`agent: false`). */
  agent?: Agent | false;
}

/**
 * One HTTP/1.1 request with node:http, for what `fetch` hides: chunked uploads, exact headers,
 * keep-alive sockets. Resolves with the answer and the socket that carried it.
 */
export function rawRequest(r: RawRequest): Promise<RawResponse> {
  return new Promise<RawResponse>((resolve, reject) => {
    const target = new URL(r.url);
    const headers: Record<string, string | number> = { ...r.headers };
    if (r.body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-length'))
      headers['content-length'] = Buffer.byteLength(r.body);
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        method: r.method ?? 'POST',
        path: `${target.pathname}${target.search}`,
        headers,
        agent: r.agent ?? false,
      },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(parts).toString('utf8'),
            socket: res.socket,
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (r.chunks) {
      for (const chunk of r.chunks) req.write(chunk);
      req.end();
    } else req.end(r.body);
  });
}

/** Resolves when the socket is closed (at once if it already is). */
export function closed(socket: Socket): Promise<void> {
  if (socket.destroyed) return Promise.resolve();
  return new Promise((resolve) => socket.once('close', () => resolve()));
}
