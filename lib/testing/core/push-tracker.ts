/**
 * What the app answered to a push.
 *
 * @inline
 */
export interface PushAnswer {
  /** HTTP status of the app's answer. */
  status: number;
  /** The app's answer body. */
  body: string;
}

/** Outcome of one tracked push: the app's answer, or why it could not be delivered. */
export interface TrackedPushOutcome<R extends PushAnswer = PushAnswer> {
  /** The app's answer, when the push reached the app. */
  pushed?: R;
  /** Why the push failed (e.g. connection refused); the state change that caused it stands anyway. */
  pushError?: string;
}

/** A logged push: the fields the platform describes it by, plus its outcome once known. */
export type TrackedPushRecord<F, R extends PushAnswer = PushAnswer> = F & { result?: R; error?: string };

/**
 * Event pushes made by an emulator itself: logged for tests, tracked while in flight so `settle()`
 * / `stop()` can await them, and never rejecting (failures are recorded). `F` is what a record
 * shows of a push; each platform has its own.
 */
export class PushTracker<F extends object, R extends PushAnswer = PushAnswer> {
  private readonly pending = new Set<Promise<unknown>>();
  private readonly log: Array<TrackedPushRecord<F, R>> = [];

  /** Tracks `send()`, logging `fields` for it. */
  track(fields: F, send: () => Promise<R>): Promise<TrackedPushOutcome<R>> {
    const record = { ...fields } as TrackedPushRecord<F, R>;
    this.log.push(record);
    const outcome = send().then(
      (result): TrackedPushOutcome<R> => {
        record.result = result;
        return { pushed: result };
      },
      (error: unknown): TrackedPushOutcome<R> => {
        record.error = describeError(error);
        return { pushError: record.error };
      },
    );
    this.pending.add(outcome);
    void outcome.finally(() => this.pending.delete(outcome));
    return outcome;
  }

  /** Resolves once no push is in flight (pushes started meanwhile included). */
  async settle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  records(): Array<TrackedPushRecord<F, R>> {
    return this.log.map((record) => ({ ...record }));
  }

  reset(): void {
    this.log.length = 0;
  }
}

function describeError(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${String(error)}${cause}`;
}
