import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { OPEN_PLATFORM_OPTIONS } from '../open-platform.constants.js';
import type { ResolvedOptions } from '../options/resolved-options.js';

/**
 * Says at boot that `storage.durable` without `redis` keeps locks, token caches and the renewal
 * schedule in process memory: safe for one process, but several processes on one shared durable
 * store refresh the same tokens concurrently (WeChat answers 40001 to the loser; a Douyin
 * single-use refresh token presented twice breaks the merchant's chain).
 */
@Injectable()
export class PerProcessLocksWarning implements OnModuleInit {
  private readonly logger = new Logger('OpenPlatform:Storage');

  constructor(@Inject(OPEN_PLATFORM_OPTIONS) private readonly options: ResolvedOptions) {}

  onModuleInit(): void {
    if (!this.options.storage.durable || this.options.redis) return;
    this.logger.warn(
      'storage.durable is set without redis: locks, access-token caches and the renewal schedule live in this process only. Run a single process on this durable store, or set redis (locks, tokens and the schedule then go to Redis while records stay in your durable store): several processes without it refresh the same tokens concurrently (WeChat 40001; a reused Douyin refresh token breaks the authorization chain)',
    );
  }
}
