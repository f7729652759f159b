/**
 * How long a token obtained to replace a rejected one is not replaced again for being rejected:
 * an API that answers "invalid token" for another reason (WeChat 40014 from a misrouted call, a
 * Douyin 28001003 on an unrelated endpoint) would otherwise renew on every call, and on Douyin
 * each renewal spends a single-use refresh token.
 */
export const REJECTED_RENEWAL_WINDOW_MS = 60_000;
/** Keys remembered at most: the oldest entry goes first. */
const MAX_KEYS = 10_000;

interface Entry {
  /** When the replacing token was obtained (epoch ms). */
  at: number;
  /** The token that replaced the rejected one. */
  produced: string;
  /** Whether a refused renewal was already logged in this window. */
  warned: boolean;
}

/** Per key, the last renewal made because the platform rejected the token. */
export class RejectedRenewals {
  private readonly entries = new Map<string, Entry>();

  /**
   * Whether replacing `rejected` now would repeat, within the window, a renewal that was made to
   * replace a rejected token and produced `rejected` itself. `firstInWindow` tells the caller to log.
   */
  repeats(key: string, rejected: string, now: number): { repeat: boolean; firstInWindow: boolean } {
    const entry = this.entries.get(key);
    if (!entry || now - entry.at >= REJECTED_RENEWAL_WINDOW_MS) {
      if (entry) this.entries.delete(key);
      return { repeat: false, firstInWindow: false };
    }
    if (entry.produced !== rejected) return { repeat: false, firstInWindow: false };
    const firstInWindow = !entry.warned;
    entry.warned = true;
    return { repeat: true, firstInWindow };
  }

  /** Records that `produced` was obtained at `now` to replace a rejected token. */
  record(key: string, produced: string, now: number): void {
    this.entries.delete(key);
    this.entries.set(key, { at: now, produced, warned: false });
    if (this.entries.size > MAX_KEYS) this.entries.delete(this.entries.keys().next().value!);
  }

  forget(key: string): void {
    this.entries.delete(key);
  }
}
