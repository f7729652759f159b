import { Inject, Injectable } from '@nestjs/common';
import { AuthorizerStore } from '../authorizers/authorizer.store.js';
import { Clock } from '../clock/clock.js';
import { ComponentsService } from '../components/components.service.js';
import { OPEN_PLATFORM_OPTIONS } from '../open-platform.constants.js';
import type { ResolvedComponent, ResolvedOptions } from '../options/resolved-options.js';
import { RenewalScheduler } from '../refresh/renewal.scheduler.js';
import { RenewalSweep } from '../refresh/renewal-sweep.service.js';
import { OpenPlatformStorage } from '../store/storage.js';
import { TicketStore } from '../tickets/ticket.store.js';
import { ComponentTokenService } from '../tokens/component-token.service.js';
import { RenewalFailureLog } from './renewal-failure.log.js';
import type {
  AuthorizerCounts,
  ComponentStatus,
  OpenPlatformStatus,
  RenewalStatus,
  TicketStatus,
} from './status.interface.js';

/**
 * Reads the state of components as data, without calling the platform and without reading every
 * authorizer record (the counts are kept by {@link AuthorizerStore}). Behind `TokenService.status()`
 * and the health indicator.
 */
@Injectable()
export class StatusService {
  constructor(
    private readonly components: ComponentsService,
    private readonly tickets: TicketStore,
    private readonly componentTokens: ComponentTokenService,
    private readonly authorizers: AuthorizerStore,
    private readonly failures: RenewalFailureLog,
    private readonly scheduler: RenewalScheduler,
    private readonly sweep: RenewalSweep,
    private readonly clock: Clock,
    @Inject(OPEN_PLATFORM_OPTIONS) private readonly options: ResolvedOptions,
    private readonly storage: OpenPlatformStorage,
  ) {}

  /** Every configured component when `componentAppId` is omitted, else that one (UNKNOWN_COMPONENT if unknown). */
  targets(componentAppId?: string): ResolvedComponent[] {
    return componentAppId === undefined || componentAppId === null
      ? this.components.all()
      : [this.components.resolve(componentAppId)];
  }

  async status(componentAppId?: string): Promise<OpenPlatformStatus> {
    const targets = this.targets(componentAppId);
    return {
      at: this.clock.now(),
      components: await Promise.all(targets.map((c) => this.of(c))),
      renewal: this.renewal(),
      ...(this.storage.redisHealthy() === undefined ? {} : { redis: { connected: this.storage.redisHealthy()! } }),
    };
  }

  renewal(): RenewalStatus {
    const last = this.sweep.last;
    return {
      scheduled: this.scheduler.active,
      intervalMs: this.options.refresh.intervalMs,
      ...(last ? { lastTick: { ...last } } : {}),
    };
  }

  /** One component's state; a new section is one more field built here. */
  async of(component: ResolvedComponent): Promise<ComponentStatus> {
    const [ticket, tokenExpiresAt, authorizers] = await Promise.all([
      this.ticket(component),
      this.componentTokens.validUntil(component),
      this.authorizerCounts(component),
    ]);
    const lastRenewalFailure = this.failures.last(component.appId);
    return {
      componentAppId: component.appId,
      platform: component.platform,
      ticket,
      componentToken: tokenExpiresAt === undefined ? { valid: false } : { valid: true, expiresAt: tokenExpiresAt },
      authorizers,
      ...(lastRenewalFailure ? { lastRenewalFailure: { ...lastRenewalFailure } } : {}),
    };
  }

  private async ticket(component: ResolvedComponent): Promise<TicketStatus> {
    const record = await this.tickets.get(component);
    if (!record) return { held: false, usable: false };
    const now = this.clock.now();
    // Times only: the ticket itself is a credential.
    return {
      held: true,
      usable: record.expiresAt > now,
      createdAt: record.createdAt,
      receivedAt: record.receivedAt,
      ageMs: now - record.createdAt,
      expiresAt: record.expiresAt,
    };
  }

  private async authorizerCounts(component: ResolvedComponent): Promise<AuthorizerCounts> {
    const counts = await this.authorizers.counts(component);
    return { ...counts, total: Object.values(counts).reduce((a, b) => a + b, 0) };
  }
}
