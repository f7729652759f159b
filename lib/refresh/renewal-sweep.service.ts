import { Inject, Injectable, Logger } from '@nestjs/common';
import { AuthorizerRenewals } from '../authorizers/authorizer-renewals.js';
import { AuthorizerTokenService } from '../authorizers/authorizer-token.service.js';
import { Clock } from '../clock/clock.js';
import { OpenPlatformError, OpenPlatformErrorCode } from '../errors/open-platform.error.js';
import { ComponentsService } from '../components/components.service.js';
import { OPEN_PLATFORM_OPTIONS } from '../open-platform.constants.js';
import type { ResolvedComponent, ResolvedOptions } from '../options/resolved-options.js';
import { PlatformRegistry } from '../platforms/platform-registry.js';
import { DueIndex, type DueEntry } from '../store/due-index.js';
import { TicketStore } from '../tickets/ticket.store.js';
import { SILENT_TELEMETRY, Telemetry } from '../telemetry/telemetry.service.js';
import { ComponentTokenService } from '../tokens/component-token.service.js';
import { scheduledRenewalAt } from '../tokens/renewal.js';
import { DueIndexRebuild } from './due-index-rebuild.js';
import { TicketWatch } from './ticket-watch.js';

/** What one tick did. */
export interface SweepReport {
  /** Component tokens renewed. */
  components: number;
  /** Authorizer tokens renewed. */
  authorizers: number;
  /** Renewals that failed (each reported by a `token.refresh_failed` event; retried next tick). */
  failed: number;
  /**
   * Due authorizers left for the next tick: the platform looked down (transient failures in a
   * row), or the component's own token could not be obtained (counted up to one page).
   */
  deferred: number;
  startedAt: number;
  finishedAt: number;
}

/** How many due authorizers a tick reads from the index at a time. */
export const RENEWAL_PAGE = 1000;

/**
 * One renewal tick: per component, checks its ticket, renews its token when due before the next
 * tick, then renews every authorizer the due-time index says is due before the next tick, at most
 * `refresh.concurrency` at a time, reading the index page by page with a cursor. Ticks never
 * overlap, and one failure never stops the others: a failed authorizer is put off with a backoff;
 * while the component's own token cannot be obtained (no ticket, a rejected secret, an IP not on
 * the whitelist) none of its authorizers is tried.
 */
@Injectable()
export class RenewalSweep {
  private readonly logger = new Logger('OpenPlatform:Renewal');
  private running: Promise<SweepReport | undefined> | undefined;
  private stopping = false;
  private lastReport: SweepReport | undefined;
  /** Components whose token could not be obtained at the last tick, and why (logged once). */
  private readonly unusable = new Map<string, string>();
  /** Due entries read per page (a property so tests can page small indexes). */
  pageSize = RENEWAL_PAGE;
  /**
   * How late after its timer a scheduled tick may start, at random (fleet mode: half the
   * interval; one process: 0). A fleet's processes boot within milliseconds of one another, and
   * timers in one phase would hand every renewal to the process whose timer fires first, tick
   * after tick; a random start per tick spreads the work over the fleet. Each tick looks this much
   * further ahead, so nothing is renewed later than without it.
   */
  readonly spreadMs: number;

  constructor(
    private readonly components: ComponentsService,
    private readonly tickets: TicketStore,
    private readonly ticketWatch: TicketWatch,
    private readonly componentTokens: ComponentTokenService,
    private readonly authorizerTokens: AuthorizerTokenService,
    private readonly renewals: AuthorizerRenewals,
    private readonly rebuild: DueIndexRebuild,
    private readonly platforms: PlatformRegistry,
    private readonly clock: Clock,
    index: DueIndex,
    @Inject(OPEN_PLATFORM_OPTIONS) private readonly options: ResolvedOptions,
    private readonly telemetry: Telemetry = SILENT_TELEMETRY,
  ) {
    this.spreadMs = index.shared ? Math.floor(options.refresh.intervalMs / 2) : 0;
  }

  /** The last finished tick, if any. */
  get last(): SweepReport | undefined {
    return this.lastReport;
  }

