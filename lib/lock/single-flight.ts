/**
 * Coalesces concurrent calls for one key into one execution: every caller that arrives while
 * the first is running gets the same promise.
 */
export class SingleFlight {
  private readonly inFlight = new Map<string, Promise<unknown>>();

  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const existing = this.inFlight.get(key);
    if (existing) return existing as Promise<T>;
    // fn starts in a microtask, after the entry is registered, so even a synchronous throw
    // reaches the finally and clears the entry.
    const promise = Promise.resolve()
      .then(fn)
      .finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, promise);
    return promise;
  }
}
