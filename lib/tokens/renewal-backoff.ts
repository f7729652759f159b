import { exponentialBackoffMs } from '../backoff.js';

/** Pause after the first failed renewal of a key; it doubles with each further failure. */
const FIRST_PAUSE_MS = 1_000;
/** The longest pause between renewal attempts while the current token is still valid. */
const MAX_PAUSE_MS = 60_000;
/** Keys remembered at most: the oldest entry goes first (a forgotten key only loses its pause). */
const MAX_KEYS = 10_000;

/**
 * Per key, when a renewal may be started again in the background after failed ones: 1 s after the
 * first failure, doubling up to 60 s, forgotten on success. While the current token is valid,
 * callers are served at once and a platform that fails gets one attempt per pause instead of
 * one per call.
 */
export class RenewalBackoff {
  private readonly entries = new Map<string, { failures: number; retryAt: number }>();

  /** Whether a background renewal of `key` must wait (a recent one failed). */
  pausing(key: string, now: number): boolean {
    const entry = this.entries.get(key);
    return entry !== undefined && now < entry.retryAt;
  }

  /** Records a failed renewal of `key`; returns the pause before the next background attempt. */
  failed(key: string, now: number): number {
    const failures = (this.entries.get(key)?.failures ?? 0) + 1;
    const pauseMs = exponentialBackoffMs(FIRST_PAUSE_MS, MAX_PAUSE_MS, failures);
    this.entries.delete(key); // re-inserted last: the Map's order is the eviction order
    this.entries.set(key, { failures, retryAt: now + pauseMs });
    if (this.entries.size > MAX_KEYS) this.entries.delete(this.entries.keys().next().value!);
    return pauseMs;
  }

  /** Forgets `key` (renewed, or no valid token left to protect). */
  forget(key: string): void {
    this.entries.delete(key);
  }
}
