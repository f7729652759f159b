import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../clock/clock.js';
import { OpenPlatformEvents } from '../events/open-platform-events.service.js';
import type { ResolvedComponent } from '../options/resolved-options.js';
import { PlatformRegistry } from '../platforms/platform-registry.js';
import { TicketStore } from '../tickets/ticket.store.js';

/** Which warning a component's current ticket (identified by when it was received) already got. */
interface Warned {
  receivedAt: number | undefined;
  level: 'overdue' | 'expiring';
}

/**
 * Makes missed ticket pushes loud, once per ticket: a warning (and `ticket.overdue`) when no push
 * has arrived for two push intervals, an error (and `ticket.expiring`) when the last ticket has
 * less than a quarter of its life left. A missed push is otherwise silent until the ticket
 * expires hours later and every token of the component stops renewing.
 */
@Injectable()
export class TicketWatch {
  private readonly logger = new Logger('OpenPlatform:Tickets');
  private readonly warned = new Map<string, Warned>();
  private startedAt: number;

  constructor(
    private readonly tickets: TicketStore,
    private readonly platforms: PlatformRegistry,
    private readonly events: OpenPlatformEvents,
    private readonly clock: Clock,
  ) {
    this.startedAt = clock.now();
  }

  /** Starts counting "no ticket since start" from now. */
  start(): void {
    this.startedAt = this.clock.now();
  }

  async check(component: ResolvedComponent): Promise<void> {
    const now = this.clock.now();
    const adapter = this.platforms.get(component.platform);
    const overdueAfter = 2 * adapter.ticketPushIntervalMs;
    const record = await this.tickets.get(component);
    const receivedAt = record?.receivedAt;
    const already = this.warned.get(component.appId);
    const warnedFor = (level: Warned['level']) =>
      !!already && already.receivedAt === receivedAt && (already.level === level || already.level === 'expiring');
    const minutes = (ms: number) => `${Math.round(ms / 60_000)} min`;
    const url = `the authorization-event URL (…/${component.appId}/events)`;

    if (record && record.expiresAt - now < adapter.ticketLifetimeMs / 4) {
      if (warnedFor('expiring')) return;
      this.warned.set(component.appId, { receivedAt, level: 'expiring' });
      const when = record.expiresAt <= now ? 'expired' : `expires in ${minutes(record.expiresAt - now)}`;
      this.logger.error(
        `the verify ticket of component ${component.appId} ${when} (at ${new Date(record.expiresAt).toISOString()}) and no newer one has arrived since ${new Date(record.receivedAt).toISOString()}: once it has expired the component token, and with it every authorizer's token, can no longer be renewed. Check that ${url} is reachable from the platform and that token and encodingAesKey match`,
      );
      this.events.emit({
        type: 'ticket.expiring',
        platform: component.platform,
        componentAppId: component.appId,
        at: now,
        lastReceivedAt: record.receivedAt,
        expiresAt: record.expiresAt,
      });
      return;
    }
    const silentFor = now - (receivedAt ?? this.startedAt);
    if (silentFor <= overdueAfter || warnedFor('overdue')) return;
    this.warned.set(component.appId, { receivedAt, level: 'overdue' });
    this.logger.warn(
      record
        ? `no verify ticket push for component ${component.appId} for ${minutes(silentFor)} (the platform pushes every ${minutes(adapter.ticketPushIntervalMs)}); the last ticket stays in use until ${new Date(record.expiresAt).toISOString()}. Check that ${url} is reachable from the platform`
        : `no verify ticket has arrived for component ${component.appId} in the ${minutes(silentFor)} since the app started (the platform pushes every ${minutes(adapter.ticketPushIntervalMs)}); no component token can be obtained without one. Check that ${url} is reachable from the platform and that token and encodingAesKey match`,
    );
    this.events.emit({
      type: 'ticket.overdue',
      platform: component.platform,
      componentAppId: component.appId,
      at: now,
      ...(receivedAt === undefined ? {} : { lastReceivedAt: receivedAt }),
    });
  }
}
