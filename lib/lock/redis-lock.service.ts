import { exponentialBackoffMs } from '../backoff.js';
import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { OpenPlatformError, OpenPlatformErrorCode } from '../errors/open-platform.error.js';
import { storeUnavailable } from '../errors/store-unavailable.js';
import { runWithLease, type Lease } from './lease.js';
import { LockService, MemoryLockService, untilAborted } from './lock.service.js';

/** The two Redis commands the lock needs (a node-redis 5 client has them). */
export interface LeaseCommands {
  set(
    key: string,
    value: string,
    options: { condition: 'NX'; expiration: { type: 'PX'; value: number } },
  ): Promise<unknown>;
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
}

/** The lease of a Redis lock when the options set none (`redis.lockLeaseMs`). */
export const DEFAULT_LOCK_LEASE_MS = 15_000;

/** Tuning of {@link RedisLockService}. */
export interface RedisLockOptions {
  /** How long a lock outlives a holder that stopped renewing it (a crashed process). Default 15 s. */
  leaseMs?: number;
  /** How long a caller waits for a lock another process holds before giving up. Default 60 s. */
  waitTimeoutMs?: number;
  /** Polling backoff between attempts while waiting: doubles from min to max (with jitter). */
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

// Deletes / extends the lock only if it still holds this holder's token: a holder whose lease ran
// out (and whose lock another process now has) must not release or extend someone else's lock.
const RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";
const EXTEND =
  "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";

/**
 * {@link LockService} across every process sharing one Redis: `SET key token NX PX lease` to take
 * the lock, a compare-and-delete script to release it (only the holder), a compare-and-pexpire
 * script renewing the lease every third of it while the holder works (a refresh slower than the
 * lease is not taken over), and bounded exponential backoff while waiting. A holder that dies
 * stops renewing, so its lock expires after one lease and a waiter takes over.
 *
 * Why not Redlock (`@sesamecare-oss/redlock`): its safety argument needs several independent Redis
 * masters, and with the single Redis (or primary/replica) this module is configured with it
 * reduces to exactly this SET NX PX + scripts, plus an ioredis dependency the module does not
 * otherwise need. What every caller does after taking a lock — re-read the store before acting —
 * is what keeps a rare lease overrun harmless: the second holder sees the first one's result.
 *
 * In front of it, a per-key queue in process memory: callers of one process take turns locally,
 * so only one of them at a time polls Redis.
 */
export class RedisLockService extends LockService {
  private readonly logger = new Logger('OpenPlatform:RedisLock');
  private readonly local = new MemoryLockService();
  private readonly leaseMs: number;
  private readonly waitTimeoutMs: number;
  private readonly minBackoffMs: number;
  private readonly maxBackoffMs: number;

  /**
   * @param client a connected node-redis client
   * @param keyPrefix prefix of the lock keys (`{keyPrefix}:{key}:lock`)
   */
  constructor(
    private readonly client: LeaseCommands,
    private readonly keyPrefix: string,
    options: RedisLockOptions = {},
  ) {
    super();
    this.leaseMs = options.leaseMs ?? DEFAULT_LOCK_LEASE_MS;
    this.waitTimeoutMs = options.waitTimeoutMs ?? 60_000;
    this.minBackoffMs = options.minBackoffMs ?? 10;
    this.maxBackoffMs = options.maxBackoffMs ?? 250;
  }

  runExclusive<T>(key: string, fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const run = this.local.runExclusive(key, () => this.runLeased(`${this.keyPrefix}:${key}:lock`, fn, signal), signal);
    // The wait for Redis ends as soon as the signal aborts, not after the command in flight.
    return signal ? untilAborted(run, signal) : run;
  }

  private async runLeased<T>(lockKey: string, fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const token = randomUUID();
    await this.acquire(lockKey, token, signal);
    const lease: HeldLease = { lost: false, renewedAt: Date.now() };
    const renewal = setInterval(
      () => void this.extend(lockKey, token, lease),
      Math.max(1, Math.floor(this.leaseMs / 3)),
    );
    renewal.unref();
    try {
      return await runWithLease(lease, fn);
    } finally {
      clearInterval(renewal);
      // A release that fails (Redis down) is harmless: the lease ends it.
      await this.client.eval(RELEASE, { keys: [lockKey], arguments: [token] }).catch(() => undefined);
    }
  }

  private async acquire(lockKey: string, token: string, signal?: AbortSignal): Promise<void> {
    const deadline = Date.now() + this.waitTimeoutMs;
    for (let attempt = 0; ; attempt++) {
      if (signal?.aborted) throw signal.reason;
      if (await this.tryAcquire(lockKey, token)) return;
      if (Date.now() >= deadline) throw lockTimeout(this.waitTimeoutMs);
      const backoff = exponentialBackoffMs(this.minBackoffMs, this.maxBackoffMs, attempt + 1);
      // Abortable, so a caller that gives up (shutdown) leaves no timer behind.
      await sleep(backoff / 2 + Math.random() * (backoff / 2), undefined, { signal }).catch(() => undefined);
    }
  }

  private async tryAcquire(lockKey: string, token: string): Promise<boolean> {
    try {
      const answer = await this.client.set(lockKey, token, {
        condition: 'NX',
        expiration: { type: 'PX', value: this.leaseMs },
      });
      return answer === 'OK';
    } catch (err) {
      throw storeUnavailable('taking a lock', err);
    }
  }

  private async extend(lockKey: string, token: string, lease: HeldLease): Promise<void> {
    if (lease.lost) return;
    const startedAt = Date.now();
    try {
      const extended = await this.client.eval(EXTEND, { keys: [lockKey], arguments: [token, String(this.leaseMs)] });
      if (Number(extended) === 1) {
        lease.renewedAt = startedAt;
        return;
      }
      lease.lost = true;
      this.logger.warn(`the lease of ${lockKey} ran out before it was renewed; another process may take over the work`);
    } catch {
      // Redis unreachable: the next renewal tries again. Once no renewal has succeeded for a whole
      // lease, the key may have expired and been taken: the holder must act as if it had.
      if (Date.now() - lease.renewedAt >= this.leaseMs) lease.lost = true;
    }
  }
}

/** A lease as its holder's renewal loop keeps it. */
interface HeldLease extends Lease {
  lost: boolean;
  /** When the last successful renewal (or the acquisition) was sent (epoch ms). */
  renewedAt: number;
}

function lockTimeout(waitedMs: number): OpenPlatformError {
  return new OpenPlatformError({
    platform: 'library',
    code: OpenPlatformErrorCode.LOCK_TIMEOUT,
    message: `another process held the work for more than ${waitedMs} ms; retry later`,
    retryable: true,
  });
}
