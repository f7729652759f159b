import { Injectable } from '@nestjs/common';
import { LockService } from '../lock/lock.service.js';
import { PUSH_REPLAY_WINDOW_MS } from '../open-platform.constants.js';
import type { ResolvedComponent } from '../options/resolved-options.js';
import { digest, StoreKeys } from '../store/store-keys.js';
import { TokenCache } from '../store/token-cache.js';

/**
 * A message is accepted while its timestamp is within the replay window on either side of our
 * clock, so one message can arrive for up to twice the window: remember it a little longer.
 */
const REMEMBER_MS = 2 * PUSH_REPLAY_WINDOW_MS + 60_000;

/** How a message was answered: the plaintext of its passive reply, or an empty body, or `success`. */
export interface MessageOutcome {
  reply?: string;
  /** Answer an empty body (the release check's code case), not `success`. */
  empty?: boolean;
}

/**
 * Makes a message handled once however often the platform delivers it (it retries three times
 * when an answer is late or lost, possibly signing each delivery anew): deliveries take turns
 * under the message's lock, in every process sharing the lock and the cache (Redis in fleet
 * mode), and a repeat is answered what the first delivery answered. A repeat waits at most
 * `waitMs` for the first delivery's turn to end, then answers `success`: the first one is still
 * being handled, and it answers. The cache is the module's token cache: swept in memory, with a
 * TTL in Redis, so it stays bounded.
 */
@Injectable()
export class HandledMessages {
  constructor(
    private readonly cache: TokenCache,
    private readonly lock: LockService,
  ) {}

  /** Runs `handle` unless this message was already handled; returns the outcome to answer with. */
  async once(
    component: ResolvedComponent,
    dedupeKey: string,
    waitMs: number,
    handle: () => Promise<MessageOutcome>,
  ): Promise<MessageOutcome & { repeat: boolean }> {
    const key = StoreKeys.handledMessage(component.platform, component.appId, digest(dedupeKey));
    const turn = async (): Promise<MessageOutcome & { repeat: boolean }> => {
      const seen = await this.cache.get<MessageOutcome>(key);
      if (seen) return { ...seen, repeat: true };
      const outcome = await handle();
      await this.cache.set(key, outcome, REMEMBER_MS);
      return { ...outcome, repeat: false };
    };
    // The usual case, nobody else holding the message (in memory mode): the turn comes at once and
    // there is no wait to bound (an AbortController and a timer per message cost more than the rest).
    if (this.lock.idle(key)) return this.lock.runExclusive(key, turn);
    // Bounds the wait for the lock only: once this delivery's turn has come, it runs to the end.
    const waiting = new AbortController();
    let started = false;
    const timer = setTimeout(() => {
      if (!started) waiting.abort(new Error('another delivery of the message is being handled'));
    }, waitMs);
    try {
      return await this.lock.runExclusive(
        key,
        () => {
          started = true;
          clearTimeout(timer);
          return turn();
        },
        waiting.signal,
      );
    } catch (err) {
      if (waiting.signal.aborted && !started) return { repeat: true };
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }
}
