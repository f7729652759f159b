import { Injectable, Logger } from '@nestjs/common';
import { AuthorizerRenewals } from '../authorizers/authorizer-renewals.js';
import { AuthorizerStore } from '../authorizers/authorizer.store.js';
import { AuthorizerTokenService } from '../authorizers/authorizer-token.service.js';
import { Clock } from '../clock/clock.js';
import { ComponentsService } from '../components/components.service.js';
import type { ResolvedComponent } from '../options/resolved-options.js';

/** Records read (and indexed) at a time by a rebuild. */
export const REBUILD_BATCH = 500;
/** A rebuild asked for because members look missing runs at most this often. */
export const REBUILD_MIN_GAP_MS = 5 * 60_000;
/** A full rebuild runs at least this often anyway (catches losses the counts cannot see). */
export const REBUILD_MAX_AGE_MS = 24 * 60 * 60_000;

/**
 * Rebuilds the due-time index from the durable records: at boot (in the background: the boot never
 * waits for, nor fails on, it), after the index may have lost entries (Redis unreachable, an
 * ephemeral Redis restarted empty while the records live in PostgreSQL), when a tick finds fewer
 * members than active authorizers, and once a day. Members already indexed keep their due time.
 */
@Injectable()
export class DueIndexRebuild {
  private readonly logger = new Logger('OpenPlatform:Renewal');
  private running: Promise<void> | undefined;
  private again = false;
  private lastStartedAt: number | undefined;
  private stopping = false;
  private failed = false;
  /** The boot rebuild, settled (never rejects): ticks wait for it. */
  booted: Promise<void> = Promise.resolve();

  constructor(
    private readonly components: ComponentsService,
    private readonly authorizers: AuthorizerStore,
    private readonly authorizerTokens: AuthorizerTokenService,
    private readonly renewals: AuthorizerRenewals,
    private readonly clock: Clock,
  ) {}

  /** Starts the boot rebuild and listens for possible losses. */
  start(): void {
    this.renewals.onPossibleLoss(() => void this.run('the store was unreachable and may have lost it'));
    this.booted = this.run('boot');
  }

  /** Takes no more work; resolves when a running rebuild has stopped. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.running;
  }

  /**
   * Called after each tick: rebuilds when an index holds fewer members than the component has
   * active authorizers (at most every {@link REBUILD_MIN_GAP_MS}), or when the last full rebuild
   * is a day old. Never throws.
   */
  async check(): Promise<void> {
    if (this.running || this.stopping) return;
    const now = this.clock.now();
    if (this.lastStartedAt !== undefined && now - this.lastStartedAt < REBUILD_MIN_GAP_MS) return;
    if (this.failed || this.lastStartedAt === undefined || now - this.lastStartedAt >= REBUILD_MAX_AGE_MS) {
      void this.run(this.failed ? 'retrying a failed rebuild' : 'daily check');
      return;
    }
    try {
      for (const component of this.components.all()) {
        const [indexed, counts] = await Promise.all([
          this.renewals.size(component),
          this.authorizers.counts(component),
        ]);
        if (indexed < counts.active) {
          void this.run(`${counts.active - indexed} active authorizer(s) of ${component.appId} were not scheduled`);
          return;
        }
      }
    } catch (err) {
      this.logger.debug(`checking the renewal schedule failed: ${(err as Error)?.message}`);
    }
  }

  /** One rebuild at a time; one asked for while another runs runs after it. Never rejects. */
  run(reason: string): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    const run = (async () => {
      do {
        this.again = false;
        this.lastStartedAt = this.clock.now();
        await this.rebuild(reason);
      } while (this.again && !this.stopping);
    })().finally(() => (this.running = undefined));
    this.running = run;
    return run;
  }

  private async rebuild(reason: string): Promise<void> {
    let indexed = 0;
    this.failed = false;
    for (const component of this.components.all()) {
      if (this.stopping) return;
      try {
        indexed += await this.rebuildComponent(component);
      } catch (err) {
        // The store is down or refused: the next check (or reconnect) tries again.
        this.logger.warn(
          `rebuilding the renewal schedule of ${component.appId} failed (${(err as Error)?.message ?? String(err)}); it is tried again within ${REBUILD_MIN_GAP_MS / 60_000} minutes`,
        );
        this.failed = true;
      }
    }
    if (this.failed) return;
    const level = reason === 'boot' || reason === 'daily check' ? 'debug' : 'log';
    this.logger[level](`renewal schedule rebuilt (${reason}): ${indexed} active authorizer(s)`);
  }

  private async rebuildComponent(component: ResolvedComponent): Promise<number> {
    let indexed = 0;
    await this.authorizers.walk(component, REBUILD_BATCH, async (records) => {
      if (this.stopping) return;
      const active = records.filter((r) => r.status === 'active');
      await Promise.all(
        active.map(async (record) =>
          this.renewals.trackIfAbsent(
            component,
            record,
            await this.authorizerTokens.cached(component, record.authorizerAppId),
          ),
        ),
      );
      indexed += active.length;
    });
    return indexed;
  }
}
