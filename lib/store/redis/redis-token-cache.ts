import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { storeUnavailable } from '../../errors/store-unavailable.js';
import { SweptMap } from '../swept-map.js';
import { TokenCache } from '../token-cache.js';
import type { RedisConnection } from './redis-connection.js';

interface Local {
  value: unknown;
  /** When Redis expires the value (epoch ms). */
  expiresAt: number;
  /** When this process last read or wrote it (epoch ms), for the max-age safety net. */
  storedAt: number;
}

/** Default bound on how long a local copy is trusted without reading Redis again. */
export const DEFAULT_LOCAL_MAX_AGE_MS = 60_000;

/**
 * {@link TokenCache} shared through Redis, with a coherent copy in process memory:
 *
 * - `peek` (the hot path) answers from the local copy: no round trip.
 * - `get` always reads Redis (and refreshes the local copy), so the re-check a caller makes after
 *   taking a lock sees what another process just stored, never its own stale copy.
 * - Every `set` / `delete` publishes the key on `{keyPrefix}:invalidate`; every other process
 *   drops its copy when the message arrives, so a replaced token is served at most until then.
 *   A read that was in flight when an invalidation arrived does not store what it read.
 * - Safety net for a lost message: a copy older than `localMaxAgeMs` is read again from Redis.
 * - Invalidation channel down (its connection lost, the command connection still up): messages
 *   are being missed, so no copy is trusted — `peek` answers undefined and callers read Redis —
 *   and once the channel is back every copy is dropped (messages may have been missed until then).
 * - Redis down (the command connection lost): copies still valid keep being served (past the max
 *   age too, as nothing newer can be read), and a `get` that cannot reach Redis answers the local
 *   copy if there is one; otherwise the failure is a retryable `STORE_UNAVAILABLE`.
 * - Copies are swept as the map grows (most keys, e.g. a handled push, are never read again).
 *
 * Keyv (`@keyv/redis`) does the reads and writes; pub/sub is on the raw node-redis connection,
 * which Keyv does not expose an API for. cache-manager is not in between here: it answers a miss
 * when the store throws, which would turn an outage into a silent cache miss instead of failing fast.
 */
export class RedisTokenCache extends TokenCache {
  private readonly logger = new Logger('OpenPlatform:RedisTokenCache');
  private readonly local = new SweptMap<Local>((entry, now) => !this.servable(entry, now));
  /** Tells this process's own messages apart from the others'. */
  private readonly instanceId = randomUUID();
  private readonly channel: string;
  /**
   * Reads in flight per key, and whether the key was invalidated meanwhile: such a read may have
   * seen the replaced value, so it does not store what it read.
   */
  private readonly reading = new Map<string, { readers: number; invalidated: boolean }>();
  private readonly invalidationListeners = new Set<(key: string) => void>();

  constructor(
    private readonly redis: RedisConnection,
    private readonly localMaxAgeMs = DEFAULT_LOCAL_MAX_AGE_MS,
  ) {
    super();
    this.channel = `${redis.keyPrefix}:invalidate`;
  }

  /** Subscribes to other processes' invalidations; call once before use. */
  async start(): Promise<this> {
    await this.redis.subscriber.subscribe(this.channel, (message: string) => this.onMessage(message));
    // After an outage of the channel, messages may have been missed: forget every copy.
    this.redis.subscriber.on('ready', () => this.forgetAll());
    return this;
  }

  /** Calls `listener` with each key another process invalidated here (diagnostics and tests). */
  onInvalidated(listener: (key: string) => void): () => void {
    this.invalidationListeners.add(listener);
    return () => this.invalidationListeners.delete(listener);
  }

  override peek<T>(key: string, now = Date.now()): T | undefined {
    const entry = this.local.get(key);
    if (!entry) return undefined;
    // The usual case first: the channel is up and the copy is young.
    if (this.redis.subscriber.isReady && entry.storedAt + this.localMaxAgeMs > now && entry.expiresAt > now)
      return entry.value as T;
    if (!this.servable(entry, now)) {
      this.local.delete(key);
      return undefined;
    }
    // Redis cannot be read: the copy is the best there is. Otherwise the channel is down, so the
    // copy may have been replaced unseen: Redis answers (the copy stays, for an outage of Redis).
    return this.redis.client.isReady ? undefined : (entry.value as T);
  }

  async get<T>(key: string): Promise<T | undefined> {
    let read = this.reading.get(key);
    if (!read) this.reading.set(key, (read = { readers: 0, invalidated: false }));
    read.readers++;
    let raw: { value?: T; expires?: number } | undefined;
    try {
      this.redis.assertOpen('reading a token');
      raw = (await this.redis.keyv.get<T>(key, { raw: true })) ?? undefined;
    } catch (err) {
      const held = this.peekHeld<T>(key);
      if (held !== undefined) return held;
      throw storeUnavailable('reading a token', err);
    } finally {
      if (--read.readers === 0) this.reading.delete(key);
    }
    const value = raw?.value ?? undefined;
    if (!read.invalidated) {
      if (value === undefined) this.local.delete(key);
      else this.local.set(key, { value, expiresAt: raw?.expires ?? Number.POSITIVE_INFINITY, storedAt: Date.now() });
    }
    return value;
  }

  async set<T>(key: string, value: T, ttlMs: number): Promise<void> {
    const ttl = Math.max(1, Math.floor(ttlMs));
    try {
      this.redis.assertOpen('writing a token');
      await this.redis.keyv.set(key, value, ttl);
    } catch (err) {
      throw storeUnavailable('writing a token', err);
    }
    this.invalidate(key);
    const now = Date.now();
    this.local.set(key, { value, expiresAt: now + ttl, storedAt: now });
    await this.publish(key);
  }

  async delete(key: string): Promise<void> {
    this.invalidate(key);
    try {
      this.redis.assertOpen('deleting a token');
      await this.redis.keyv.delete(key);
    } catch (err) {
      throw storeUnavailable('deleting a token', err);
    }
    await this.publish(key);
  }

  /**
   * Whether a copy may still be served by `peek`: not expired, and young, or old while Redis
   * cannot be read (then nothing newer can be).
   */
  private servable(entry: Local, now: number): boolean {
    return entry.expiresAt > now && (entry.storedAt + this.localMaxAgeMs > now || !this.redis.client.isReady);
  }

  /** A copy held in process, whatever its age (only when Redis cannot be read). */
  private peekHeld<T>(key: string): T | undefined {
    const entry = this.local.get(key);
    return entry && entry.expiresAt > Date.now() ? (entry.value as T) : undefined;
  }

  private async publish(key: string): Promise<void> {
    try {
      await this.redis.client.publish(this.channel, `${this.instanceId} ${key}`);
    } catch {
      // The write itself succeeded; other processes re-read within localMaxAgeMs at worst.
      this.logger.warn(`could not announce a replaced token to other processes; their copies expire by age`);
    }
  }

  private onMessage(message: string): void {
    const space = message.indexOf(' ');
    if (space < 0 || message.slice(0, space) === this.instanceId) return;
    const key = message.slice(space + 1);
    this.invalidate(key);
    for (const listener of this.invalidationListeners) listener(key);
  }

  private invalidate(key: string): void {
    this.local.delete(key);
    const read = this.reading.get(key);
    if (read) read.invalidated = true;
  }

  private forgetAll(): void {
    this.local.clear();
    for (const read of this.reading.values()) read.invalidated = true;
  }
}
