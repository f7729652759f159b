import { Logger } from '@nestjs/common';
import { exponentialBackoffMs } from '../backoff.js';
import type { Clock } from '../clock/clock.js';
import type { ResolvedComponent } from '../options/resolved-options.js';
import type { AuthorizerRecord } from './authorizer.interface.js';
import type { AuthorizerStore } from './authorizer.store.js';

/** A rotated refresh token the platform issued and the store could not take yet. */
export interface HeldGrant {
  /** The refresh token the store still holds: the one this grant replaced (undefined if none). */
  replaces: string | undefined;
  refreshToken: string;
  refreshTokenExpiresAt?: number;
  refreshTokenIssuedAt?: number;
  /** The write is retried until then (the grant's access token expiry, epoch ms). */
  retryUntil: number;
}

interface Held extends HeldGrant {
  component: ResolvedComponent;
  authorizerAppId: string;
  attempts: number;
  timer?: NodeJS.Timeout;
}

/** Between two rounds of write attempts (each round is the store's own few retries). */
const RETRY_BASE_MS = 1_000;
const RETRY_MAX_MS = 60_000;

/**
 * Rotated refresh tokens held in memory while the durable store refuses them (a store hiccup after
 * a successful Douyin refresh): the platform has already spent the old refresh token and
 * invalidated the old access token, so throwing the new grant away would leave nothing that works.
 * The new access token is served; the record is read with the held refresh token over the stored
 * one; the write is retried in the background — a compare-and-set, so a chain someone else
 * repaired meanwhile wins — until it succeeds or the grant's access token has expired (after that
 * the next refresh presents the held token and writes again). If the process stops before the
 * write lands, the stored token is a spent one and the next refresh repairs the chain.
 */
export class PendingGrants {
  private readonly logger = new Logger('OpenPlatform:AuthorizerToken');
  private readonly held = new Map<string, Held>();
  private stopped = false;

  constructor(
    private readonly store: AuthorizerStore,
    private readonly clock: Clock,
  ) {}

  /** Holds a grant whose record could not be written, and starts retrying the write. */
  hold(component: ResolvedComponent, authorizerAppId: string, grant: HeldGrant): void {
    const key = keyOf(component, authorizerAppId);
    clearTimeout(this.held.get(key)?.timer);
    const held: Held = { ...grant, component, authorizerAppId, attempts: 0 };
    this.held.set(key, held);
    this.schedule(key, held);
  }

  /**
   * The record as it is once the held grant is written, and the refresh token the store holds;
   * a held grant the store has moved past (someone else wrote a newer chain) is dropped.
   */
  overlay(record: AuthorizerRecord): { record: AuthorizerRecord; expected: string | undefined } {
    const key = keyOf(record, record.authorizerAppId);
    const held = this.held.get(key);
    if (!held) return { record, expected: record.refreshToken };
    if (record.status !== 'active' || record.refreshToken !== held.replaces) {
      this.forget(key);
      return { record, expected: record.refreshToken };
    }
    return {
      record: {
        ...record,
        refreshToken: held.refreshToken,
        refreshTokenExpiresAt: held.refreshTokenExpiresAt ?? record.refreshTokenExpiresAt,
        refreshTokenIssuedAt: held.refreshTokenIssuedAt ?? record.refreshTokenIssuedAt,
        refreshAttempt: undefined,
      },
      expected: held.replaces,
    };
  }

  /** The authorizer's record was written with a newer chain: nothing is held for it any more. */
  clear(component: ResolvedComponent, authorizerAppId: string): void {
    this.forget(keyOf(component, authorizerAppId));
  }

  /** How many grants are held (for status and tests). */
  get size(): number {
    return this.held.size;
  }

  /** Stops retrying; one last attempt per held grant (the app is shutting down). */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const held of this.held.values()) clearTimeout(held.timer);
    await Promise.allSettled([...this.held.keys()].map((key) => this.write(key)));
  }

  private schedule(key: string, held: Held): void {
    if (this.stopped || this.clock.now() >= held.retryUntil) return;
    const delay = exponentialBackoffMs(RETRY_BASE_MS, RETRY_MAX_MS, held.attempts + 1);
    held.timer = setTimeout(() => void this.retry(key, held), delay);
    held.timer.unref();
  }

  private async retry(key: string, held: Held): Promise<void> {
    if (this.held.get(key) !== held) return;
    held.attempts++;
    if (!(await this.write(key))) this.schedule(key, held);
  }

  /** One attempt to write the held grant; true when nothing is left to do. */
  private async write(key: string): Promise<boolean> {
    const held = this.held.get(key);
    if (!held) return true;
    try {
      const saved = await this.store.update(held.component, held.authorizerAppId, (current) =>
        current && current.status === 'active' && current.refreshToken === held.replaces
          ? {
              ...current,
              refreshToken: held.refreshToken,
              refreshTokenExpiresAt: held.refreshTokenExpiresAt ?? current.refreshTokenExpiresAt,
              refreshTokenIssuedAt: held.refreshTokenIssuedAt ?? current.refreshTokenIssuedAt,
              refreshAttempt: undefined,
              updatedAt: this.clock.now(),
            }
          : undefined,
      );
      if (this.held.get(key) === held) this.forget(key);
      if (saved?.refreshToken === held.refreshToken)
        this.logger.log(`the held refresh token of authorizer ${held.authorizerAppId} is persisted now`);
      return true;
    } catch {
      // The store logged the failure and raised the critical event; the grant stays held.
      return false;
    }
  }

  private forget(key: string): void {
    clearTimeout(this.held.get(key)?.timer);
    this.held.delete(key);
  }
}

function keyOf(component: { platform?: string; componentAppId?: string; appId?: string }, authorizerAppId: string) {
  return `${component.platform}:${component.appId ?? component.componentAppId}:${authorizerAppId}`;
}
