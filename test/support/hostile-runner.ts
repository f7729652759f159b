import { Agent } from 'node:http';
import type { HostileCase } from './hostile-cases.js';
import { rawRequest } from './raw-http.js';

/** A case that got an answer outside its expected statuses (or no answer at all). */
export interface HostileFailure {
  seed: string;
  round: number;
  index: number;
  name: string;
  status: number | string;
  expected: number[];
}

export interface RoundOptions {
  seed: number;
  round: number;
  /** Requests in flight at once, over one keep-alive agent. */
  concurrency: number;
}

/**
 * Sends every case, `concurrency` at a time over keep-alive sockets (a case may ask for a fresh
 * connection with `agent: false`), and returns those whose answer was not one of their expected
 * statuses.
 */
export async function runHostileRound(cases: HostileCase[], opts: RoundOptions): Promise<HostileFailure[]> {
  const failures: HostileFailure[] = [];
  const agent = new Agent({ keepAlive: true, maxSockets: opts.concurrency });
  const seed = `0x${opts.seed.toString(16)}`;
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const index = next++;
      const c = cases[index];
      let status: number | string;
      try {
        status = (await rawRequest({ agent, ...c.request })).status;
      } catch (err) {
        status = `client error ${(err as { code?: string }).code ?? String(err)}`;
      }
      if (typeof status !== 'number' || !c.expect.includes(status))
        failures.push({ seed, round: opts.round, index, name: c.name, status, expected: c.expect });
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  agent.destroy();
  return failures;
}

/** The heap in use after a full collection (`--expose-gc`; without it, whatever is in use). */
export function heapAfterGc(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed;
}

/** Whether `--expose-gc` is on, without which a heap bound means little. */
export const gcExposed = (): boolean => typeof (globalThis as { gc?: () => void }).gc === 'function';
