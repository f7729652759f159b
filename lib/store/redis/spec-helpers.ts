// Helpers of the Redis integration specs and e2e suites (not shipped: excluded from the package).
import { createClient, type RedisClientType } from '@keyv/redis';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:net';

/** The shared Redis of the project's machines (TOOLCHAIN.md); `.ci/run` starts it when absent. */
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A key prefix no other suite (or earlier run) uses. */
export function uniquePrefix(suite: string): string {
  return `test-${suite}-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** A plain client for assertions on what is really in Redis. */
export async function rawClient(url = REDIS_URL): Promise<RedisClientType> {
  const client = createClient({ url, socket: { reconnectStrategy: false } }) as unknown as RedisClientType;
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/** Every key under `prefix:`. */
export async function keysUnder(client: RedisClientType, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const page = await client.scan(cursor, { MATCH: `${prefix}:*`, COUNT: 1000 });
    cursor = String(page.cursor);
    keys.push(...page.keys.map(String));
  } while (cursor !== '0');
  return keys.sort();
}

/** Deletes every key under `prefix:`. */
export async function deleteUnder(client: RedisClientType, prefix: string): Promise<void> {
  const keys = await keysUnder(client, prefix);
  if (keys.length) await client.del(keys);
}

/** A free loopback TCP port. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  server.close();
  await once(server, 'close');
  return port;
}

/**
 * A Redis server of the test's own (no persistence), to stop and start again: outages without
 * touching the shared one.
 */
export class OwnRedisServer {
  private process?: ChildProcess;

  private constructor(readonly port: number) {}

  static async start(): Promise<OwnRedisServer> {
    const server = new OwnRedisServer(await freePort());
    await server.restart();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts the server (again) on its port and waits until it answers. */
  async restart(): Promise<void> {
    if (this.process) throw new Error('already running');
    const child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    this.process = child;
    for (let attempt = 0; attempt < 200; attempt++) {
      if (child.exitCode !== null) throw new Error(`redis-server exited (${child.exitCode})`);
      try {
        const client = await rawClient(this.url);
        await client.ping();
        client.destroy();
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 25));
      }
    }
    throw new Error('redis-server did not answer');
  }

  /** Kills the server (like a crash: connections drop) and waits until it is gone. */
  async stop(): Promise<void> {
    const child = this.process;
    if (!child) return;
    this.process = undefined;
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    }
  }
}
