import { Injectable } from '@nestjs/common';
import { ComponentsService } from '../components/components.service.js';
import { OpenPlatformError, OpenPlatformErrorCode } from '../errors/open-platform.error.js';
import type { ResolvedComponent } from '../options/resolved-options.js';
import { AuthorizerStore } from './authorizer.store.js';

/** Enough for every authorizer of a large fleet; beyond it, lookups read the store again. */
const MAX_REMEMBERED = 100_000;

/**
 * Finds the component of an authorizer when a call names the authorizer but not its component:
 * the given one; the only one configured; otherwise the one whose records hold the authorizer —
 * exactly one is remembered, none is `AUTHORIZER_NOT_FOUND`, several is `UNKNOWN_COMPONENT` naming
 * them. So `getAuthorizerAccessToken('tt…')` works in an app running WeChat and Douyin components.
 */
@Injectable()
export class AuthorizerLocator {
  private readonly remembered = new Map<string, ResolvedComponent>();

  constructor(
    private readonly components: ComponentsService,
    private readonly store: AuthorizerStore,
  ) {}

  /** Synchronously, when it is known without reading the store (the hot path); else undefined. */
  find(authorizerAppId: string, componentAppId?: string): ResolvedComponent | undefined {
    if (componentAppId !== undefined) return this.components.find(componentAppId);
    return this.components.find() ?? this.remembered.get(authorizerAppId);
  }

  async resolve(authorizerAppId: string, componentAppId?: string | null): Promise<ResolvedComponent> {
    if (componentAppId !== undefined && componentAppId !== null) return this.components.resolve(componentAppId);
    const known = this.find(authorizerAppId);
    if (known) return known;
    const all = this.components.all();
    const held = await Promise.all(all.map(async (c) => ((await this.store.get(c, authorizerAppId)) ? c : undefined)));
    const holders = held.filter((c): c is ResolvedComponent => c !== undefined);
    const names = (list: ResolvedComponent[]) => list.map((c) => `${c.appId} (${c.platform})`).join(', ');
    if (holders.length === 1) {
      if (this.remembered.size < MAX_REMEMBERED) this.remembered.set(authorizerAppId, holders[0]);
      return holders[0];
    }
    if (holders.length === 0) {
      throw new OpenPlatformError({
        platform: 'library',
        code: OpenPlatformErrorCode.AUTHORIZER_NOT_FOUND,
        message: `authorizer ${authorizerAppId} has no record under any configured component (${names(all)}): it never authorized, or pass componentAppId to look it up in that component's authorizer list`,
      });
    }
    throw new OpenPlatformError({
      platform: 'library',
      code: OpenPlatformErrorCode.UNKNOWN_COMPONENT,
      message: `authorizer ${authorizerAppId} has authorized several configured components (${names(holders)}): pass componentAppId`,
    });
  }
}
