import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { AuthorizerRenewals } from '../authorizers/authorizer-renewals.js';
import { Clock } from '../clock/clock.js';
import { ComponentsService } from '../components/components.service.js';
import type { ComponentSnapshot, StateSnapshot } from '../telemetry/state-snapshot.js';
import { OPEN_PLATFORM_OPTIONS } from '../open-platform.constants.js';
import type { ResolvedOptions } from '../options/resolved-options.js';
import { Telemetry } from '../telemetry/telemetry.service.js';
import { ComponentTokenService } from '../tokens/component-token.service.js';
import { needsRenewal } from '../tokens/renewal.js';
import { StatusService } from './status.service.js';

/**
 * Feeds the observable gauges (ticket age, authorizers by status, scheduler lag, tokens expiring
 * within the margin, deferred) from
 * the module's status, read once per metric collection: no caller ever pays for them.
 */
@Injectable()
export class TelemetryGauges implements OnModuleInit {
  constructor(
    private readonly telemetry: Telemetry,
    private readonly statuses: StatusService,
    private readonly components: ComponentsService,
    private readonly renewals: AuthorizerRenewals,
    private readonly clock: Clock,
    private readonly componentTokens: ComponentTokenService,
    @Inject(OPEN_PLATFORM_OPTIONS) private readonly options: ResolvedOptions,
  ) {}

  onModuleInit(): void {
    this.telemetry.observe(this.components.all(), () => this.snapshot());
  }

  private async snapshot(): Promise<StateSnapshot> {
    const status = await this.statuses.status();
    const now = this.clock.now();
    const components = await Promise.all(
      this.components.all().map(async (c, i): Promise<ComponentSnapshot> => {
        const s = status.components[i];
        // The oldest entry due by now, if any: one index read of one entry.
        const [oldest, dueAuthorizers, componentToken] = await Promise.all([
          this.renewals.due(c, now, 1).catch(() => undefined),
          // Due in the scheduler's index: inside the renewal window (its jitter moves a few a
          // little earlier), a failed one put off to its next attempt meanwhile.
          this.renewals.countDue(c, now).catch(() => undefined),
          this.componentTokens.cached(c).catch(() => undefined),
        ]);
        const byStatus = Object.fromEntries(Object.entries(s.authorizers).filter(([k]) => k !== 'total'));
        return {
          platform: c.platform,
          component: c.appId,
          ticketAgeMs: s.ticket.ageMs,
          authorizers: byStatus,
          schedulerLagMs: oldest === undefined ? undefined : oldest.length ? Math.max(0, now - oldest[0].dueAt) : 0,
          expiring: {
            component:
              componentToken && (needsRenewal(componentToken, now, this.options.refresh.marginSeconds) ? 1 : 0),
            authorizer: dueAuthorizers,
          },
        };
      }),
    );
    return { components, deferred: status.renewal.lastTick?.deferred };
  }
}
