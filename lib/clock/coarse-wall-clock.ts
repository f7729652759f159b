/** How long one wall-clock read is reused, at most (ms). */
export const COARSE_CLOCK_RESOLUTION_MS = 1;
/** How many times one read is reused, at most: bounds a long run of awaits that never yields to a timer. */
export const COARSE_CLOCK_MAX_REUSES = 64;

/**
 * `Date.now()` for the warm hit, read at most once per millisecond and per
 * {@link COARSE_CLOCK_MAX_REUSES} calls. A clock read costs more than the rest of a warm hit
 * together (tens of ns on a VM's kvm-clock); the renewal margin is minutes, so a reading up to a
 * millisecond old changes nothing. The same debounce as lru-cache's `ttlResolution`: an unref'd
 * timer forgets the reading, so an idle process keeps no timer and a busy one sets one per ms.
 * A macrotask that blocks the event loop keeps the timer from firing: then the call bound still
 * forces a fresh read every 64 hits.
 */
export class CoarseWallClock {
  private reading = 0;
  private reuses = 0;
  private timer = false;
  private readonly forget = () => {
    this.reading = 0;
    this.timer = false;
  };

  now(): number {
    if (this.reading !== 0 && ++this.reuses < COARSE_CLOCK_MAX_REUSES) return this.reading;
    return this.read();
  }

  private read(): number {
    this.reading = Date.now();
    this.reuses = 0;
    if (!this.timer) {
      this.timer = true;
      setTimeout(this.forget, COARSE_CLOCK_RESOLUTION_MS).unref();
    }
    return this.reading;
  }
}

/** One per process: a single timer at most, whoever reads it. */
export const coarseWallClock = new CoarseWallClock();
