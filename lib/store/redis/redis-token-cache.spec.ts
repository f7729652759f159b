import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { RedisClientType } from '@keyv/redis';
import { once } from 'node:events';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { StoreKeys } from '../store-keys.js';
import { RedisConnection } from './redis-connection.js';
import { RedisTokenCache } from './redis-token-cache.js';
import { deleteUnder, rawClient, REDIS_URL, uniquePrefix } from './spec-helpers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits (bounded) until `condition` holds; a state change, not a speed assertion. */
async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await condition()) return;
    await sleep(10);
  }
  throw new Error(`never happened: ${what}`);
}

/**
 * A TCP relay to the shared Redis that can refuse new connections while keeping the open ones:
 * a connection killed on the server then stays down (node-redis reconnects by itself otherwise)
 * while the other one goes on working.
 */
class GatedRelay {
  accepting = true;
  /** The relay's local ports towards Redis: how `CLIENT LIST` names this relay's connections. */
  readonly upstreamPorts = new Set<number>();
  private readonly sockets = new Set<Socket>();
  private constructor(private readonly server: Server) {}

  static async start(): Promise<GatedRelay> {
    const target = new URL(REDIS_URL);
    const relay: GatedRelay = new GatedRelay(
      createServer((inbound) => {
        if (!relay.accepting) return void inbound.destroy();
        const outbound = createConnection(Number(target.port || 6379), target.hostname);
        for (const s of [inbound, outbound]) {
          relay.sockets.add(s);
          s.on('error', () => undefined);
          s.on('close', () => relay.sockets.delete(s));
        }
        outbound.on('connect', () => relay.upstreamPorts.add(outbound.localPort!));
        inbound.pipe(outbound).pipe(inbound);
        inbound.on('close', () => outbound.destroy());
        outbound.on('close', () => inbound.destroy());
      }),
    );
    relay.server.listen(0, '127.0.0.1');
    await once(relay.server, 'listening');
    return relay;
  }

  get url(): string {
    return `redis://127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    this.server.close();
    await once(this.server, 'close');
  }
}

/** Kills, on the server, this relay's connection that is (or is not) subscribed. */
async function killThrough(raw: RedisClientType, relay: GatedRelay, subscribed: boolean): Promise<void> {
  const ours = (await raw.clientList()).filter((c) => relay.upstreamPorts.has(Number(c.addr.split(':').pop())));
  // Flag P: a connection in pub/sub mode (the invalidation channel).
  const target = ours.find((c) => c.flags.includes('P') === subscribed);
  if (!target) throw new Error(`no ${subscribed ? 'subscribed' : 'command'} connection through the relay`);
  await raw.sendCommand(['CLIENT', 'KILL', 'ID', String(target.id)]);
}

describe('RedisTokenCache when its invalidation channel is down (integration, real Redis)', () => {
  const prefix = uniquePrefix('token-cache');
  const key = StoreKeys.authorizerToken('wechat', 'wx_component', 'wx_shop');
  let raw: RedisClientType;
  let relay: GatedRelay;
  // Two processes of a fleet on one prefix: A reaches Redis through the relay, B directly.
  let connA: RedisConnection;
  let connB: RedisConnection;
  let a: RedisTokenCache;
  let b: RedisTokenCache;

  beforeAll(async () => {
    raw = await rawClient();
  });
  afterAll(async () => {
    await deleteUnder(raw, prefix);
    raw.destroy();
  });
  beforeEach(async () => {
    relay = await GatedRelay.start();
    [connA, connB] = await Promise.all([
      RedisConnection.open({ url: relay.url, keyPrefix: prefix }),
      RedisConnection.open({ url: REDIS_URL, keyPrefix: prefix }),
    ]);
    [a, b] = await Promise.all([new RedisTokenCache(connA).start(), new RedisTokenCache(connB).start()]);
  });
  afterEach(async () => {
    await Promise.all([connA.close(), connB.close()]);
    await relay.stop();
  });

  /** A holds `v1`, as B stored it. */
  async function aHoldsV1(): Promise<void> {
    const announced = new Promise<void>((resolve) => {
      const off = a.onInvalidated(() => (off(), resolve()));
    });
    await b.set(key, { accessToken: 'v1' }, 60_000);
    await announced;
    expect(await a.get(key)).toEqual({ accessToken: 'v1' });
    expect(a.peek(key)).toEqual({ accessToken: 'v1' });
  }

  it('stops trusting its copies: a token replaced meanwhile is never served from memory', async () => {
    await aHoldsV1();
    relay.accepting = false;
    await killThrough(raw, relay, true);
    await until(() => !connA.subscriber.isReady, "A's channel is down");
    expect(connA.client.isReady).toBe(true);

    await b.set(key, { accessToken: 'v2' }, 60_000); // A cannot hear about it
    expect(a.peek(key)).toBeUndefined(); // so callers read Redis
    expect(await a.get(key)).toEqual({ accessToken: 'v2' });
    expect(a.peek(key)).toBeUndefined(); // still not trusted while the channel is down

    // Once the channel is back, copies are trusted again (every older one was dropped).
    relay.accepting = true;
    await until(() => connA.subscriber.isReady, "A's channel is back");
    expect(a.peek(key)).toBeUndefined();
    expect(await a.get(key)).toEqual({ accessToken: 'v2' });
    expect(a.peek(key)).toEqual({ accessToken: 'v2' });
  });

  it('keeps serving valid copies when Redis cannot be read at all', async () => {
    await aHoldsV1();
    relay.accepting = false;
    await killThrough(raw, relay, true);
    await until(() => !connA.subscriber.isReady, "A's channel is down");
    await killThrough(raw, relay, false);
    await until(() => !connA.client.isReady, "A's command connection is down");

    expect(a.peek(key)).toEqual({ accessToken: 'v1' });
    expect(await a.get(key)).toEqual({ accessToken: 'v1' });
  });
});

describe('RedisTokenCache local copies (integration, real Redis)', () => {
  const prefix = uniquePrefix('token-cache-sweep');
  let raw: RedisClientType;
  let conn: RedisConnection;
  let cache: RedisTokenCache;

  beforeAll(async () => {
    raw = await rawClient();
    conn = await RedisConnection.open({ url: REDIS_URL, keyPrefix: prefix });
    cache = await new RedisTokenCache(conn).start();
  });
  afterAll(async () => {
    await conn.close();
    await deleteUnder(raw, prefix);
    raw.destroy();
  });

  it('drops expired copies that are never read again: memory stays bounded by the live ones', async () => {
    const perRound = 1_200;
    for (let round = 0; round < 4; round++) {
      // Written once and never read again, like a handled push; expired a few ms later.
      await Promise.all(
        Array.from({ length: perRound }, (_, i) =>
          cache.set(StoreKeys.handledPush('wechat', 'wx_component', `${round}-${i}`), 1, 2),
        ),
      );
      await sleep(5);
    }
    const local = (cache as unknown as { local: Map<string, unknown> }).local;
    expect(local.size).toBeLessThanOrEqual(2 * perRound);
  });
});
