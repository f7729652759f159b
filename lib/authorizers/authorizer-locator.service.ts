import { Injectable } from '@nestjs/common';
import { appIdProblem, invalidAppId } from '../app-id.js';
import { ComponentsService } from '../components/components.service.js';
import { OpenPlatformError, OpenPlatformErrorCode } from '../errors/open-platform.error.js';
import type { ResolvedComponent } from '../options/resolved-options.js';
import { PlatformRegistry } from '../platforms/platform-registry.js';
import { AuthorizerStore } from './authorizer.store.js';

/** Enough for every authorizer of a large fleet; beyond it, lookups read the store again. */
const MAX_REMEMBERED = 100_000;

/**
 * Finds the component of an authorizer when a call names the authorizer but not its component:
 * the given one; the only one configured; otherwise the one whose records hold the authorizer —
 * exactly one is remembered, none is `AUTHORIZER_NOT_FOUND`, several is `UNKNOWN_COMPONENT` naming
 * them. So `getAuthorizerAccessToken('tt…')` works in an app running WeChat and Douyin components.
 *
 * It is also where a caller-supplied authorizer appid is checked (by its platform's rule, or the
 * bound of every platform's while the component is unknown), before any store read: only appids
 * that pass reach the caches and maps keyed by appid.
 */
@Injectable()
export class AuthorizerLocator {
  private readonly remembered = new Map<string, ResolvedComponent>();

  constructor(
    private readonly components: ComponentsService,
    private readonly store: AuthorizerStore,
    private readonly platforms: PlatformRegistry,
  ) {}

  /**
   * Synchronously, when it is known without reading the store (the hot path) and the appid is
   * valid for its platform; else undefined ({@link resolve} then says why).
   */
  /**
   * The component `authorizerAppId` would be looked up under, without checking the appid: for the
   * warm hit only, which answers from keys memoized for appids already checked.
   */
  known(authorizerAppId: string, componentAppId?: string): ResolvedComponent | undefined {
    return componentAppId !== undefined
      ? this.components.find(componentAppId)
      : (this.components.find() ?? this.remembered.get(authorizerAppId));
  }

  find(authorizerAppId: string, componentAppId?: string): ResolvedComponent | undefined {
    const component =
      componentAppId !== undefined
        ? this.components.find(componentAppId)
        : (this.components.find() ?? this.remembered.get(authorizerAppId));
    return component && this.accepts(component, authorizerAppId) ? component : undefined;
  }

  /**
   * The component of the authorizer. Throws INVALID_ARGUMENT for an appid no configured platform
   * (or not the named component's) can have, before reading anything.
   */
  async resolve(authorizerAppId: string, componentAppId?: string | null): Promise<ResolvedComponent> {
    const problem = appIdProblem(authorizerAppId);
    if (problem !== undefined) throw invalidAppId('authorizerAppId', problem);
    if (componentAppId !== undefined && componentAppId !== null)
      return this.checked(this.components.resolve(componentAppId), authorizerAppId);
    const known = this.components.find() ?? this.remembered.get(authorizerAppId);
    if (known) return this.checked(known, authorizerAppId);
    const all = this.components.all();
    // Only the components whose platform can have such an appid are worth a store read.
    const candidates = all.filter((c) => this.accepts(c, authorizerAppId));
    if (candidates.length === 0) return this.checked(all[0], authorizerAppId);
    const held = await Promise.all(
      candidates.map(async (c) => ((await this.store.get(c, authorizerAppId)) ? c : undefined)),
    );
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

  private accepts(component: ResolvedComponent, authorizerAppId: string): boolean {
    return this.platforms.get(component.platform).authorizerAppIdProblem(authorizerAppId) === undefined;
  }

  /** The component, if the appid is valid for its platform; throws INVALID_ARGUMENT otherwise. */
  private checked(component: ResolvedComponent, authorizerAppId: string): ResolvedComponent {
    const adapter = this.platforms.get(component.platform);
    const problem = adapter.authorizerAppIdProblem(authorizerAppId);
    if (problem !== undefined) throw invalidAppId('authorizerAppId', problem, component.platform, adapter.appIdRule);
    return component;
  }
}
