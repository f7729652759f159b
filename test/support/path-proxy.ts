import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A reverse proxy on loopback that serves the app under an extra path (`/edge/…` → `/…`), as a
 * gateway in front of the app would. Started before the app so its URL can go into `publicBaseUrl`.
 */
export class PathProxy {
  private server?: Server;
  /** Where requests go, e.g. http://127.0.0.1:1234; set once the app listens. */
  target = '';

  constructor(readonly pathPrefix: string) {}

  get url(): string {
    const { port } = this.server!.address() as AddressInfo;
    return `http://127.0.0.1:${port}${this.pathPrefix}`;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      if (!req.url?.startsWith(`${this.pathPrefix}/`)) {
        res.writeHead(404).end();
        return;
      }
      const to = new URL(req.url.slice(this.pathPrefix.length), this.target);
      const upstream = request(
        to,
        { method: req.method, headers: { ...req.headers, host: to.host }, agent: false },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => res.writeHead(502).end());
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}
