import { Injectable } from '@nestjs/common';
import { LockService } from '../lock/lock.service.js';
import { PUSH_REPLAY_WINDOW_MS } from '../open-platform.constants.js';
import type { ResolvedComponent } from '../options/resolved-options.js';
import { digest, StoreKeys } from '../store/store-keys.js';
import { TokenCache } from '../store/token-cache.js';

/**
 * A push is accepted while its timestamp is within the replay window on either side of our clock,
 * so the same bytes can arrive for up to twice the window: remember them a little longer.
 */
const REMEMBER_MS = 2 * PUSH_REPLAY_WINDOW_MS + 60_000;

/**
 * Makes a genuine push take effect once however often it arrives: the platforms send the same push
 * again when they miss our `success` (a lost answer, a slow one), and re-applying it is not always
 * harmless (an `unauthorized` repeated after the merchant authorized again would revoke the new
 * authorization; every repeat would emit its event again). A push is identified by its signature,
 * which covers the timestamp, the nonce and the ciphertext (whose random prefix differs per push).
 * Arrivals take turns under the push's lock — in every process sharing the lock — and a push is
 * remembered only once it was handled, so a push whose handling failed is handled when retried.
 */
@Injectable()
export class RecentPushes {
  constructor(
    private readonly cache: TokenCache,
    private readonly lock: LockService,
  ) {}

  /** Runs `handle` unless this push was already handled; returns whether it ran. */
  once(component: ResolvedComponent, signature: string, handle: () => Promise<void>): Promise<boolean> {
    const key = StoreKeys.handledPush(component.platform, component.appId, digest(signature));
    return this.lock.runExclusive(key, async () => {
      if (await this.cache.get<number>(key)) return false;
      await handle();
      await this.cache.set(key, 1, REMEMBER_MS);
      return true;
    });
  }
}
