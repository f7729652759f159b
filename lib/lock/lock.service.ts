/**
 * Serializes work on one key. In memory it serializes within the process; the Redis
 * implementation serializes across every process sharing the store.
 */
export abstract class LockService {
  abstract runExclusive<T>(key: string, fn: () => Promise<T>): Promise<T>;
}

/** {@link LockService} for a single process: a promise chain per key. */
export class MemoryLockService extends LockService {
  private readonly tails = new Map<string, Promise<unknown>>();

  async runExclusive<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const run = previous.then(fn, fn);
    const tail = run.catch(() => undefined);
    this.tails.set(key, tail);
    try {
      return await run;
    } finally {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}
