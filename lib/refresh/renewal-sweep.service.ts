import { Inject, Injectable, Logger } from '@nestjs/common';
import { AuthorizerRenewals } from '../authorizers/authorizer-renewals.js';
import { AuthorizerStore } from '../authorizers/authorizer.store.js';
import { AuthorizerTokenService } from '../authorizers/authorizer-token.service.js';
import { Clock } from '../clock/clock.js';
import { OpenPlatformError } from '../errors/open-platform.error.js';
import { ComponentsService } from '../components/components.service.js';
import { OPEN_PLATFORM_OPTIONS } from '../open-platform.constants.js';
import type { ResolvedComponent, ResolvedOptions } from '../options/resolved-options.js';
import { TicketStore } from '../tickets/ticket.store.js';
import { ComponentTokenService } from '../tokens/component-token.service.js';
import { scheduledRenewalAt } from '../tokens/renewal.js';
import { TicketWatch } from './ticket-watch.js';

/** What one tick did. */
export interface SweepReport {
  /** Component tokens renewed. */
  components: number;
  /** Authorizer tokens renewed. */
  authorizers: number;
  /** Renewals that failed (each reported by a `token.refresh_failed` event; retried next tick). */
  failed: number;
  /** Due authorizers left for the next tick because the platform looked down (transient failures in a row). */
  deferred: number;
  startedAt: number;
  finishedAt: number;
}

/** How many due authorizers a tick reads from the index at a time. */
const PAGE = 1000;

/**
 * One renewal tick: per component, checks its ticket, renews its token when due before the next
 * tick, then renews every authorizer the due-time index says is due before the next tick, at most
 * `refresh.concurrency` at a time. Ticks never overlap, and one failure never stops the others.
 */
@Injectable()
export class RenewalSweep {
  private readonly logger = new Logger('OpenPlatform:Renewal');
  private running: Promise<SweepReport | undefined> | undefined;
  private stopping = false;
  private lastReport: SweepReport | undefined;

  constructor(
    private readonly components: ComponentsService,
    private readonly tickets: TicketStore,
    private readonly ticketWatch: TicketWatch,
    private readonly componentTokens: ComponentTokenService,
    private readonly authorizerTokens: AuthorizerTokenService,
    private readonly authorizers: AuthorizerStore,
    private readonly renewals: AuthorizerRenewals,
    private readonly clock: Clock,
    @Inject(OPEN_PLATFORM_OPTIONS) private readonly options: ResolvedOptions,
  ) {}

  /** The last finished tick, if any. */
  get last(): SweepReport | undefined {
    return this.lastReport;
  }

  /**
   * Starts tracking due times: every active authorizer already in the store is indexed once (its
   * cached token's renewal time, or now when none is cached), then kept current as tokens are issued.
   */
  async start(): Promise<void> {
    this.renewals.enable();
    this.ticketWatch.start();
    for (const component of this.components.all()) {
      for (const record of await this.authorizers.list(component)) {
        if (record.status !== 'active') continue;
        await this.renewals.track(
          component,
          record,
          await this.authorizerTokens.cached(component, record.authorizerAppId),
        );
      }
    }
  }

  /** Runs a tick unless one is still running (then resolves undefined at once). */
  tick(): Promise<SweepReport | undefined> {
    if (this.running || this.stopping) {
      if (this.running) this.logger.debug('renewal tick skipped: the previous one is still running');
      return Promise.resolve(undefined);
    }
    // Never rejects: a tick runs from a timer, where a rejection would be unhandled.
    const run = this.sweep()
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
    await this.running?.catch(() => undefined);
  }

  private async sweep(): Promise<SweepReport> {
    const startedAt = this.clock.now();
    // Work due before the next tick is done now: the next tick may come too late for it.
    const until = startedAt + this.options.refresh.intervalMs;
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
      await this.guard(report, async () => {
        if (await this.renewComponent(component, until)) report.components++;
      });
      // Reading the index may fail (the shared store is down): counted, retried next tick.
      await this.guard(report, () => this.renewAuthorizers(component, until, report));
    }
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

  private async renewAuthorizers(component: ResolvedComponent, until: number, report: SweepReport): Promise<void> {
    const seen = new Set<string>();
    // Transient failures in a row: the platform looks down. Each renewal would wait out its
    // retries (up to attempts × httpTimeoutMs), so a tick over thousands of authorizers would run
    // for hours against a platform that is not answering: the rest waits for the next tick.
    const pauseAfter = Math.max(4, this.options.refresh.concurrency);
    let transientInARow = 0;
    let paused = false;
    while (!this.stopping && !paused) {
      // Worked members leave the due range (renewed) or stay (failed): skip the ones seen this tick.
      const page = (await this.renewals.due(component, until, seen.size + PAGE)).filter((e) => !seen.has(e.member));
      if (!page.length) return;
      await inParallel(page, this.options.refresh.concurrency, async ({ member }) => {
        if (this.stopping || paused) return;
        seen.add(member);
        try {
          const outcome = await this.authorizerTokens.renewScheduled(component, member, until);
          if (outcome === 'renewed') report.authorizers++;
          transientInARow = 0;
        } catch (err) {
          report.failed++;
          this.logger.debug(`scheduled renewal of ${member} failed: ${(err as Error)?.message ?? String(err)}`);
          transientInARow = err instanceof OpenPlatformError && err.retryable ? transientInARow + 1 : 0;
          if (transientInARow >= pauseAfter && !paused) {
            paused = true;
            this.logger.warn(
              `scheduled renewal of the authorizers of ${component.appId} paused until the next tick: ${transientInARow} renewals in a row failed with transient errors (last: ${(err as Error).message})`,
            );
          }
        }
      });
    }
    if (paused)
      report.deferred += (await this.renewals.due(component, until, seen.size + PAGE)).filter(
        (e) => !seen.has(e.member),
      ).length;
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

/** Runs `work` over `items`, at most `limit` at a time. */
async function inParallel<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
