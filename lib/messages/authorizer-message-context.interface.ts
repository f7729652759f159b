import type { AuthorizerInfo } from '../authorizers/authorizer.interface.js';
import type { OpenPlatformHttpService } from '../http/open-platform-http.service.js';
import type { PlatformName } from '../platform-names.js';

/**
 * What a message handler gets besides the message. The handler runs as the authorizer: calls
 * through `http` (or an injected `OpenPlatformHttpService`) made while it runs, after awaits too,
 * carry the authorizer's token without naming it, as inside an `@AsAuthorizer` method.
 */
export interface AuthorizerMessageContext {
  platform: PlatformName;
  componentAppId: string;
  authorizerAppId: string;
  /**
   * The module's record of the authorizer (always `active` here), without any token; it carries no
   * `accessTokenExpiresAt` (use `TokenService.getAuthorizer` for that).
   */
  authorizer: AuthorizerInfo;
  /** The module's HTTP service, scoped to the authorizer while the handler runs. */
  http: OpenPlatformHttpService;
}
