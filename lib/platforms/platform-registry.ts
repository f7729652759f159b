import { Inject, Injectable } from '@nestjs/common';
import type { AxiosInstance } from 'axios';
import { OPEN_PLATFORM_HTTP_CLIENT, OPEN_PLATFORM_OPTIONS } from '../open-platform.constants.js';
import type { PlatformName } from '../platform-names.js';
import type { ResolvedOptions } from '../options/resolved-options.js';
import type { PlatformAdapter } from './platform-adapter.js';
import { platformDefinition } from './platforms.js';

/** Holds one adapter per platform in use. */
@Injectable()
export class PlatformRegistry {
  private readonly adapters = new Map<PlatformName, PlatformAdapter>();

  constructor(
    @Inject(OPEN_PLATFORM_HTTP_CLIENT) http: AxiosInstance,
    @Inject(OPEN_PLATFORM_OPTIONS) options: ResolvedOptions,
  ) {
    for (const c of options.components.values()) {
      if (!this.adapters.has(c.platform)) this.adapters.set(c.platform, platformDefinition(c.platform).create(http));
    }
  }

  get(platform: PlatformName): PlatformAdapter {
    const adapter = this.adapters.get(platform);
    if (!adapter) throw new Error(`no adapter for platform ${platform}`);
    return adapter;
  }
}
