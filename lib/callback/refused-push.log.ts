import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../clock/clock.js';
import { REFUSED_PUSH_WARNING_INTERVAL_MS } from '../open-platform.constants.js';

/** Bucket for refusals whose route named no configured component: attacker-chosen names share one. */
const UNKNOWN = '(unknown component)';

interface Window {
  /** When the last warning went out (epoch ms). */
  warnedAt: number;
  total: number;
  byReason: Map<string, number>;
}

/**
 * Logs refused pushes without letting anyone flood the logs: each refusal at debug level, and at
 * most one warning per component per interval that sums up the refusals since the previous one.
 * Counting happens at the next refusal (no timer), so nothing is left running at shutdown.
 */
@Injectable()
export class RefusedPushLog {
  private readonly logger = new Logger('OpenPlatform:Push');
  private readonly windows = new Map<string, Window>();

  constructor(private readonly clock: Clock) {}

  /**
   * Records one refusal.
   * @param componentAppId the configured component the route named, or undefined for an unknown one.
   * @param reason a stable code (e.g. `SIGNATURE_MISMATCH`), never attacker-supplied text.
   */
  refused(componentAppId: string | undefined, reason: string, status: number): void {
    const key = componentAppId ?? UNKNOWN;
    this.logger.debug(`refused a push to ${key} with ${status}: ${reason}`);
    const now = this.clock.now();
    let window = this.windows.get(key);
    if (!window) {
      window = { warnedAt: -Infinity, total: 0, byReason: new Map() };
      this.windows.set(key, window);
    }
    window.total++;
    window.byReason.set(reason, (window.byReason.get(reason) ?? 0) + 1);
    if (now - window.warnedAt < REFUSED_PUSH_WARNING_INTERVAL_MS) return;

    const reasons = [...window.byReason].map(([r, n]) => `${n} ${r}`).join(', ');
    const since = Number.isFinite(window.warnedAt) ? ` since ${new Date(window.warnedAt).toISOString()}` : '';
    this.logger.warn(
      `refused ${window.total} push${window.total === 1 ? '' : 'es'} to ${key}${since}: ${reasons}` +
        ` (each refusal is logged at debug level; next summary in ${REFUSED_PUSH_WARNING_INTERVAL_MS / 1000}s at the earliest)`,
    );
    window.warnedAt = now;
    window.total = 0;
    window.byReason.clear();
  }
}
