import { Inject, Injectable, Logger } from '@nestjs/common';
import { Clock } from '../clock/clock.js';
import { OpenPlatformEvents } from '../events/open-platform-events.service.js';
import { OPEN_PLATFORM_OPTIONS } from '../open-platform.constants.js';
import type { ResolvedComponent, ResolvedOptions } from '../options/resolved-options.js';
import type { AuthorizerListEntry } from '../platforms/platform-adapter.js';
import { PlatformRegistry } from '../platforms/platform-registry.js';
import { ComponentTokenService } from '../tokens/component-token.service.js';
import type { AuthorizerRecord } from './authorizer.interface.js';
import { AuthorizerRenewals } from './authorizer-renewals.js';
import { AuthorizerStore } from './authorizer.store.js';
import { UnknownAuthorizerMemo } from './unknown-authorizer-memo.js';
import { WalkBatcher, type WalkRequest } from './walk-batcher.js';

/** Options of {@link AuthorizerSyncService.repairOne}. */
export interface RepairOptions {
  /**
   * Answer "not in the list" at once, without a walk, when a recent complete walk did not list the
   * appid. Only for appids the store has no record of: a record that exists (a broken chain, a
   * lost refresh token) is always looked up in a walk that starts after the call.
   */
  trustRecentMiss?: boolean;
}

/** What one walk of the list did. */
interface WalkReport {
  /** Requested appids the list holds. */
  listed: ReadonlySet<string>;
  /** Requested appids the list holds with a refresh token: their records match the list now. */
  repairable: ReadonlySet<string>;
  /** Whether the walk reached the end of the list (so a requested appid not listed is not in it). */
  complete: boolean;
  total: number;
  restored: number;
}

/** Per component: its list walks and what they showed to be missing. */
interface ComponentLists {
  walks: WalkBatcher<WalkReport>;
  misses: UnknownAuthorizerMemo;
}

/**
 * Repairs authorizer records from the platform's authorizer list, which carries each
 * authorizer's current refresh token (WeChat's answer to 61023 and to a lost store).
 *
 * Walking the list costs platform API quota, and lookups of unknown appids would each cost a
 * walk: so walks are shared per component (one running, the callers arriving meanwhile batched
 * into one next walk) and an appid a complete walk did not find is remembered as missing for
 * `unknownAuthorizerTtlMs`.
 */
@Injectable()
export class AuthorizerSyncService {
  private readonly logger = new Logger('OpenPlatform:AuthorizerSync');
  private readonly lists = new Map<string, ComponentLists>();

  constructor(
    private readonly platforms: PlatformRegistry,
    private readonly componentTokens: ComponentTokenService,
    private readonly store: AuthorizerStore,
    private readonly renewals: AuthorizerRenewals,
    private readonly events: OpenPlatformEvents,
    private readonly clock: Clock,
    @Inject(OPEN_PLATFORM_OPTIONS) private readonly options: ResolvedOptions,
  ) {}

  /** Pages through the whole list; restores missing or stale refresh tokens. */
  async syncAll(component: ResolvedComponent): Promise<{ total: number; restored: number }> {
    const { total, restored } = await this.listsOf(component).walks.findAll();
    return { total, restored };
  }

  /** Looks one authorizer up in the list and restores its record; undefined if the list lacks it. */
  async repairOne(
    component: ResolvedComponent,
    authorizerAppId: string,
    opts: RepairOptions = {},
  ): Promise<AuthorizerRecord | undefined> {
    return (await this.lookUp(component, authorizerAppId, opts)).record;
  }

  /**
   * Looks one authorizer up in the list: its record restored from the list entry when the entry
   * carries a refresh token; otherwise only whether the list holds it (`listed`). A listed entry
   * with nothing to restore from is remembered for `unknownAuthorizerTtlMs` where the list is the
   * platform's way to repair (WeChat), so lookups of it do not walk the list again and again; where
   * chains are repaired by a reissued code (Douyin, whose list never carries refresh tokens) the
   * caller restores it that way.
   */
  async lookUp(
    component: ResolvedComponent,
    authorizerAppId: string,
    opts: RepairOptions = {},
  ): Promise<{ record?: AuthorizerRecord; listed: boolean }> {
    const { walks, misses } = this.listsOf(component);
    if (opts.trustRecentMiss && misses.isKnownMissing(authorizerAppId)) {
      this.logger.debug(
        `authorizer ${authorizerAppId} is not in the authorizer list of ${component.appId} (walked recently)`,
      );
      return { listed: false };
    }
    if (misses.isKnownUnrepairable(authorizerAppId)) return { listed: true };
    const report = await walks.find(authorizerAppId);
    if (!report.listed.has(authorizerAppId)) {
      this.logger.debug(`authorizer ${authorizerAppId} is not in the authorizer list of ${component.appId}`);
      return { listed: false };
    }
    if (!report.repairable.has(authorizerAppId)) {
      if (this.platforms.get(component.platform).chainRepair === 'authorizer_list')
        misses.rememberUnrepairable(authorizerAppId);
      return { listed: true };
    }
    return { record: await this.store.get(component, authorizerAppId), listed: true };
  }

