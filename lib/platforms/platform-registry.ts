import { Inject, Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import type { AxiosInstance } from 'axios';
import { Clock } from '../clock/clock.js';
import { OpenPlatformEvents } from '../events/open-platform-events.service.js';
import { OPEN_PLATFORM_HTTP_CLIENT, OPEN_PLATFORM_OPTIONS } from '../open-platform.constants.js';
import type { PlatformName } from '../platform-names.js';
import type { ResolvedOptions } from '../options/resolved-options.js';
import { Telemetry } from '../telemetry/telemetry.service.js';
import type { PlatformAdapter } from './platform-adapter.js';
import { platformDefinition } from './platforms.js';
import { UpstreamRetry, type RetryNotice } from './upstream-retry.js';

/** Holds one adapter per platform in use, and the retry policy of their upstream calls. */
@Injectable()
export class PlatformRegistry implements BeforeApplicationShutdown {
  private readonly logger = new Logger('OpenPlatform:Upstream');
  private readonly adapters = new Map<PlatformName, PlatformAdapter>();
  private readonly retry: UpstreamRetry;

  constructor(
    @Inject(OPEN_PLATFORM_HTTP_CLIENT) http: AxiosInstance,
    @Inject(OPEN_PLATFORM_OPTIONS) options: ResolvedOptions,
    private readonly events: OpenPlatformEvents,
    private readonly clock: Clock,
    telemetry: Telemetry,
  ) {
    this.retry = new UpstreamRetry(options.retry, (notice) => this.retrying(notice), Math.random, telemetry);
    for (const c of options.components.values()) {
      if (!this.adapters.has(c.platform))
        this.adapters.set(c.platform, platformDefinition(c.platform).create(http, this.retry));
    }
  }

  get(platform: PlatformName): PlatformAdapter {
    const adapter = this.adapters.get(platform);
    if (!adapter) throw new Error(`no adapter for platform ${platform}`);
    return adapter;
  }

  /** Calls waiting to be retried give up now instead of outliving the app. */
  beforeApplicationShutdown(): void {
    this.retry.stop();
  }

  private retrying(n: RetryNotice): void {
    // Debug: the outcome (success, or the failure the caller gets) is what matters, and a platform
    // outage would otherwise write a line per call per attempt.
    this.logger.debug(`${n.error.message}; attempt ${n.attempt + 1} in ${n.delayMs} ms`);
    this.events.emit({
      type: 'upstream.retry',
      platform: n.platform,
      componentAppId: n.componentAppId,
      endpoint: n.endpoint,
      attempt: n.attempt,
      delayMs: n.delayMs,
      at: this.clock.now(),
      error: { code: n.error.code, message: n.error.message },
    });
  }
}
