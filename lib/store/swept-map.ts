/** Below this many entries a map is never swept: a sweep would cost more than it frees. */
const MIN_SWEEP_SIZE = 1_024;

/**
 * A `Map` that drops its stale entries as it grows. Reading a stale entry deletes it, but most keys
 * of a token cache are written once and never read again (a handled push, an exchanged code), so
 * without a sweep they would stay forever. A sweep runs when the map has doubled since the last
 * one: amortized O(1) per `set`, no timer, and `get` (the hot path) is the plain `Map` lookup.
 * The map holds at most about twice its live entries (and at least {@link MIN_SWEEP_SIZE}).
 */
export class SweptMap<V> extends Map<string, V> {
  private sweepAt = MIN_SWEEP_SIZE;

  /** @param isStale whether an entry can go (it is read at sweep time, `now` in epoch ms). */
  constructor(private readonly isStale: (entry: V, now: number) => boolean) {
    super();
  }

  override set(key: string, value: V): this {
    super.set(key, value);
    if (this.size >= this.sweepAt) this.sweep();
    return this;
  }

  /** Deletes every stale entry now. */
  sweep(now = Date.now()): void {
    for (const [key, entry] of this) if (this.isStale(entry, now)) this.delete(key);
    this.sweepAt = Math.max(MIN_SWEEP_SIZE, 2 * this.size);
  }
}
