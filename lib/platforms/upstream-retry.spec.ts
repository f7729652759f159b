import { describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import axios from 'axios';
import { OpenPlatformError, OpenPlatformErrorCode } from '../errors/open-platform.error.js';
import { callUpstream, neverReachedPlatform } from './upstream-call.js';
import {
  UpstreamRetry,
  backoffCapMs,
  mayResend,
  retryBudgetMs,
  worstCaseCallMs,
  type RetryNotice,
  type UpstreamCallInfo,
} from './upstream-retry.js';

const POLICY = { attempts: 3, baseDelayMs: 1, maxDelayMs: 4 };
const IDEMPOTENT: UpstreamCallInfo = {
  platform: 'wechat',
  componentAppId: 'wx_c',
  endpoint: 'list',
  resend: 'idempotent',
};
const SINGLE_USE: UpstreamCallInfo = { ...IDEMPOTENT, endpoint: 'exchange', resend: 'single_use' };

function platformError(code: number, retryable: boolean): OpenPlatformError {
  return new OpenPlatformError({ platform: 'wechat', code, message: `errcode ${code}`, retryable });
}

function transportError(): OpenPlatformError {
  return new OpenPlatformError({
    platform: 'wechat',
    code: OpenPlatformErrorCode.TRANSPORT,
    message: 'wechat list: timed out',
    retryable: true,
  });
}

/** An attempt function failing with `errors` in turn, then answering 'ok'; counts its calls. */
function script(...errors: Error[]): { attempt: () => Promise<string>; calls: () => number } {
  let calls = 0;
  return {
    attempt: () => {
      const error = errors[calls++];
      return error === undefined ? Promise.resolve('ok') : Promise.reject(error);
    },
    calls: () => calls,
  };
}

async function failure(p: Promise<unknown>): Promise<OpenPlatformError> {
  try {
    await p;
  } catch (err) {
    return err as OpenPlatformError;
  }
  throw new Error('expected a rejection');
}

/** A port nothing listens on: connections to it are refused. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function serve(handler: Parameters<typeof createServer>[1]): Promise<{ url: string; server: Server }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

describe('the retry bound', () => {
  it('caps each backoff at base × 2^(n-1), never above maxDelayMs', () => {
    const policy = { attempts: 6, baseDelayMs: 200, maxDelayMs: 1000 };
    expect([1, 2, 3, 4, 5].map((n) => backoffCapMs(policy, n))).toEqual([200, 400, 800, 1000, 1000]);
  });

  it('budget = the sum of the caps between attempts; worst case = attempts × timeout + budget', () => {
    const defaults = { attempts: 3, baseDelayMs: 200, maxDelayMs: 2000 };
    expect(retryBudgetMs(defaults)).toBe(600);
    expect(worstCaseCallMs(defaults, 10_000)).toBe(30_600);
    expect(retryBudgetMs({ attempts: 1, baseDelayMs: 200, maxDelayMs: 2000 })).toBe(0);
  });
});

describe('which failures may be sent again', () => {
  it('a retryable platform code ("busy, retry"), for any call', () => {
    expect(mayResend(platformError(-1, true), 'idempotent')).toBe(true);
    expect(mayResend(platformError(-1, true), 'single_use')).toBe(true);
  });

  it('a permanent platform code or a library error, never', () => {
    expect(mayResend(platformError(40013, false), 'idempotent')).toBe(false);
    const shutdown = new OpenPlatformError({ platform: 'library', code: 'TRANSPORT', message: 'x', retryable: true });
    expect(mayResend(shutdown, 'idempotent')).toBe(false);
    expect(mayResend(new Error('raw'), 'idempotent')).toBe(false);
  });

  it('a transport failure that may have reached the platform: idempotent calls only', () => {
    expect(mayResend(transportError(), 'idempotent')).toBe(true);
    expect(mayResend(transportError(), 'single_use')).toBe(false);
  });
});

describe('UpstreamRetry.run', () => {
  it('retries transient failures and answers the first success; each retry is announced with its delay', async () => {
    const notices: RetryNotice[] = [];
    const retry = new UpstreamRetry(
      POLICY,
      (n) => notices.push(n),
      () => 0.99,
    );
    const s = script(platformError(-1, true), transportError());
    expect(await retry.run(IDEMPOTENT, s.attempt)).toBe('ok');
    expect(s.calls()).toBe(3);
    expect(notices.map((n) => [n.attempt, n.delayMs, n.endpoint])).toEqual([
      [1, 0, 'list'], // floor(0.99 × 1)
      [2, 1, 'list'], // floor(0.99 × 2)
    ]);
  });

  it('full jitter: every delay lies in [0, cap)', async () => {
    const notices: RetryNotice[] = [];
    const retry = new UpstreamRetry({ attempts: 4, baseDelayMs: 3, maxDelayMs: 5 }, (n) => notices.push(n));
    await retry.run(IDEMPOTENT, script(transportError(), transportError(), transportError()).attempt);
    const caps = [3, 5, 5];
    notices.forEach((n, i) => {
      expect(n.delayMs).toBeGreaterThanOrEqual(0);
      expect(n.delayMs).toBeLessThan(caps[i]);
    });
  });

  it('a permanent failure surfaces at once, unchanged, after one attempt', async () => {
    const permanent = platformError(40013, false);
    const s = script(permanent);
    expect(await failure(new UpstreamRetry(POLICY).run(IDEMPOTENT, s.attempt))).toBe(permanent);
    expect(s.calls()).toBe(1);
  });

  it('gives up after `attempts` sends with the last error, its code and retryable kept, saying so', async () => {
    const s = script(transportError(), transportError(), platformError(-1, true), platformError(-1, true));
    const err = await failure(new UpstreamRetry(POLICY).run(IDEMPOTENT, s.attempt));
    expect(s.calls()).toBe(3);
    expect(err).toMatchObject({ platform: 'wechat', code: -1, retryable: true });
    expect(err.message).toContain('gave up after 3 attempts');
  });

  it('a single-use call whose answer may be lost is not sent again, and says why', async () => {
    const s = script(transportError());
    const err = await failure(new UpstreamRetry(POLICY).run(SINGLE_USE, s.attempt));
    expect(s.calls()).toBe(1);
    expect(err).toMatchObject({ code: OpenPlatformErrorCode.TRANSPORT, retryable: true });
    expect(err.message).toContain('not sent again');
  });

  it('a single-use call is sent again after "busy" or a refused connection', async () => {
    const port = await closedPort();
    const refused = await failure(
      callUpstream(axios.create({ timeout: 2000 }), 'douyin', 'auth token', { url: `http://127.0.0.1:${port}/x` }),
    );
    const s = script(platformError(-1, true), refused);
    expect(await new UpstreamRetry(POLICY).run(SINGLE_USE, s.attempt)).toBe('ok');
    expect(s.calls()).toBe(3);
  });

  it('attempts: 1 never retries', async () => {
    const s = script(transportError());
    await failure(new UpstreamRetry({ ...POLICY, attempts: 1 }).run(IDEMPOTENT, s.attempt));
    expect(s.calls()).toBe(1);
  });

  it('stop() wakes a call sleeping between attempts; it gives up instead of sending again', async () => {
    const retry = new UpstreamRetry({ attempts: 3, baseDelayMs: 60_000, maxDelayMs: 60_000 }, undefined, () => 0.5);
    const s = script(transportError(), transportError());
    const pending = failure(retry.run(IDEMPOTENT, s.attempt));
    await new Promise((resolve) => setImmediate(resolve));
    retry.stop();
    const err = await pending;
    expect(s.calls()).toBe(1);
    expect(err.code).toBe(OpenPlatformErrorCode.TRANSPORT);
  });
});

describe('callUpstream: what a failure says about delivery', () => {
  const http = axios.create({ timeout: 300 });

  it('a refused connection never reached the platform; the mark survives the retry wrapper', async () => {
    const port = await closedPort();
    const call = () => callUpstream(http, 'wechat', 'list', { url: `http://127.0.0.1:${port}/x` });
    const err = await failure(call());
    expect(err).toMatchObject({ code: OpenPlatformErrorCode.TRANSPORT, retryable: true });
    expect(neverReachedPlatform(err)).toBe(true);
    const wrapped = await failure(new UpstreamRetry({ ...POLICY, attempts: 2 }).run(IDEMPOTENT, call));
    expect(wrapped.message).toContain('gave up after 2 attempts');
    expect(neverReachedPlatform(wrapped)).toBe(true);
  });

  it('a reset after the request arrived may have been processed', async () => {
    const { url, server } = await serve((req) => req.socket.destroy());
    try {
      const err = await failure(callUpstream(http, 'wechat', 'list', { url }));
      expect(err).toMatchObject({ code: OpenPlatformErrorCode.TRANSPORT, retryable: true });
      expect(neverReachedPlatform(err)).toBe(false);
    } finally {
      await close(server);
    }
  });

  it('HTTP 5xx and 429 are retryable, other 4xx are not; the status is kept', async () => {
    let status = 503;
    const { url, server } = await serve((_req, res) => res.writeHead(status).end('<html/>'));
    try {
      for (const [s, retryable] of [
        [503, true],
        [429, true],
        [404, false],
      ] as const) {
        status = s;
        expect(await failure(callUpstream(http, 'wechat', 'list', { url }))).toMatchObject({
          code: OpenPlatformErrorCode.TRANSPORT,
          status: s,
          retryable,
        });
      }
    } finally {
      await close(server);
    }
  });

  it('httpTimeoutMs bounds the whole call: an answer trickling in byte by byte is cut off', async () => {
    const timers: NodeJS.Timeout[] = [];
    const { url, server } = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{');
      // A byte every 50 ms keeps the socket busy, so an idle timeout alone would never fire.
      const timer = setInterval(() => res.write(' '), 50);
      timers.push(timer);
    });
    try {
      const err = await failure(callUpstream(http, 'wechat', 'list', { url }));
      expect(err).toMatchObject({ code: OpenPlatformErrorCode.TRANSPORT, retryable: true });
      expect(err.message).toContain('timed out');
      expect(neverReachedPlatform(err)).toBe(false);
    } finally {
      timers.forEach(clearInterval);
      await close(server);
    }
  });
});
