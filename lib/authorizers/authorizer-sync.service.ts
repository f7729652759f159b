import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../clock/clock.js';
import { OpenPlatformEvents } from '../events/open-platform-events.service.js';
import type { ResolvedComponent } from '../options/resolved-options.js';
import type { AuthorizerListEntry } from '../platforms/platform-adapter.js';
import { PlatformRegistry } from '../platforms/platform-registry.js';
import { ComponentTokenService } from '../tokens/component-token.service.js';
import type { AuthorizerRecord } from './authorizer.interface.js';
import { AuthorizerStore } from './authorizer.store.js';

/**
 * Repairs authorizer records from the platform's authorizer list, which carries each
 * authorizer's current refresh token (WeChat's answer to 61023 and to a lost store).
 */
@Injectable()
export class AuthorizerSyncService {
  private readonly logger = new Logger('OpenPlatform:AuthorizerSync');

  constructor(
    private readonly platforms: PlatformRegistry,
    private readonly componentTokens: ComponentTokenService,
    private readonly store: AuthorizerStore,
    private readonly events: OpenPlatformEvents,
    private readonly clock: Clock,
  ) {}

  /** Pages through the whole list; restores missing or stale refresh tokens. */
  async syncAll(component: ResolvedComponent): Promise<{ total: number; restored: number }> {
    let restored = 0;
    let total = 0;
    await this.walk(component, async (entry, listTotal) => {
      total = listTotal;
      if (await this.restore(component, entry)) restored++;
      return false;
    });
    if (restored > 0)
      this.logger.log(`restored ${restored} authorizer record(s) of ${component.appId} from the authorizer list`);
    return { total, restored };
  }

  /** Looks one authorizer up in the list and restores its record; undefined if the list lacks it. */
  async repairOne(component: ResolvedComponent, authorizerAppId: string): Promise<AuthorizerRecord | undefined> {
    let found: AuthorizerListEntry | undefined;
    await this.walk(component, async (entry) => {
      if (entry.authorizerAppId !== authorizerAppId) return false;
      found = entry;
      return true;
    });
    if (!found?.refreshToken) return undefined;
    await this.restore(component, found);
    return this.store.get(component, authorizerAppId);
  }

  /** Calls `visit` per entry until it returns true or the list ends. */
  private async walk(
    component: ResolvedComponent,
    visit: (entry: AuthorizerListEntry, total: number) => Promise<boolean>,
  ): Promise<void> {
    const adapter = this.platforms.get(component.platform);
    for (let page = 0; ; page++) {
      const result = await this.componentTokens.call(component, (token) =>
        adapter.listAuthorizers(component, token, page),
      );
      for (const entry of result.entries) {
        if (await visit(entry, result.total)) return;
      }
      if (result.entries.length < adapter.listPageSize || (page + 1) * adapter.listPageSize >= result.total) return;
    }
  }

  /** Brings a record in line with a list entry; returns whether anything changed. */
  private async restore(component: ResolvedComponent, entry: AuthorizerListEntry): Promise<boolean> {
    const refreshToken = entry.refreshToken;
    if (!refreshToken) return false;
    let changed = false;
    await this.store.update(component, entry.authorizerAppId, (current) => {
      if (current && current.refreshToken === refreshToken && current.status === 'active') return undefined;
      changed = true;
      return {
        componentAppId: component.appId,
        authorizerAppId: entry.authorizerAppId,
        platform: component.platform,
        permissions: current?.permissions ?? [],
        authorizedAt: current?.authorizedAt ?? entry.authorizedAt ?? this.clock.now(),
        ...current,
        // The list only holds authorizations that stand: whatever we had recorded, it is active.
        status: 'active',
        refreshToken,
        updatedAt: this.clock.now(),
      };
    });
    if (changed) {
      this.events.emit({
        type: 'authorizer.restored',
        platform: component.platform,
        componentAppId: component.appId,
        authorizerAppId: entry.authorizerAppId,
        at: this.clock.now(),
      });
    }
    return changed;
  }
}