  /**
   * Starts tracking due times: they are kept current as tokens are issued, and every active
   * authorizer already in the store is indexed by a rebuild in the background (ticks wait for it;
   * the boot does not).
   */
  start(): void {
    this.renewals.enable();
    this.ticketWatch.start();
    this.rebuild.start();
  }

  /** Runs a tick unless one is still running (then resolves undefined at once). */
  tick(): Promise<SweepReport | undefined> {
    if (this.running || this.stopping) {
      if (this.running) this.logger.debug('renewal tick skipped: the previous one is still running');
      return Promise.resolve(undefined);
    }
    // Never rejects: a tick runs from a timer, where a rejection would be unhandled.
    const run = this.telemetry
      .tick(() => this.sweep(), tickAttributes)
      .catch((err: unknown) => {
        this.logger.error(`renewal tick failed: ${(err as Error)?.message ?? String(err)}`);
        return undefined;
      })
      .finally(() => (this.running = undefined));
    this.running = run;
    return run;
  }

  /** Takes no more work; resolves when the running tick (if any) has finished its calls. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all([this.running?.catch(() => undefined), this.rebuild.stop()]);
  }

  private async sweep(): Promise<SweepReport> {
    await this.rebuild.booted;
    const startedAt = this.clock.now();
    // Work due before the next tick is done now: the next tick may come too late for it (up to an
    // interval and the next tick's random start later).
    const until = startedAt + this.options.refresh.intervalMs + this.spreadMs;
    const report: SweepReport = {
      components: 0,
      authorizers: 0,
      failed: 0,
      deferred: 0,
      startedAt,
      finishedAt: startedAt,
    };
    for (const component of this.components.all()) {
      if (this.stopping) break;
      await this.guard(report, () => this.ticketWatch.check(component));
      let componentError: unknown;
      await this.guard(report, async () => {
        try {
          if (await this.renewComponent(component, until)) report.components++;
        } catch (err) {
          componentError = err;
          throw err;
        }
      });
      // Reading the index may fail (the shared store is down): counted, retried next tick.
      await this.guard(report, () => this.renewAuthorizers(component, until, report, componentError));
    }
    if (!this.stopping) void this.rebuild.check();
    report.finishedAt = this.clock.now();
    this.lastReport = report;
    const renewed = report.components + report.authorizers;
    const deferred = report.deferred ? `, ${report.deferred} deferred` : '';
    const summary = `renewal tick: ${report.components} component and ${report.authorizers} authorizer token(s) renewed, ${report.failed} failed${deferred} in ${report.finishedAt - startedAt} ms`;
    if (report.failed)
      this.logger.warn(`${summary}; failed renewals are retried at the next tick (see token.refresh_failed events)`);
    else if (renewed) this.logger.log(summary);
    return report;
  }

  /** Renews the component token if it is due by `until`; false when nothing was due or possible. */
  private async renewComponent(component: ResolvedComponent, until: number): Promise<boolean> {
    const ticket = await this.tickets.get(component);
    // Without a usable ticket there is nothing to renew with; the ticket watch says so.
    if (!ticket || ticket.expiresAt <= this.clock.now()) return false;
    const cached = await this.componentTokens.cached(component);
    if (cached && scheduledRenewalAt(cached, this.options.refresh.marginSeconds, 1) > until) return false;
    const token = await this.componentTokens.get(component, !!cached, cached?.accessToken);
    return token !== cached?.accessToken;
  }

