/**
 * The delay (cap) before retry `n` (from 1): `baseMs`, doubled for each further retry, never over
 * `maxMs`. Shared by every retry loop of the module (upstream calls, lock waits, store writes,
 * Redis reconnects); each adds the jitter its loop needs.
 */
export function exponentialBackoffMs(baseMs: number, maxMs: number, n: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.min(Math.max(n - 1, 0), 30));
}
