import { exponentialBackoffMs } from '../../backoff.js';
import { Logger } from '@nestjs/common';
import type { Keyv } from 'keyv';
import type { RedisClientType } from '@keyv/redis';
import { OpenPlatformError, OpenPlatformErrorCode } from '../../errors/open-platform.error.js';
import { storeUnavailable } from '../../errors/store-unavailable.js';
import { loadRedisPackage, type RedisPackage } from './redis-package.js';

/** Where fleet mode keeps its state. */
export interface RedisConfig {
  url: string;
  /** Prefix of every key and channel (`{keyPrefix}:{platform}:{componentAppId}:…`). */
  keyPrefix: string;
  /** How long boot waits for the first connection. Default 10 s. */
  connectTimeoutMs?: number;
}

/** A command never waits longer than this for Redis (a hung server answers nothing). */
const COMMAND_TIMEOUT_MS = 5_000;

/**
 * The module's own Redis connections: one for commands and one for pub/sub (a subscribed
 * connection can run nothing else), plus the Keyv view of the command connection. Both fail fast
 * while Redis is away (`disableOfflineQueue`: a command is refused at once instead of queued until
 * a reconnect that may never come) and reconnect by themselves with a bounded backoff.
 */
export class RedisConnection {
  private readonly logger = new Logger('OpenPlatform:Redis');
  private wasDown = false;
  private closed = false;
  private readonly reconnectListeners: Array<() => void> = [];

  private constructor(
    readonly client: RedisClientType,
    readonly subscriber: RedisClientType,
    /** Keyv on the command connection; keys are `{keyPrefix}:{key}`, values Keyv's JSON envelope. */
    readonly keyv: Keyv,
    readonly keyPrefix: string,
  ) {}

  /** Connects (bounded), or fails the boot with a retryable `STORE_UNAVAILABLE`. */
  static async open(config: RedisConfig, pkg?: RedisPackage): Promise<RedisConnection> {
    const redis = pkg ?? (await loadRedisPackage());
    const client = redis.createClient({
      url: config.url,
      // Named (CLIENT SETNAME) so an operator's CLIENT LIST tells the module's connections apart;
      // keyPrefix is validated to characters a client name allows.
      name: `nest-open-platform:${config.keyPrefix}`,
      disableOfflineQueue: true,
      // Notices a connection that died silently (no FIN) within seconds.
      pingInterval: 5_000,
      commandOptions: { timeout: COMMAND_TIMEOUT_MS },
      socket: {
        connectTimeout: 5_000,
        reconnectStrategy: (retries: number) => exponentialBackoffMs(50, 2_000, retries + 1),
      },
    }) as unknown as RedisClientType;
    const subscriber = client.duplicate();
    // throwOnErrors: the adapter would otherwise answer a miss when Redis is down.
    const adapter = new redis.default(client, {
      namespace: config.keyPrefix,
      keyPrefixSeparator: ':',
      throwOnErrors: true,
    });
    // useKeyPrefix false: the adapter alone prefixes (`{keyPrefix}:{key}`), not Keyv a second time.
    const keyv = new redis.Keyv({
      store: adapter,
      namespace: config.keyPrefix,
      useKeyPrefix: false,
      throwOnErrors: true,
    });
    keyv.on('error', () => undefined); // thrown to callers; the connection logs outages once
    const connection = new RedisConnection(client, subscriber, keyv, config.keyPrefix);
    connection.watch(client);
    connection.watch(subscriber);
    const timeoutMs = config.connectTimeoutMs ?? 10_000;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        Promise.all([client.connect(), subscriber.connect()]),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('timeout')), timeoutMs);
        }),
      ]);
    } catch {
      await connection.close();
      throw new OpenPlatformError({
        platform: 'library',
        code: OpenPlatformErrorCode.STORE_UNAVAILABLE,
        message: `could not connect to Redis at ${endpoint(config.url)} within ${timeoutMs} ms (option redis.url)`,
        retryable: true,
      });
    } finally {
      clearTimeout(timer);
    }
    return connection;
  }

  /** Whether both connections are up right now (no round trip): the health fact. */
  get healthy(): boolean {
    return this.client.isReady && this.subscriber.isReady;
  }

  /** Whether Redis answers a PING (one round trip, fails fast while disconnected). */
  async ping(): Promise<boolean> {
    try {
      return (await this.client.ping()) === 'PONG';
    } catch {
      return false;
    }
  }

  /**
   * Refuses work after shutdown: Keyv's adapter would otherwise reopen a closed connection, and
   * that socket would outlive the app.
   */
  assertOpen(operation: string): void {
    if (this.closed) throw storeUnavailable(operation, { name: 'ConnectionClosed' });
  }

  /** Calls `listener` each time Redis is reachable again after an outage. */
  onReconnect(listener: () => void): void {
    this.reconnectListeners.push(listener);
  }

  /** Closes both connections (idempotent). */
  async close(): Promise<void> {
    this.closed = true;
    for (const c of [this.client, this.subscriber]) {
      if (c.isOpen) c.destroy();
    }
  }

  private watch(client: RedisClientType): void {
    // An 'error' listener is required (node-redis re-emits every socket error), and an outage is
    // logged once when it starts and once when it ends, not per reconnect attempt. Only the
    // error's code or class: never the URL, which may hold a password.
    client.on('error', (err: unknown) => {
      if (this.wasDown || !client.isOpen) return;
      this.wasDown = true;
      const { code } = (err ?? {}) as { code?: unknown };
      this.logger.warn(
        `Redis is unreachable (${typeof code === 'string' ? code : (err as Error)?.constructor?.name}); tokens held in process keep being served, reconnecting`,
      );
    });
    client.on('ready', () => {
      if (!this.wasDown || !this.healthy) return;
      this.wasDown = false;
      this.logger.log('Redis is reachable again');
      for (const listener of this.reconnectListeners) listener();
    });
  }
}

/** `host:port` of a Redis URL, without the user info (a password) it may carry. */
function endpoint(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '6379'}`;
  } catch {
    return 'the configured URL';
  }
}
