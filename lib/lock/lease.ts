import { AsyncLocalStorage } from 'node:async_hooks';
import { OpenPlatformError, OpenPlatformErrorCode } from '../errors/open-platform.error.js';

/** What a holder of a distributed lock can learn about its lease while it works. */
export interface Lease {
  /** True once the lease could not be renewed in time: another process may hold the lock now. */
  readonly lost: boolean;
}

// The lease of the innermost distributed lock the current async context runs under. A context,
// not a parameter: the work under a lock (a refresh) is several calls deep and crosses services
// that do not know they run under a lock.
const leases = new AsyncLocalStorage<Lease>();

/** Runs `fn` with `lease` as the current lease (the lock services call this). */
export function runWithLease<T>(lease: Lease, fn: () => Promise<T>): Promise<T> {
  return leases.run(lease, fn);
}

/**
 * Throws a retryable `LOCK_LOST` when the work runs under a lease that was lost: before a step
 * another holder may be doing at the same time (presenting a single-use credential, repairing a
 * chain), a holder that may no longer be alone stops. Without a distributed lock it never throws.
 */
export function assertLeaseHeld(what: string): void {
  if (!leases.getStore()?.lost) return;
  throw new OpenPlatformError({
    platform: 'library',
    code: OpenPlatformErrorCode.LOCK_LOST,
    message: `stopped before ${what}: the lock's lease ran out (Redis unreachable or too slow to renew it), so another process may be doing the same work; retry later`,
    retryable: true,
  });
}
