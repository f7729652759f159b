import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { OpenPlatformError, OpenPlatformErrorCode } from '../errors/open-platform.error.js';
import { OPEN_PLATFORM_OPTIONS } from '../open-platform.constants.js';
import type { ResolvedOptions } from '../options/resolved-options.js';
import { RenewalSweep } from './renewal-sweep.service.js';
import { findSchedulerRegistry, type IntervalRegistry } from './scheduler-registry.js';

/** The name of the module's interval in the app's `SchedulerRegistry`. */
export const RENEWAL_INTERVAL_NAME = 'open-platform:renewal';

/**
 * Turns scheduled renewal on or off at boot (`refresh.enabled`) and, when on, registers one named
 * interval (`open-platform:renewal`) in the app's `SchedulerRegistry` that runs a renewal tick;
 * the interval is removed, and the running tick finished, when the app shuts down.
 */
@Injectable()
export class RenewalScheduler implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('OpenPlatform:Renewal');
  private registry: IntervalRegistry | undefined;
  private registered = false;
  /** Ticks waiting for their random start (fleet mode), cleared at shutdown. */
  private readonly delayed = new Set<NodeJS.Timeout>();

  constructor(
    private readonly moduleRef: ModuleRef,
    private readonly sweep: RenewalSweep,
    @Inject(OPEN_PLATFORM_OPTIONS) private readonly options: ResolvedOptions,
  ) {}

  /** Whether scheduled renewal runs in this app. */
  get active(): boolean {
    return this.registered;
  }

  async onModuleInit(): Promise<void> {
    const { enabled } = this.options.refresh;
    if (enabled === false) {
      this.logger.log('scheduled renewal is off (refresh.enabled: false): tokens are renewed when they are used');
      return;
    }
    this.registry = await findSchedulerRegistry(this.moduleRef);
    if (this.registry) return;
    const howTo =
      "import ScheduleModule.forRoot() from '@nestjs/schedule' in your app module (this module never registers the scheduler itself, so your own jobs do not run twice)";
    if (enabled === true) {
      throw new OpenPlatformError({
        platform: 'library',
        code: OpenPlatformErrorCode.INVALID_OPTIONS,
        message: `Invalid OpenPlatformModule options:\n  - refresh.enabled: true requires the app's scheduler, and the app has none: ${howTo}, or set refresh.enabled to 'auto' or false`,
      });
    }
    const douyin = [...this.options.components.values()].some((c) => c.platform === 'douyin');
    const message = `scheduled renewal is off: the app has no scheduler, so tokens are renewed when they are used${douyin ? ', and a Douyin authorizer unused for 30 days loses its authorization (its refresh token expires)' : ''}. To turn it on, ${howTo}; to silence this, set refresh.enabled: false`;
    if (douyin) this.logger.warn(message);
    else this.logger.log(message);
  }

  async onApplicationBootstrap(): Promise<void> {
    const registry = this.registry;
    if (!registry) return;
    if (registry.doesExist('interval', RENEWAL_INTERVAL_NAME)) {
      throw new OpenPlatformError({
        platform: 'library',
        code: OpenPlatformErrorCode.INVALID_OPTIONS,
        message: `the app's SchedulerRegistry already has an interval named '${RENEWAL_INTERVAL_NAME}': register OpenPlatformModule once per app`,
      });
    }
    this.sweep.start();
    const { intervalMs, marginSeconds, concurrency } = this.options.refresh;
    const timer = setInterval(() => this.scheduledTick(), intervalMs);
    // Never what keeps a process (a script, a worker) alive.
    timer.unref();
    registry.addInterval(RENEWAL_INTERVAL_NAME, timer);
    this.registered = true;
    this.logger.log(
      `scheduled renewal is on: every ${intervalMs / 1000}s, tokens are renewed when their remaining life falls below min(${marginSeconds}s, 20% of their lifetime), ${concurrency} at a time ('${RENEWAL_INTERVAL_NAME}' in the app's SchedulerRegistry)`,
    );
    // The first tick now: tokens due at boot need not wait a whole interval.
    void this.sweep.tick();
  }

  /** A tick from the interval: at once, or after a random part of `sweep.spreadMs` (fleet mode). */
  private scheduledTick(): void {
    const spread = this.sweep.spreadMs;
    if (spread <= 0) {
      void this.sweep.tick();
      return;
    }
    const timer = setTimeout(
      () => {
        this.delayed.delete(timer);
        void this.sweep.tick();
      },
      Math.floor(Math.random() * spread),
    );
    timer.unref();
    this.delayed.add(timer);
  }

  async onModuleDestroy(): Promise<void> {
    if (this.registered && this.registry?.doesExist('interval', RENEWAL_INTERVAL_NAME))
      this.registry.deleteInterval(RENEWAL_INTERVAL_NAME);
    this.registered = false;
    for (const timer of this.delayed) clearTimeout(timer);
    this.delayed.clear();
    await this.sweep.stop();
  }
}
