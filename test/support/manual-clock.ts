import { Clock } from '../../lib/clock/clock.js';

/** A clock tests move by hand; shared by the app and the emulator. */
export class ManualClock extends Clock {
  constructor(private t = Date.now()) {
    super();
  }
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}
