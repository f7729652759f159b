import { Injectable, type OnModuleInit } from '@nestjs/common';
import { AuthorizerRenewals } from '../authorizers/authorizer-renewals.js';
import { Clock } from '../clock/clock.js';
import { ComponentsService } from '../components/components.service.js';
import type { ComponentSnapshot, StateSnapshot } from '../telemetry/state-snapshot.js';
import { Telemetry } from '../telemetry/telemetry.service.js';
import { StatusService } from './status.service.js';

/**
 * Feeds the observable gauges (ticket age, authorizers by status, scheduler lag, deferred) from
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
        const oldest = await this.renewals.due(c, now, 1).catch(() => undefined);
        const byStatus = Object.fromEntries(Object.entries(s.authorizers).filter(([k]) => k !== 'total'));
        return {
          platform: c.platform,
          component: c.appId,
          ticketAgeMs: s.ticket.ageMs,
          authorizers: byStatus,
          schedulerLagMs: oldest === undefined ? undefined : oldest.length ? Math.max(0, now - oldest[0].dueAt) : 0,
        };
      }),
    );
    return { components, deferred: status.renewal.lastTick?.deferred };
  }
}
