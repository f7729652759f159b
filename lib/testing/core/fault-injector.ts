/**
 * Per-endpoint queues of scripted faults. Tests say "the next N calls to X fail this way"; the
 * HTTP server asks for one fault per incoming call before running the real handler.
 */

/** Answer HTTP 200 with the platform's error envelope (`{errcode, errmsg}` on WeChat). */
export interface ErrorFault {
  kind: 'error';
  errcode: number;
  errmsg: string;
  times: number;
}

/** Hold the reply for `ms`, then handle the call normally. */
export interface DelayFault {
  kind: 'delay';
  ms: number;
  times: number;
}

/** Destroy the socket without answering (a lost response, as seen by the client). */
export interface DropFault {
  kind: 'drop';
  times: number;
}

/** Answer a non-2xx HTTP status with an HTML body, like a failing gateway in front of the API. */
export interface StatusFault {
  kind: 'status';
  status: number;
  times: number;
}

/**
 * Process the call normally, then destroy the socket instead of answering: the platform's state
 * changed (a token was issued, a refresh token spent) but the client never learns how.
 */
export interface LoseResponseFault {
  kind: 'lose-response';
  times: number;
}

/**
 * Process the call at once, then hold its answer until `gate` settles: the platform's state changed
 * now, the client learns it later (a slow way back). Lets a test act in between, deterministically.
 */
export interface HoldAnswerFault {
  kind: 'hold-answer';
  gate: Promise<void>;
  /** Told once the call has been processed (its answer is held from then on). */
  onProcessed: () => void;
  times: number;
}

export type Fault = ErrorFault | DelayFault | DropFault | StatusFault | LoseResponseFault | HoldAnswerFault;

/** One fault applied to one call: the scripted fault without its repeat count. */
export type FaultAction =
  | Omit<ErrorFault, 'times'>
  | Omit<DelayFault, 'times'>
  | Omit<DropFault, 'times'>
  | Omit<StatusFault, 'times'>
  | Omit<LoseResponseFault, 'times'>
  | Omit<HoldAnswerFault, 'times'>;

/**
 * Builds the JSON body of an injected business error; each platform has its own envelope, and on
 * some platforms (Douyin) it differs per endpoint, hence `endpoint`.
 */
export type ErrorBodyBuilder = (errcode: number, errmsg: string, endpoint: string) => unknown;

/** WeChat's envelope: errors are HTTP 200 with `{errcode, errmsg}`. */
export const wechatErrorBody: ErrorBodyBuilder = (errcode, errmsg) => ({ errcode, errmsg });

export interface FaultInjectorOptions {
  /** How an `error` fault is rendered; defaults to the WeChat envelope. */
  errorBody?: ErrorBodyBuilder;
}

export class FaultInjector<E extends string = string> {
  /** Entries are mutated in place (their `times` counts down), so keep them private copies. */
  private readonly queues = new Map<E, Fault[]>();
  readonly errorBody: ErrorBodyBuilder;

  constructor(options: FaultInjectorOptions = {}) {
    this.errorBody = options.errorBody ?? wechatErrorBody;
  }

  /** Appends a fault behind any already scheduled for `endpoint` (FIFO). */
  add(endpoint: E, fault: Fault): void {
    if (!Number.isInteger(fault.times) || fault.times < 1) {
      throw new RangeError(`fault.times must be a positive integer, got ${fault.times}`);
    }
    if (fault.kind === 'delay' && !(fault.ms >= 0)) {
      throw new RangeError(`delay must be >= 0 ms, got ${fault.ms}`);
    }
    const queue = this.queues.get(endpoint) ?? [];
    queue.push({ ...fault });
    this.queues.set(endpoint, queue);
  }

  /** Consumes one use of the oldest fault for `endpoint`, or returns undefined when none is left. */
  take(endpoint: E): FaultAction | undefined {
    const queue = this.queues.get(endpoint);
    const head = queue?.[0];
    if (!queue || !head) return undefined;
    head.times -= 1;
    if (head.times === 0) queue.shift();
    const { times: _times, ...action } = head;
    return action;
  }

  /** Number of calls to `endpoint` that will still be faulted. */
  pending(endpoint: E): number {
    return (this.queues.get(endpoint) ?? []).reduce((sum, f) => sum + f.times, 0);
  }

  clear(): void {
    this.queues.clear();
  }
}
