import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { Controller, Get, Injectable, Module, Param, type LoggerService } from '@nestjs/common';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { firstValueFrom } from 'rxjs';
import { OpenPlatformError, OpenPlatformErrorCode, OpenPlatformHttpService } from '../lib/index.js';
import { COMPONENT_A } from './support/fixtures.js';
import { startHarness, type Harness } from './support/harness.js';

const A = COMPONENT_A.appId;
const SHOP = 'wx_shop_errors';

/** A stand-in business API on loopback: answers what the path says, and records the tokens it saw. */
class UnhappyApi {
  readonly seenTokens = new Set<string>();
  private server?: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const url = new URL(req.url!, 'http://x');
      for (const name of ['access_token', 'component_access_token']) {
        const t = url.searchParams.get(name);
        if (t) this.seenTokens.add(t);
      }
      req.resume();
      if (url.pathname === '/hang') return; // never answers
      if (url.pathname === '/forbidden') {
        res.writeHead(403, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ errcode: 48001, errmsg: 'api unauthorized' }));
      }
      // Echoes the whole query, tokens included, the way a careless gateway error page does.
      const echoed = `bad request ${req.url}`;
      if (url.pathname === '/echo-text') {
        res.writeHead(500, { 'content-type': 'text/plain' });
        return res.end(echoed);
      }
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ errcode: 40001, errmsg: echoed, nested: { query: Object.fromEntries(url.searchParams) } }),
      );
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    const server = this.server!;
    const closed = new Promise<void>((r) => server.close(() => r()));
    server.closeAllConnections();
    await closed;
  }
}

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Keeps everything Nest logs, printed as deep as anyone might print it. */
class CapturingLogger implements LoggerService {
  readonly lines: string[] = [];
  private keep(level: string, message: unknown, params: unknown[]): void {
    this.lines.push(inspect([level, message, ...params], { depth: 10, showHidden: true }));
    for (const p of [message, ...params]) {
      try {
        this.lines.push(JSON.stringify(p) ?? '');
      } catch {
        // not serializable: inspect above covers it
      }
      if (p instanceof Error) this.lines.push(String(p), p.stack ?? '');
    }
  }
  log(message: unknown, ...params: unknown[]) {
    this.keep('log', message, params);
  }
  error(message: unknown, ...params: unknown[]) {
    this.keep('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]) {
    this.keep('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]) {
    this.keep('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]) {
    this.keep('verbose', message, params);
  }
  fatal(message: unknown, ...params: unknown[]) {
    this.keep('fatal', message, params);
  }
}

const api = new UnhappyApi();
const logger = new CapturingLogger();
let deadPort = 0;

@Injectable()
class FailingCalls {
  constructor(private readonly http: OpenPlatformHttpService) {}

  /** One business call that fails the given way, as the authorizer. */
  call(kind: string): Promise<unknown> {
    const base = process.env.FAKE_BASE_URL!;
    const urls: Record<string, string> = {
      forbidden: `${api.url}/forbidden`,
      gateway: `${base}/cgi-bin/account/getaccountbasicinfo`,
      refused: `http://127.0.0.1:${deadPort}/cgi-bin/account/getaccountbasicinfo`,
      timeout: `${api.url}/hang`,
      echo: `${api.url}/echo`,
    };
    return firstValueFrom(this.http.get(urls[kind], { authorizerAppId: SHOP, timeout: kind === 'timeout' ? 200 : 0 }));
  }
}

@Controller('errors')
class FailingController {
  constructor(private readonly calls: FailingCalls) {}

  @Get(':kind')
  async fail(@Param('kind') kind: string): Promise<unknown> {
    return this.calls.call(kind);
  }
}

@Module({ controllers: [FailingController], providers: [FailingCalls] })
class FailingModule {}

describe('OpenPlatformHttpService failures carry no credential (e2e over loopback HTTP)', () => {
  let h: Harness;
  let http: OpenPlatformHttpService;
  let calls: FailingCalls;
  let authorizerToken: string;
  let componentToken: string;

  /** Every token that was sent anywhere in this suite, as far as anyone can know. */
  const secrets = () => [authorizerToken, componentToken, ...api.seenTokens].filter(Boolean);

  function expectNoSecret(text: string): void {
    for (const s of secrets()) expect(text).not.toContain(s);
  }

  /** Awaits the rejection and checks that no way of printing it shows a token. */
  async function failure(promise: Promise<unknown>): Promise<OpenPlatformError> {
    const err = await promise.then(
      () => {
        throw new Error('expected a rejection');
      },
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(OpenPlatformError);
    const e = err as OpenPlatformError;
    expectNoSecret(inspect(e, { depth: 10 }));
    expectNoSecret(inspect(e, { depth: 10, showHidden: true }));
    expectNoSecret(JSON.stringify(e));
    expectNoSecret(String(e));
    expectNoSecret(e.stack ?? '');
    for (let c: unknown = e.cause; c !== undefined; c = (c as { cause?: unknown }).cause) {
      expect((c as { isAxiosError?: boolean }).isAxiosError).not.toBe(true);
      expectNoSecret(inspect(c, { depth: 10, showHidden: true }));
    }
    expect(e).not.toHaveProperty('config');
    expect(e).not.toHaveProperty('request');
    if (e.url !== undefined) expect(e.url).not.toMatch(/[?#]/);
    return e;
  }

  beforeAll(async () => {
    await api.start();
    deadPort = await closedPort();
    h = await startHarness({
      singleComponent: true,
      // The stand-in API and the dead port play business API hosts: their origins get the tokens.
      apiOrigins: [api.url, `http://127.0.0.1:${deadPort}`],
      options: { isGlobal: true },
      imports: [FailingModule],
      configure: (app) => app.useLogger(logger),
    });
    process.env.FAKE_BASE_URL = h.fake.baseUrl;
    http = h.app.get(OpenPlatformHttpService);
    calls = h.app.get(FailingCalls);
    await h.fake.pushTicket(h.eventsUrl(), A);
    await h.fake.authorize({ componentAppId: A, authorizerAppId: SHOP });
    await h.fake.settle();
    authorizerToken = await h.tokens.getAuthorizerAccessToken(SHOP);
    componentToken = await h.tokens.getComponentAccessToken();
  });
  afterAll(async () => {
    await h?.close();
    await api.stop();
  });
  beforeEach(() => {
    h.fake.clearFaults();
    h.fake.resetCalls();
  });

  it('4xx: TRANSPORT with status, method, url without query, the body, not retryable', async () => {
    const err = await failure(calls.call('forbidden'));
    expect(err).toMatchObject({
      platform: 'wechat', // the platform of the token it carried
      code: OpenPlatformErrorCode.TRANSPORT,
      status: 403,
      method: 'GET',
      url: `${api.url}/forbidden`,
      retryable: false,
      response: { status: 403, data: { errcode: 48001, errmsg: 'api unauthorized' } },
    });
    expect(api.seenTokens.has(authorizerToken)).toBe(true); // the token did go out: there was one to leak
  });

  it('5xx from the platform: retryable, attributed to the platform', async () => {
    h.fake.statusNext('getaccountbasicinfo', 502);
    const err = await failure(calls.call('gateway'));
    expect(err).toMatchObject({ platform: 'wechat', code: 'TRANSPORT', status: 502, method: 'GET', retryable: true });
    expect(err.url).toBe(`${h.fake.baseUrl}/cgi-bin/account/getaccountbasicinfo`);
    expect(err.response?.status).toBe(502);
    expect(String(err.response?.data)).toContain('502');
  });

  it('connection refused: retryable, no status, no response', async () => {
    const err = await failure(calls.call('refused'));
    expect(err).toMatchObject({ code: 'TRANSPORT', method: 'GET', retryable: true });
    expect(err.status).toBeUndefined();
    expect(err.response).toBeUndefined();
    expect(err.message).toContain('ECONNREFUSED');
  });

  it('timeout (a server that never answers): retryable', async () => {
    const err = await failure(calls.call('timeout'));
    expect(err).toMatchObject({ code: 'TRANSPORT', retryable: true, url: `${api.url}/hang` });
    expect(err.message).toContain('timed out');
  });

  it('timeout (the emulator holding its answer): retryable', async () => {
    h.fake.delayNext('getaccountbasicinfo', 30_000);
    const err = await failure(
      firstValueFrom(
        http.get(`${h.fake.baseUrl}/cgi-bin/account/getaccountbasicinfo`, { authorizerAppId: SHOP, timeout: 200 }),
      ),
    );
    expect(err).toMatchObject({ platform: 'wechat', code: 'TRANSPORT', retryable: true });
  });

  it('a body that echoes the injected authorizer token is redacted', async () => {
    const err = await failure(calls.call('echo'));
    expect(err.status).toBe(400);
    const data = err.response?.data as { errmsg: string; nested: { query: Record<string, string> } };
    expect(data.errmsg).toContain('access_token=[REDACTED]');
    expect(data.nested.query.access_token).toBe('[REDACTED]');
  });

  it('a text body that echoes the component token is redacted', async () => {
    const err = await failure(firstValueFrom(http.post(`${api.url}/echo-text`, {}, { componentAppId: A })));
    expect(err).toMatchObject({ status: 500, retryable: true });
    expect(api.seenTokens.has(componentToken)).toBe(true);
    expect(err.response?.data).toContain('component_access_token=[REDACTED]');
  });

  it('a token the caller put in the query itself is redacted too (another host, nothing injected)', async () => {
    const own = 'caller-own-token-0123456789';
    api.seenTokens.add(own);
    const err = await failure(firstValueFrom(http.get(`${api.url}/echo?access_token=${own}`)));
    expect(JSON.stringify(err.response)).toContain('[REDACTED]');
  });

  it('axiosRef rejects with the same token-free OpenPlatformError', async () => {
    const err = await failure(http.axiosRef.get(`${api.url}/echo`, { authorizerAppId: SHOP }));
    expect(err).toMatchObject({ code: 'TRANSPORT', status: 400, method: 'GET' });
    const refused = await failure(http.axiosRef.post(`http://127.0.0.1:${deadPort}/x`, {}, { authorizerAppId: SHOP }));
    expect(refused).toMatchObject({ code: 'TRANSPORT', method: 'POST', retryable: true });
  });

  it('errors that already are OpenPlatformErrors pass through unchanged', async () => {
    h.fake.failNext('getaccountbasicinfo', { errcode: 40001, times: 2 });
    const err = await failure(calls.call('gateway'));
    expect(err).toMatchObject({ platform: 'wechat', code: 40001 });
  });

  it.each(['forbidden', 'gateway', 'refused', 'timeout', 'echo'])(
    "Nest's default exception logging of a controller whose call failed (%s) prints no token",
    async (kind) => {
      if (kind === 'gateway') h.fake.statusNext('getaccountbasicinfo', 503);
      logger.lines.length = 0;
      const res = await fetch(`${h.url}/errors/${kind}`);
      expect(res.status).toBe(500);
      expectNoSecret(await res.text());
      const logged = logger.lines.join('\n');
      expect(logged).toContain('ExceptionsHandler'); // the failure was logged: there is something to inspect
      expectNoSecret(logged);
      expect(logged).toContain('TRANSPORT');
    },
  );
});
