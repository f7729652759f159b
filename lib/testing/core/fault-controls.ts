import type { FaultInjector } from './fault-injector.js';

/**
 * The fault controls both emulators offer on their endpoints, in one place. Each platform adds its
 * own `failNext` (its error envelope differs) and supplies the injector its server consults.
 */
export abstract class FakePlatformFaults<E extends string> {
  /** The injector the emulator's server consults before answering. */
  protected abstract readonly faults: FaultInjector<E>;

  /** The next `times` (default 1) calls to `endpoint` are answered normally after `ms` milliseconds. */
  delayNext(endpoint: E, ms: number, times = 1): void {
    this.faults.add(endpoint, { kind: 'delay', ms, times });
  }

  /** The next `times` (default 1) calls to `endpoint` get their socket destroyed, unanswered and unprocessed. */
  dropNext(endpoint: E, times = 1): void {
    this.faults.add(endpoint, { kind: 'drop', times });
  }

  /**
   * The next `times` (default 1) calls to `endpoint` are processed, then their socket is destroyed
   * unanswered: the platform's state changed (a code was spent, a token issued) but the client never
   * learns how, as when an answer is lost on the way back.
   */
  loseResponseNext(endpoint: E, times = 1): void {
    this.faults.add(endpoint, { kind: 'lose-response', times });
  }

  /**
   * The next call to `endpoint` is processed at once (tokens issued, a refresh token spent), but its
   * answer is held until `release()`: the platform's state has changed while the client is still
   * waiting, as with a slow way back. `processed` resolves once the call was handled. A client that
   * gives up meanwhile (its timeout) sees a lost answer; `stop()` lets held answers go unsent.
   *
   * @example
   * const held = fake.holdAnswerNext('auth_token');
   * const refresh = tokens.getAuthorizerAccessToken(appId, { forceRefresh: true });
   * await held.processed;   // rotated at the platform; the app does not know yet
   * // … act here: re-authorize, take the lock in another process …
   * held.release();
   */
  holdAnswerNext(endpoint: E): { processed: Promise<void>; release(): void } {
    let release!: () => void;
    let onProcessed!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const processed = new Promise<void>((resolve) => (onProcessed = resolve));
    this.faults.add(endpoint, { kind: 'hold-answer', gate, onProcessed, times: 1 });
    return { processed, release };
  }

  /**
   * The next `times` (default 1) calls to `endpoint` answer HTTP `status` with an HTML body, like a failing gateway.
   */
  statusNext(endpoint: E, status: number, times = 1): void {
    this.faults.add(endpoint, { kind: 'status', status, times });
  }

  /** Drops every scheduled fault. */
  clearFaults(): void {
    this.faults.clear();
  }
}
