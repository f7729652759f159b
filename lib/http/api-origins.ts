import { Injectable } from '@nestjs/common';
import { ComponentsService } from '../components/components.service.js';
import type { PlatformAdapter } from '../platforms/platform-adapter.js';
import { PlatformRegistry } from '../platforms/platform-registry.js';
import { originOf, requestUrl, type RequestUrlParts } from './request-url.js';

/** Knows which request URLs point at a configured component's API host, and whose platform that is. */
@Injectable()
export class ApiOrigins {
  private readonly byOrigin = new Map<string, PlatformAdapter[]>();
  /** Every adapter in use, once. */
  readonly adapters: readonly PlatformAdapter[];

  constructor(components: ComponentsService, platforms: PlatformRegistry) {
    const all = new Set<PlatformAdapter>();
    for (const c of components.all()) {
      const adapter = platforms.get(c.platform);
      all.add(adapter);
      const origin = originOf(c.apiBaseUrl);
      if (!origin) continue;
      const list = this.byOrigin.get(origin) ?? [];
      if (!list.includes(adapter)) list.push(adapter);
      this.byOrigin.set(origin, list);
    }
    this.adapters = [...all];
  }

  /** The adapters of the platforms whose API host the request targets; empty for any other host. */
  adaptersFor(config: RequestUrlParts): readonly PlatformAdapter[] {
    const origin = originOf(requestUrl(config));
    return (origin && this.byOrigin.get(origin)) || [];
  }
}