  private async renewAuthorizers(
    component: ResolvedComponent,
    until: number,
    report: SweepReport,
    componentError: unknown,
  ): Promise<void> {
    let page = await this.renewals.due(component, until, this.pageSize);
    if (!page.length) return;
    if (componentError === undefined) {
      try {
        // Every authorizer renewal needs it: without it, each would fail the same way.
        await this.componentTokens.get(component);
      } catch (err) {
        report.failed++;
        componentError = err;
      }
    }
    if (componentError !== undefined) return this.skipAuthorizers(component, page.length, report, componentError);
    if (this.unusable.delete(component.appId))
      this.logger.log(`the token of ${component.appId} can be obtained again: its authorizers are renewed again`);
    // Members renewed this tick whose new due time still falls before `until` (short-lived tokens)
    // come back after the cursor: they are not renewed twice in a tick.
    const seen = new Set<string>();
    // Transient failures in a row: the platform looks down. Each renewal would wait out its
    // retries (up to attempts × httpTimeoutMs), so a tick over thousands of authorizers would run
    // for hours against a platform that is not answering: the rest waits for the next tick.
    const pauseAfter = Math.max(4, this.options.refresh.concurrency);
    let transientInARow = 0;
    let stop: string | undefined;
    let cursor: DueEntry | undefined;
    let left = 0;
    for (
      ;
      !this.stopping && stop === undefined;
      page = await this.renewals.due(component, until, this.pageSize, cursor)
    ) {
      if (!page.length) return;
      cursor = page[page.length - 1];
      const todo = page.filter((e) => !seen.has(e.member));
      let worked = 0;
      await inParallel(todo, this.options.refresh.concurrency, async ({ member }) => {
        if (this.stopping || stop !== undefined) return;
        seen.add(member);
        worked++;
        try {
          const outcome = await this.authorizerTokens.renewScheduled(component, member, until);
          if (outcome === 'renewed') report.authorizers++;
          transientInARow = 0;
        } catch (err) {
          report.failed++;
          const message = (err as Error)?.message ?? String(err);
          if (this.componentUnusable(component, err)) {
            // Not this authorizer's fault: it keeps its due time, and the component is skipped.
            stop ??= `the token of ${component.appId} cannot be obtained (${message})`;
            return;
          }
          await this.renewals
            .postpone(component, member)
            .then((at) =>
              this.logger.debug(
                `scheduled renewal of ${member} failed (${message}); next attempt at ${new Date(at).toISOString()}`,
              ),
            )
            .catch(() => this.logger.debug(`scheduled renewal of ${member} failed (${message})`));
          transientInARow = err instanceof OpenPlatformError && err.retryable ? transientInARow + 1 : 0;
          if (transientInARow >= pauseAfter && stop === undefined)
            stop = `${transientInARow} renewals in a row failed with transient errors (last: ${message})`;
        }
      });
      left = todo.length - worked;
    }
    if (stop === undefined) return;
    const later = cursor ? await this.renewals.due(component, until, this.pageSize, cursor) : [];
    report.deferred += left + later.filter((e) => !seen.has(e.member)).length;
    this.logger.warn(`scheduled renewal of the authorizers of ${component.appId} paused until the next tick: ${stop}`);
  }

  /** The component's token cannot be obtained: its due authorizers wait (said once, until it can). */
  private skipAuthorizers(component: ResolvedComponent, waiting: number, report: SweepReport, error: unknown): void {
    const reason = (error as Error)?.message ?? String(error);
    report.deferred += waiting;
    if (this.unusable.has(component.appId)) {
      this.logger.debug(`authorizers of ${component.appId} still skipped: ${reason}`);
      return;
    }
    this.unusable.set(component.appId, reason);
    this.logger.warn(
      `scheduled renewal of the authorizers of ${component.appId} is skipped while its token cannot be obtained (${reason}); ${waiting} due authorizer(s) wait, and tokens already held keep being served`,
    );
  }

  /** Whether `err` says the component itself is unusable (its token cannot be had), not the authorizer. */
  private componentUnusable(component: ResolvedComponent, err: unknown): boolean {
    if (err instanceof OpenPlatformError && err.code === OpenPlatformErrorCode.NO_TICKET) return true;
    return this.platforms.get(component.platform).failureKind(err) === 'component_unusable';
  }

  /** Runs one piece of work; a failure is counted, never thrown (it was reported where it happened). */
  private async guard(report: SweepReport, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (err) {
      report.failed++;
      this.logger.debug(`scheduled renewal failed: ${(err as Error)?.message ?? String(err)}`);
    }
  }
}

/** What a tick span says about the tick (counts only). */
function tickAttributes(r: SweepReport): Record<string, number> {
  return { components: r.components, authorizers: r.authorizers, failed: r.failed, deferred: r.deferred };
}

/** Runs `work` over `items`, at most `limit` at a time. */
async function inParallel<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
