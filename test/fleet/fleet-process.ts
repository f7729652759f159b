import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { Json } from './recording-proxy.js';

/** A message from the app process. */
interface Message {
  id: number;
  ready?: string;
  result?: Json;
  error?: string;
}

/** What a fleet process is configured with (see test/fleet/app.mjs). */
export interface FleetAppConfig {
  redisUrl: string;
  keyPrefix: string;
  lockLeaseMs: number;
  wechat: { component: object; baseUrl: string };
  douyin: { component: object; baseUrl: string; authorizePageUrl: string };
}

const APP = fileURLToPath(new URL('./app.mjs', import.meta.url));
/** Bounds one IPC request (a safety net for a hung child, not a speed assertion). */
const REQUEST_TIMEOUT_MS = 45_000;

/**
 * One app instance in its own plain Node process, driven over IPC. Its stdout and stderr are kept
 * (in `output`) for the leak check. `kill()` is SIGKILL: no shutdown hook runs, like a crash.
 */
export class FleetProcess {
  private next = 0;
  private readonly pending = new Map<number, { resolve: (v: Json) => void; reject: (e: Error) => void }>();
  private readonly exited: Promise<unknown>;
  url = '';

  private constructor(
    readonly slot: number,
    private readonly child: ChildProcess,
  ) {
    this.exited = once(child, 'exit');
    child.on('message', (m: Message) => {
      if (m?.ready) return;
      const waiter = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (m.error !== undefined) waiter?.reject(new Error(`fleet process ${slot}: ${m.error}`));
      else waiter?.resolve(m.result);
    });
    child.on('exit', () => {
      for (const waiter of this.pending.values()) waiter.reject(new Error(`fleet process ${slot} exited`));
      this.pending.clear();
    });
  }

  /** Forks the app and waits until it listens (bounded). */
  static async start(slot: number, config: FleetAppConfig, output: string[]): Promise<FleetProcess> {
    const child = fork(APP, [], {
      env: { ...process.env, NODE_OPTIONS: '', FLEET_APP_CONFIG: JSON.stringify(config) },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    const proc = new FleetProcess(slot, child);
    FleetProcess.all.add(proc);
    const keep = (chunk: Buffer) => output.push(chunk.toString('utf8'));
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    const ready = new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`fleet process ${slot} did not start`)), REQUEST_TIMEOUT_MS);
      child.on('message', (m: Message) => {
        if (!m?.ready) return;
        clearTimeout(timer);
        resolve(m.ready);
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`fleet process ${slot} exited at start (${code ?? signal})`));
      });
    });
    proc.url = await ready;
    return proc;
  }

  /** Every process started and not yet reaped: afterAll kills what is left, whatever happened. */
  static readonly all = new Set<FleetProcess>();

  get pid(): number {
    return this.child.pid!;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  eventsUrl(componentAppId: string): string {
    return `${this.url}/open-platform/${componentAppId}/events`;
  }

  /** The message URL as configured on the platform (`$APPID$` stands for the authorizer). */
  messagesUrl(componentAppId: string): string {
    return `${this.url}/open-platform/${componentAppId}/authorizers/$APPID$/messages`;
  }

  request<T = Json>(op: string, args: object = {}): Promise<T> {
    if (!this.alive) return Promise.reject(new Error(`fleet process ${this.slot} is not running`));
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`fleet process ${this.slot}: ${op} timed out`));
      }, REQUEST_TIMEOUT_MS);
      this.pending.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as T);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.child.send({ id, op, args });
    });
  }

  /** SIGKILL (a crash) and wait until the process is gone. */
  async kill(): Promise<void> {
    if (this.alive) this.child.kill('SIGKILL');
    await this.exited;
    FleetProcess.all.delete(this);
  }

  /** Kills every process still running (afterAll, even after a failure). */
  static async killAll(): Promise<void> {
    await Promise.all([...FleetProcess.all].map((p) => p.kill()));
  }
}
