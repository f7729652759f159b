/**
 * Serializes work on one key. In memory it serializes within the process; the Redis
 * implementation serializes across every process sharing the store.
 */
export abstract class LockService {
  /**
   * Runs `fn` holding the lock of `key`. An aborted `signal` ends the wait for the lock (rejecting
   * with the signal's reason); work already running is not interrupted.
   */
  abstract runExclusive<T>(key: string, fn: () => Promise<T>, signal?: AbortSignal): Promise<T>;

  /**
   * True when `runExclusive(key, …)` called now would start at once, without waiting for anyone
   * (so a caller needs no signal to bound the wait). False when it cannot tell (a distributed lock).
   */
  idle(_key: string): boolean {
    return false;
  }
}

/** {@link LockService} for a single process: a promise chain per key. */
export class MemoryLockService extends LockService {
  private readonly tails = new Map<string, Promise<unknown>>();

  override idle(key: string): boolean {
    return !this.tails.has(key);
  }

  runExclusive<T>(key: string, fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const held = this.tails.get(key);
    const previous = held ?? Promise.resolve();
    // A caller that gave up while waiting skips its turn: the next one's turn comes right away.
    const turn = () => (signal?.aborted ? Promise.reject(signal.reason as Error) : fn());
    const run = previous.then(turn, turn);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    // Uncontended, the turn comes at the next microtask and checks the signal itself: no listener.
    return signal && held ? untilAborted(run, signal) : run;
  }
}

/** `work`, or the signal's reason as soon as it is aborted (the work itself goes on). */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', abort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort));
  });
}
