import type { INestApplication } from '@nestjs/common';
import { DurableStore, OpenPlatformEvents, type OpenPlatformEvent } from '../../lib/index.js';

/** The httpTimeoutMs of the fault suites: small, so timeouts cost little. */
export const FAULT_TIMEOUT_MS = 250;
/** An answer held this long runs into {@link FAULT_TIMEOUT_MS}. */
export const TIMES_OUT_MS = 4 * FAULT_TIMEOUT_MS;
/** An answer held this long is slow but arrives in time. */
export const SLOW_MS = FAULT_TIMEOUT_MS / 5;

/** Everything in the durable store (tickets, records, refresh tokens) but write times, as one comparable string. */
export async function durableSnapshot(app: INestApplication): Promise<string> {
  const store = app.get(DurableStore);
  const keys = (await store.keys('')).sort();
  const entries = await Promise.all(keys.map(async (k) => [k, await store.get(k)] as const));
  // `updatedAt` is bookkeeping, not data: a Douyin refresh marks its attempt in the record before
  // sending and clears the mark when the platform was never reached, which leaves every field as
  // it was (the mark included) but the write time.
  return JSON.stringify(entries, (key, value: unknown) => (key === 'updatedAt' ? undefined : value));
}

/** Collects the module's events from now on. */
export function collectEvents(app: INestApplication): { events: OpenPlatformEvent[]; stop(): void } {
  const events: OpenPlatformEvent[] = [];
  const sub = app.get(OpenPlatformEvents).events$.subscribe((e) => events.push(e));
  return { events, stop: () => sub.unsubscribe() };
}

/** The port of an emulator's base URL, to start it again on the same one. */
export function portOf(baseUrl: string): number {
  return Number(new URL(baseUrl).port);
}
