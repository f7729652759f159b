/**
 * Source of the current time (epoch ms). Renewal, expiry and replay windows read time only
 * from here, so tests can move time without sleeping.
 */
export abstract class Clock {
  abstract now(): number;
}

export class SystemClock extends Clock {
  now(): number {
    return Date.now();
  }
}