  /** The platform said the appid has not authorized the component: lookups of it fail at once for a while. */
  noteNotAuthorized(component: ResolvedComponent, authorizerAppId: string): void {
    this.listsOf(component).misses.rememberMissing(authorizerAppId);
  }

  /** An authorization was just recorded: the appid must not be taken for unknown any more. */
  noteAuthorized(component: ResolvedComponent, authorizerAppId: string): void {
    this.lists.get(component.appId)?.misses.forget(authorizerAppId);
  }

  private listsOf(component: ResolvedComponent): ComponentLists {
    let lists = this.lists.get(component.appId);
    if (!lists) {
      const misses = new UnknownAuthorizerMemo(this.clock, this.options.unknownAuthorizerTtlMs);
      const walks = new WalkBatcher<WalkReport>((request) => this.walkFor(component, misses, request));
      this.lists.set(component.appId, (lists = { walks, misses }));
    }
    return lists;
  }

  /**
   * One walk for a batch of callers: restores the requested entries (every entry when one caller
   * wants the whole list) and stops once all requested appids are found or the list ends.
   */
  private async walkFor(
    component: ResolvedComponent,
    misses: UnknownAuthorizerMemo,
    request: WalkRequest,
  ): Promise<WalkReport> {
    const listed = new Set<string>();
    const repairable = new Set<string>();
    // Every appid of the list, to remember the list as a whole; dropped if too long to keep.
    let everyAppId: Set<string> | undefined = this.options.unknownAuthorizerTtlMs > 0 ? new Set() : undefined;
    let total = 0;
    let restored = 0;
    misses.walkStarted();
    const complete = await this.walk(component, async (entry, listTotal) => {
      total = listTotal;
      const appId = entry.authorizerAppId;
      if (everyAppId) {
        everyAppId.add(appId);
        if (everyAppId.size > misses.limits.listedMax) everyAppId = undefined;
      }
      const requested = request.ids.has(appId);
      if (requested) {
        listed.add(appId);
        if (entry.refreshToken) repairable.add(appId);
      }
      if (requested || request.all) {
        if (await this.restore(component, entry)) restored++;
      }
      return !request.all && listed.size === request.ids.size;
    });
    if (complete)
      misses.rememberCompleteWalk(
        everyAppId,
        [...request.ids].filter((id) => !listed.has(id)),
      );
    if (request.all && restored > 0)
      this.logger.log(`restored ${restored} authorizer record(s) of ${component.appId} from the authorizer list`);
    return { listed, repairable, complete, total, restored };
  }

  /** Calls `visit` per entry until it returns true (→ false) or the list ends (→ true). */
  private async walk(
    component: ResolvedComponent,
    visit: (entry: AuthorizerListEntry, total: number) => Promise<boolean>,
  ): Promise<boolean> {
    const adapter = this.platforms.get(component.platform);
    for (let page = 0; ; page++) {
      const result = await this.componentTokens.call(component, (token) =>
        adapter.listAuthorizers(component, token, page),
      );
      for (const entry of result.entries) {
        if (await visit(entry, result.total)) return false;
      }
      if (result.entries.length < adapter.listPageSize || (page + 1) * adapter.listPageSize >= result.total)
        return true;
    }
  }

  /** Brings a record in line with a list entry; returns whether anything changed. */
  private async restore(component: ResolvedComponent, entry: AuthorizerListEntry): Promise<boolean> {
    const refreshToken = entry.refreshToken;
    if (!refreshToken) return false;
    let changed = false;
    const record = await this.store.update(component, entry.authorizerAppId, (current) => {
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
    if (changed && record) {
      // No token is cached for it yet: the scheduler (when on) obtains one at its next tick.
      await this.renewals.track(component, record, undefined);
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
