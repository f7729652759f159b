/** What one walk is asked to look for. */
export interface WalkRequest {
  /** The ids its callers look for. */
  readonly ids: ReadonlySet<string>;
  /** Whether a caller wants the whole list (no early stop). */
  readonly all: boolean;
}

interface Batch<R> {
  ids: Set<string>;
  all: boolean;
  promise: Promise<R>;
  start: () => void;
}

/**
 * Coalesces walks of one list: at most one walk runs at a time, and callers arriving while it
 * runs are batched into the single next walk ("one running, one queued").
 *
 * A caller never joins a walk that has already started: that walk may have passed, on a page
 * fetched before the caller arrived, the very entry the caller needs in its current state (a
 * refresh token rotated a moment ago). Every caller therefore gets the report of a walk that
 * started after it asked, and a burst of N callers costs at most two walks.
 *
 * A walk that fails rejects exactly the callers of its batch; the queued batch still runs.
 */
export class WalkBatcher<R> {
  private running = false;
  private queued: Batch<R> | undefined;

  constructor(private readonly walk: (request: WalkRequest) => Promise<R>) {}

  /** The report of a walk, started after this call, that looks for `id`. */
  find(id: string): Promise<R> {
    const batch = this.next();
    batch.ids.add(id);
    return batch.promise;
  }

  /** The report of a walk, started after this call, over the whole list. */
  findAll(): Promise<R> {
    const batch = this.next();
    batch.all = true;
    return batch.promise;
  }

  private next(): Batch<R> {
    if (this.queued) return this.queued;
    let start!: () => void;
    const started = new Promise<void>((resolve) => (start = resolve));
    const batch: Batch<R> = {
      ids: new Set(),
      all: false,
      start,
      // Starts once the previous walk is over, and never before the current event-loop turn
      // ends: callers started together reach here after different numbers of promise hops, and
      // all of them should share the walk.
      promise: started.then(() => {
        if (this.queued === batch) this.queued = undefined;
        this.running = true;
        return this.walk({ ids: batch.ids, all: batch.all });
      }),
    };
    this.queued = batch;
    batch.promise.then(
      () => this.finished(),
      () => this.finished(),
    );
    if (!this.running) setImmediate(start);
    return batch;
  }

  private finished(): void {
    this.running = false;
    this.queued?.start();
  }
}
