import { Injectable } from '@nestjs/common';
import type { PushHandler } from '../platforms/push-handler.interface.js';
import type { ResolvedComponent } from '../options/resolved-options.js';
import type { PlatformPush } from '../platforms/platform-adapter.js';
import { AuthorizationService } from './authorization.service.js';

/** Acts on `authorized`, `updateauthorized` and `unauthorized` pushes. */
@Injectable()
export class AuthorizationPushHandler implements PushHandler {
  constructor(private readonly authorizations: AuthorizationService) {}

  async handle(component: ResolvedComponent, push: PlatformPush): Promise<boolean> {
    switch (push.kind) {
      case 'authorized':
      case 'updateauthorized':
        // The code also arrives on the redirect; exchange() makes sure it is exchanged once.
        await this.authorizations.exchange(component, push.authorizationCode, push.createdAt);
        return true;
      case 'unauthorized':
        await this.authorizations.revoke(component, push.authorizerAppId, push.createdAt);
        return true;
      default:
        return false;
    }
  }
}
