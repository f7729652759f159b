import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { FakeHttpServer, type FakeRequest } from './fake-http-server.js';
import { FaultInjector } from './fault-injector.js';

type Endpoint = 'echo' | 'boom';

describe('FakeHttpServer', () => {
  let faults: FaultInjector<Endpoint>;
  let server: FakeHttpServer<Endpoint>;
  let seen: FakeRequest[];

  beforeEach(async () => {
    seen = [];
    faults = new FaultInjector<Endpoint>({ errorBody: (code, msg) => ({ err_no: code, err_msg: msg }) });
    server = new FakeHttpServer<Endpoint>({ faults, maxBodyBytes: 1024, notFoundBody: { missing: true } });
    server.route('post', '/echo', 'echo', (request) => {
      seen.push(request);
      return { status: 201, body: { got: request.json ?? null } };
    });
    server.route('GET', '/boom', 'boom', () => {
      throw new Error('handler bug');
    });
    await server.start();
  });

  afterEach(() => server.stop());

  const post = (path: string, body: string, signal?: AbortSignal) =>
    fetch(`${server.baseUrl}${path}`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json' },
      signal,
    });

  it('listens on 127.0.0.1 and routes by method and pathname, with the query parsed', async () => {
    expect(server.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const response = await post('/echo?x=1', '{"a":1}');
    expect(response.status).toBe(201);
    expect(response.headers.get('content-type')).toMatch(/application\/json/);
    expect(await response.json()).toEqual({ got: { a: 1 } });
    expect(seen[0]).toMatchObject({ method: 'POST', pathname: '/echo', rawBody: '{"a":1}' });
    expect(seen[0].query.get('x')).toBe('1');
  });

  it('gives handlers undefined json for an empty or malformed body, with the raw text', async () => {
    await post('/echo', '');
    await post('/echo', '{not json');
    expect(seen.map((r) => [r.json, r.rawBody])).toEqual([
      [undefined, ''],
      [undefined, '{not json'],
    ]);
  });

  it('answers 404 with the configured body for unknown paths and methods, without counting', async () => {
    const unknownPath = await post('/nope', '{}');
    const wrongMethod = await fetch(`${server.baseUrl}/echo`);
    expect([unknownPath.status, wrongMethod.status]).toEqual([404, 404]);
    expect(await unknownPath.json()).toEqual({ missing: true });
    expect(server.calls('echo')).toBe(0);
  });

  it('refuses bodies over the size cap with 413 before the handler runs', async () => {
    const response = await post('/echo', JSON.stringify({ pad: 'x'.repeat(2000) }));
    expect(response.status).toBe(413);
    expect(seen).toHaveLength(0);
  });

  it('turns a handler exception into a 500 instead of a hung request', async () => {
    const response = await fetch(`${server.baseUrl}/boom`);
    expect(response.status).toBe(500);
    expect(server.calls('boom')).toBe(1);
  });

  it('counts per endpoint and resets', async () => {
    await post('/echo', '{}');
    await post('/echo', '{}');
    await fetch(`${server.baseUrl}/boom`);
    expect([server.calls('echo'), server.calls('boom')]).toEqual([2, 1]);
    server.resetCalls();
    expect([server.calls('echo'), server.calls('boom')]).toEqual([0, 0]);
  });

  it('renders error faults with the injector body builder', async () => {
    faults.add('echo', { kind: 'error', errcode: 40020, errmsg: 'expired', times: 1 });
    const response = await post('/echo', '{}');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ err_no: 40020, err_msg: 'expired' });
    expect(seen).toHaveLength(0);
  });

  it('lose-response processes the call, then destroys the socket instead of answering', async () => {
    faults.add('echo', { kind: 'lose-response', times: 1 });
    await expect(post('/echo', '{"n":1}')).rejects.toThrow();
    expect(seen.map((r) => r.json)).toEqual([{ n: 1 }]);
    expect((await post('/echo', '{"n":2}')).status).toBe(201);
    expect(server.calls('echo')).toBe(2);
  });

  it('still processes a delayed call whose client gave up (a lost response)', async () => {
    faults.add('echo', { kind: 'delay', ms: 150, times: 1 });
    await expect(post('/echo', '{"lost":true}', AbortSignal.timeout(30))).rejects.toThrow();
    expect(seen).toHaveLength(0);
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(seen.map((r) => r.json)).toEqual([{ lost: true }]);
  });

  it('stop() cancels pending delays, closes keep-alive sockets, and the server can start again', async () => {
    await post('/echo', '{}'); // leaves a keep-alive connection in fetch's pool
    faults.add('echo', { kind: 'delay', ms: 60_000, times: 1 });
    const pending = post('/echo', '{}');
    await new Promise((resolve) => setTimeout(resolve, 50));
    await server.stop();
    await expect(pending).rejects.toThrow();
    expect(() => server.baseUrl).toThrow(/not started/);
    expect(seen).toHaveLength(1); // the cancelled call never reached its handler

    await server.start();
    expect((await post('/echo', '{}')).status).toBe(201);
  });

  it('refuses to start twice', async () => {
    await expect(server.start()).rejects.toThrow(/already started/);
  });

  it('sends a text reply with extra headers, then runs afterSend once the reply is written', async () => {
    const order: string[] = [];
    const textServer = new FakeHttpServer<Endpoint>({ faults: new FaultInjector<Endpoint>() });
    textServer.route('GET', '/page', 'echo', () => ({
      status: 302,
      text: 'moved',
      contentType: 'text/plain; charset=utf-8',
      headers: { location: 'https://a.example/cb' },
      afterSend: () => order.push('afterSend'),
    }));
    textServer.route('GET', '/empty', 'boom', () => ({}));
    await textServer.start();
    try {
      const response = await fetch(`${textServer.baseUrl}/page`, { redirect: 'manual' });
      order.push('answered');
      expect([response.status, response.headers.get('location'), response.headers.get('content-type')]).toEqual([
        302,
        'https://a.example/cb',
        'text/plain; charset=utf-8',
      ]);
      expect(await response.text()).toBe('moved');
      expect(order).toEqual(['afterSend', 'answered']);
      expect(await (await fetch(`${textServer.baseUrl}/empty`)).json()).toBeNull();
    } finally {
      await textServer.stop();
    }
  });
});
