import { Injectable } from '@nestjs/common';
import { ComponentsService } from '../components/components.service.js';
import { ComponentTokenService } from './component-token.service.js';

/** Options of {@link TokenService.getComponentAccessToken}. */
export interface GetTokenOptions {
  /** Obtain a new token even if the cached one is still fresh. */
  forceRefresh?: boolean;
}

/**
 * The credentials of every configured component (DESIGN §4). Concurrent callers asking for the
 * same missing or expiring token share one upstream call. Failures are `OpenPlatformError`s.
 */
@Injectable()
export class TokenService {
  constructor(
    private readonly components: ComponentsService,
    private readonly componentTokens: ComponentTokenService,
  ) {}

  /**
   * The component access token, from the cache while fresh; renewed when its remaining life falls
   * below min(`refresh.marginSeconds`, 20% of its lifetime).
   * @param componentAppId may be omitted when exactly one component is configured.
   */
  async getComponentAccessToken(componentAppId?: string, opts?: GetTokenOptions): Promise<string> {
    const component = this.components.resolve(componentAppId);
    return this.componentTokens.get(component, opts?.forceRefresh === true);
  }
}
