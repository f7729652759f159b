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

/**
 * Hostile query strings for `…/authorize` and `…/authorized`, as `[route, label, query]`: the same
 * classes on both platforms, with the platform's code parameter (and the other platform's, which
 * must not be taken for it). Every one must get a 4xx and cause no platform call.
 */
export function routeQueryCases(
  codeParam: 'auth_code' | 'authorization_code',
  appIdPrefix: string,
): Array<[route: 'authorize' | 'authorized', label: string, query: string]> {
  const other = codeParam === 'auth_code' ? 'authorization_code' : 'auth_code';
  const same = (route: 'authorize' | 'authorized', query: string): ['authorize' | 'authorized', string, string] => [
    route,
    query,
    query,
  ];
  return [
    same('authorize', 'auth_type=1&auth_type=2'),
    ['authorize', 'auth_type=9…(10,000)', `auth_type=${'9'.repeat(10_000)}`],
    same('authorize', 'auth_type=%20'),
    same('authorize', 'auth_type=-1'),
    same('authorize', 'biz_appid=%20%20%20'),
    same('authorize', `biz_appid=%00${appIdPrefix}`),
    ['authorize', 'biz_appid=x…(10,000)', `biz_appid=${'x'.repeat(10_000)}`],
    ['authorize', 'biz_appid=x…(20,000)', `biz_appid=${'x'.repeat(20_000)}`],
    same('authorize', 'mobile=1&mobile=1'),
    same('authorized', ''),
    same('authorized', `${codeParam}=`),
    same('authorized', `${codeParam}=%20%09%20`),
    same('authorized', `${codeParam}=%E3%80%80`),
    same('authorized', `${codeParam}=%E2%80%8B`),
    same('authorized', `${codeParam}=a&${codeParam}=b`),
    same('authorized', `${codeParam}[]=a`),
    same('authorized', `${codeParam}[__proto__]=a`),
    same('authorized', `__proto__[${codeParam}]=a`),
    same('authorized', '__proto__=x&constructor=y'),
    ['authorized', `${other}=a (the other platform's parameter)`, `${other}=a`],
    ['authorized', `${codeParam}=c…(10,000)`, `${codeParam}=${'c'.repeat(10_000)}`],
    ['authorized', `${codeParam}=c…(20,000)`, `${codeParam}=${'c'.repeat(20_000)}`],
  ];
}
