import { randomBytes } from 'node:crypto';
import { TokenLedger, type TokenCheck } from '../core/token-ledger.js';
import type { FakeDouyinApiVersion, FakeDouyinAuthorizerState, FakeDouyinMerchant } from './fake-douyin.types.js';

/** Permission ids granted when a test does not say: all eight the docs list. */
export const ALL_PERMISSION_IDS: readonly number[] = [1, 2, 3, 4, 5, 6, 7, 8];

/** One authorizer of one component. */
export interface DouyinAuthorizer {
  componentAppId: string;
  authorizerAppId: string;
  status: 'authorized' | 'revoked';
  permissionIds: number[];
  /** Epoch seconds of the latest consent. */
  authTime: number;
  /** Position in the app list. */
  order: number;
  /** Bumped by revocation; voids older authorization codes. */
  generation: number;
  refreshToken?: string;
  /** Presentations of spent refresh tokens. */
  reuses: number;
}

/** The owner of an authorizer access token. */
export interface DouyinTokenOwner {
  componentAppId: string;
  authorizerAppId: string;
}

interface RefreshEntry {
  key: string;
  expiresAt: number;
  /** `spent` by a refresh (presenting it again is a reuse); `void` when superseded otherwise or revoked. */
  state: 'current' | 'spent' | 'void';
}

/** Outcome of presenting a refresh token. */
export type RefreshOutcome =
  | { status: 'rotated'; record: DouyinAuthorizer; accessToken: string; refreshToken: string }
  | { status: 'reused'; record: DouyinAuthorizer }
  | { status: 'invalid' };

/**
 * Authorizers and their one live token pair. Every new pair (code exchange or refresh) kills the
 * previous access token and refresh token at once: refresh tokens are single use and rotate.
 */
export class DouyinAuthorizerBook {
  private readonly records = new Map<string, DouyinAuthorizer>();
  private readonly refreshTokens = new Map<string, RefreshEntry>();
  private readonly accessTokens: TokenLedger<DouyinTokenOwner>;
  private readonly current = new Map<string, string>();
  private nextOrder = 0;

  constructor(
    private readonly now: () => number,
    private readonly version: FakeDouyinApiVersion,
  ) {
    // No grace: a rotation makes the previous access token useless at once.
    this.accessTokens = new TokenLedger<DouyinTokenOwner>(now, 0, version === 'v2' ? 'isvact.' : '');
  }

  /** Records a consent; a re-consent keeps the live tokens (the code exchange will rotate them). */
  consent(componentAppId: string, merchant: FakeDouyinMerchant): DouyinAuthorizer {
    const key = keyOf(componentAppId, merchant.authorizerAppId);
    const previous = this.records.get(key);
    const record: DouyinAuthorizer = {
      componentAppId,
      authorizerAppId: merchant.authorizerAppId,
      status: 'authorized',
      permissionIds: [...(merchant.permissionIds ?? previous?.permissionIds ?? ALL_PERMISSION_IDS)],
      authTime: Math.floor(this.now() / 1000),
      order: previous?.status === 'authorized' ? previous.order : this.nextOrder++,
      generation: previous?.generation ?? 0,
      refreshToken: previous?.status === 'authorized' ? previous.refreshToken : undefined,
      reuses: previous?.reuses ?? 0,
    };
    this.records.set(key, record);
    return record;
  }

  /** De-authorization: the refresh token and the access token die at once. */
  revoke(componentAppId: string, authorizerAppId: string): void {
    const record = this.authorized(componentAppId, authorizerAppId);
    this.voidPair(record);
    record.status = 'revoked';
    record.generation += 1;
  }

  get(componentAppId: string, authorizerAppId: string): DouyinAuthorizer | undefined {
    return this.records.get(keyOf(componentAppId, authorizerAppId));
  }

