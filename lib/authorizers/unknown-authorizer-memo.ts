import type { Clock } from '../clock/clock.js';

/** Bounds of {@link UnknownAuthorizerMemo}: whatever appids callers send, memory stays below these. */
export interface UnknownAuthorizerMemoLimits {
  /** Largest authorizer list kept as a whole (its appids); a longer list is not kept. */
  listedMax: number;
  /** Most appids remembered one by one (used when the list is too long to keep). */
  missesMax: number;
}

export const DEFAULT_MEMO_LIMITS: UnknownAuthorizerMemoLimits = { listedMax: 100_000, missesMax: 10_000 };

/**
 * Remembers, for a short time, which appids one component's authorizer list did not contain when
 * it was last walked to its end, so lookups of unknown authorizers (often user-supplied appids)
 * do not walk the list again and again.
 *
 * It keeps the appids of the whole list: any appid outside it is unknown, so a flood of distinct
 * made-up appids costs one walk per TTL and no memory at all. A list too long to keep falls back to
 * remembering the missed appids themselves, at most `missesMax` of them (oldest dropped first).
 *
 * It answers only "was it absent from the list lately"; callers ask it only when the store has no
 * record, so it can never hide a record; {@link forget} makes a fresh authorization count at once,
 * also against a walk that was running when it happened.
 */
export class UnknownAuthorizerMemo {
  private listed: { appIds: Set<string>; until: number } | undefined;
  /** appid → until (epoch ms), oldest first (re-inserted on update). */
  private readonly misses = new Map<string, number>();
  /**
   * Appids the list holds without a refresh token (WeChat: an account whose code was never
   * exchanged), so a walk cannot restore them: remembered like misses, so that lookups of such an
   * appid do not walk the list again and again. Same bound and TTL as `misses`.
   */
  private readonly unrepairable = new Map<string, number>();
  /**
   * Appids that authorized since the running walk started: the walk may have passed their place
   * in the list before they got there, so what it records must not count them as missing.
   * Bounded by genuine authorizations during one walk; if it overflows, that walk records nothing.
   */
  private authorizedDuringWalk: Set<string> | undefined = new Set();

  constructor(
    private readonly clock: Clock,
    private readonly ttlMs: number,
    readonly limits: UnknownAuthorizerMemoLimits = DEFAULT_MEMO_LIMITS,
  ) {}

  /** A walk of the list starts (walks of one list never overlap). */
  walkStarted(): void {
    this.authorizedDuringWalk = new Set();
  }

  /**
   * After a walk that reached the end of the list.
   * @param listed every appid of the list, or undefined if it was too long to collect.
   * @param missing the appids the walk looked for and did not find.
   */
  rememberCompleteWalk(listed: ReadonlySet<string> | undefined, missing: Iterable<string>): void {
    if (this.ttlMs <= 0) return;
    const authorized = this.authorizedDuringWalk;
    if (!authorized) return;
    const until = this.clock.now() + this.ttlMs;
    if (listed && listed.size <= this.limits.listedMax) {
      this.listed = { appIds: new Set([...listed, ...authorized]), until };
      // The whole list answers for any appid: single misses would only duplicate it.
      this.misses.clear();
      return;
    }
    this.listed = undefined;
    for (const appId of missing) if (!authorized.has(appId)) this.remember(this.misses, appId, until);
  }

  /** A walk found `appId` in the list, but with nothing to restore its record from. */
  rememberUnrepairable(appId: string): void {
    if (this.ttlMs <= 0 || this.authorizedDuringWalk?.has(appId)) return;
    this.remember(this.unrepairable, appId, this.clock.now() + this.ttlMs);
  }

  /** `appId` is not in the list after all (e.g. the platform said it is not authorized). */
  rememberMissing(appId: string): void {
    if (this.ttlMs <= 0) return;
    this.listed?.appIds.delete(appId);
    this.remember(this.misses, appId, this.clock.now() + this.ttlMs);
  }

  /** Whether a recent walk found `appId` in the list with nothing to restore it from. */
  isKnownUnrepairable(appId: string): boolean {
    return this.isHeld(this.unrepairable, appId);
  }

  /** Whether a recent complete walk showed that `appId` is not in the list. */
  isKnownMissing(appId: string): boolean {
    if (this.ttlMs <= 0) return false;
    if (this.isHeld(this.misses, appId)) return true;
    if (this.listed) {
      if (this.clock.now() < this.listed.until) return !this.listed.appIds.has(appId);
      this.listed = undefined;
    }
    return false;
  }

  /** The appid has just authorized (or was restored): it is in the list now. */
  forget(appId: string): void {
    this.misses.delete(appId);
    this.unrepairable.delete(appId);
    this.listed?.appIds.add(appId);
    if (this.authorizedDuringWalk && this.authorizedDuringWalk.size < this.limits.missesMax)
      this.authorizedDuringWalk.add(appId);
    else this.authorizedDuringWalk = undefined;
  }

  /** How many appids are held (list and single misses); for tests of the bounds. */
  get size(): number {
    return (this.listed?.appIds.size ?? 0) + this.misses.size + this.unrepairable.size;
  }

  private isHeld(map: Map<string, number>, appId: string): boolean {
    if (this.ttlMs <= 0) return false;
    const until = map.get(appId);
    if (until === undefined) return false;
    if (this.clock.now() < until) return true;
    map.delete(appId);
    return false;
  }

  private remember(map: Map<string, number>, appId: string, until: number): void {
    map.delete(appId);
    if (map.size >= this.limits.missesMax) {
      const now = this.clock.now();
      // Oldest first, and every entry got the same TTL: drop the expired ones, and live ones only
      // while the map is still full.
      for (const [oldest, oldestUntil] of map) {
        if (oldestUntil > now && map.size < this.limits.missesMax) break;
        map.delete(oldest);
      }
    }
    map.set(appId, until);
  }
}
