import { Injectable } from '@nestjs/common';
import { ComponentsService } from '../components/components.service.js';
import type { ResolvedComponent } from '../options/resolved-options.js';
import type { PlatformAdapter } from '../platforms/platform-adapter.js';
import { PlatformRegistry } from '../platforms/platform-registry.js';
import { originOf, requestUrl, type RequestUrlParts } from './request-url.js';

/**
 * Knows where requests go: which origins are a configured component's API host (and whose platform
 * that is), and which origins may receive each component's tokens.
 */
@Injectable()
export class ApiOrigins {
  private readonly byOrigin = new Map<string, PlatformAdapter[]>();
  /** Per component appid: the platform's official API origins, its `apiBaseUrl` and its `apiOrigins`. */
  private readonly tokenOrigins = new Map<string, ReadonlySet<string>>();
  /** Every origin that receives some component's tokens. */
  private readonly anyTokenOrigin = new Set<string>();
  /** Every adapter in use, once. */
  readonly adapters: readonly PlatformAdapter[];

  constructor(components: ComponentsService, platforms: PlatformRegistry) {
    const all = new Set<PlatformAdapter>();
    for (const c of components.all()) {
      const adapter = platforms.get(c.platform);
      all.add(adapter);
      const origin = originOf(c.apiBaseUrl);
      const allowed = new Set([...adapter.officialApiOrigins, ...(c.apiOrigins ?? [])]);
      if (origin) allowed.add(origin);
      this.tokenOrigins.set(c.appId, allowed);
      for (const o of allowed) this.anyTokenOrigin.add(o);
      if (!origin) continue;
      const list = this.byOrigin.get(origin) ?? [];
      if (!list.includes(adapter)) list.push(adapter);
      this.byOrigin.set(origin, list);
    }
    this.adapters = [...all];
  }

  /**
   * The adapters of the platforms whose API host (a component's `apiBaseUrl`) the request targets;
   * empty for any other host.
   */
  adaptersFor(config: RequestUrlParts): readonly PlatformAdapter[] {
    const origin = originOf(requestUrl(config));
    return (origin && this.byOrigin.get(origin)) || [];
  }

  /** The origin the request goes to; undefined for a relative or malformed URL. */
  originOf(config: RequestUrlParts): string | undefined {
    return originOf(requestUrl(config));
  }

  /**
   * Whether `component`'s tokens may go to `origin` (any component's when omitted). An unknown
   * origin (a relative URL) never does.
   */
  receivesTokens(origin: string | undefined, component?: ResolvedComponent): boolean {
    if (origin === undefined) return false;
    return component ? !!this.tokenOrigins.get(component.appId)?.has(origin) : this.anyTokenOrigin.has(origin);
  }

  /** The origins that receive `component`'s tokens, for error messages. */
  tokenOriginsOf(component: ResolvedComponent): readonly string[] {
    return [...(this.tokenOrigins.get(component.appId) ?? [])];
  }
}