  /** The record of an authorized merchant; throws otherwise (control methods). */
  authorized(componentAppId: string, authorizerAppId: string): DouyinAuthorizer {
    const record = this.get(componentAppId, authorizerAppId);
    if (record?.status !== 'authorized') {
      throw new Error(`FakeDouyinPlatform: ${authorizerAppId} has not authorized ${componentAppId} (or revoked it)`);
    }
    return record;
  }

  listAuthorized(componentAppId: string): DouyinAuthorizer[] {
    return [...this.records.values()]
      .filter((r) => r.componentAppId === componentAppId && r.status === 'authorized')
      .sort((a, b) => a.order - b.order);
  }

  /** Presentations of spent refresh tokens: of one authorizer (under any component), or in total. */
  reuses(authorizerAppId?: string): number {
    return [...this.records.values()]
      .filter((r) => authorizerAppId === undefined || r.authorizerAppId === authorizerAppId)
      .reduce((sum, r) => sum + r.reuses, 0);
  }

  /** A new live pair for the authorizer; the previous pair dies. */
  issuePair(
    record: DouyinAuthorizer,
    accessExpiresIn: number,
    refreshExpiresIn: number,
  ): { accessToken: string; refreshToken: string } {
    this.voidPair(record);
    const key = keyOf(record.componentAppId, record.authorizerAppId);
    const owner = { componentAppId: record.componentAppId, authorizerAppId: record.authorizerAppId };
    const accessToken = this.accessTokens.issue(key, owner, accessExpiresIn);
    const refreshToken = `${this.version === 'v2' ? 'isvrft.' : ''}${randomBytes(40).toString('hex')}`;
    this.refreshTokens.set(refreshToken, { key, expiresAt: this.now() + refreshExpiresIn * 1000, state: 'current' });
    record.refreshToken = refreshToken;
    this.current.set(key, accessToken);
    return { accessToken, refreshToken };
  }

  /**
   * Spends a refresh token presented by `componentAppId`: a live one rotates the pair; a spent one
   * is a reuse (counted); anything else (unknown, foreign, expired, voided) is merely invalid.
   */
  refresh(componentAppId: string, token: string, accessExpiresIn: number, refreshExpiresIn: number): RefreshOutcome {
    const entry = this.refreshTokens.get(token);
    const record = entry && this.records.get(entry.key);
    if (!entry || !record || record.componentAppId !== componentAppId) return { status: 'invalid' };
    if (entry.state === 'spent') {
      record.reuses += 1;
      return { status: 'reused', record };
    }
    if (entry.state === 'void' || this.now() >= entry.expiresAt) return { status: 'invalid' };
    entry.state = 'spent';
    return { status: 'rotated', record, ...this.issuePair(record, accessExpiresIn, refreshExpiresIn) };
  }

  /** What a test may see of an authorizer, or undefined if it never authorized the component. */
  snapshot(componentAppId: string, authorizerAppId: string): FakeDouyinAuthorizerState | undefined {
    const record = this.get(componentAppId, authorizerAppId);
    if (!record) return undefined;
    const accessToken = this.current.get(keyOf(componentAppId, authorizerAppId));
    return {
      status: record.status,
      ...(record.refreshToken
        ? {
            refreshToken: record.refreshToken,
            refreshTokenExpiresAt: this.refreshTokens.get(record.refreshToken)?.expiresAt,
          }
        : {}),
      ...(accessToken ? { accessToken } : {}),
      permissionIds: [...record.permissionIds],
      refreshTokenReuses: record.reuses,
    };
  }

  checkAccessToken(token: string): TokenCheck<DouyinTokenOwner> {
    return this.accessTokens.check(token);
  }

  private voidPair(record: DouyinAuthorizer): void {
    const key = keyOf(record.componentAppId, record.authorizerAppId);
    this.accessTokens.kill(key);
    this.current.delete(key);
    const previous = record.refreshToken && this.refreshTokens.get(record.refreshToken);
    if (previous && previous.state === 'current') previous.state = 'void';
    record.refreshToken = undefined;
  }
}

function keyOf(componentAppId: string, authorizerAppId: string): string {
  return `${componentAppId}\u0000${authorizerAppId}`;
}
