import { Injectable } from '@nestjs/common';
import { LockService } from '../lock/lock.service.js';
import type { ResolvedComponent } from '../options/resolved-options.js';
import { digest, StoreKeys } from '../store/store-keys.js';
import { TokenCache } from '../store/token-cache.js';

/** Remember exchanged codes well past any code lifetime (WeChat 10 min, Douyin 1 h). */
const EXCHANGED_CODE_TTL_MS = 2 * 60 * 60 * 1000;

/** What {@link ExchangedCodes.exclusive} hands to its callback. */
export interface CodeExchangeTurn {
  /** The authorizer an earlier exchange of this code recorded, if any: then do not exchange it again. */
  exchangedBy: string | undefined;
  /** Records that this code has now been exchanged for `authorizerAppId`. */
  remember: (authorizerAppId: string) => Promise<void>;
}

/**
 * Makes an authorization code be exchanged once, whoever brings it: the redirect, an authorization
 * push, or a chain repair that retrieved it (Douyin then pushes the same code as a retrieval
 * notice). Callers take turns under the code's lock — in every process sharing the lock — and see
 * whether an earlier turn exchanged it. The code itself is hashed in the key: it is a credential.
 */
@Injectable()
export class ExchangedCodes {
  constructor(
    private readonly cache: TokenCache,
    private readonly lock: LockService,
  ) {}

  exclusive<T>(component: ResolvedComponent, code: string, turn: (t: CodeExchangeTurn) => Promise<T>): Promise<T> {
    const key = StoreKeys.exchangedCode(component.platform, component.appId, digest(code));
    return this.lock.runExclusive(key, async () =>
      turn({
        exchangedBy: await this.cache.get<string>(key),
        remember: (authorizerAppId) => this.cache.set(key, authorizerAppId, EXCHANGED_CODE_TTL_MS),
      }),
    );
  }
}
