import { createHash, randomBytes } from 'node:crypto';
import type { FakeWeChatMerchant } from './fake-wechat-authorization.types.js';
import { TokenLedger, type TokenCheck } from '../core/token-ledger.js';

/** Permission sets granted when a test does not say (a typical official-account set). */
export const DEFAULT_FUNC_IDS: readonly number[] = [1, 2, 3, 4, 5, 6, 7, 8, 11, 15];

/** Merchant details with defaults applied. */
export interface ResolvedMerchant {
  authorizerAppId: string;
  funcIds: number[];
  grantApi: boolean;
  nickName: string;
}

/** One authorizer of one component. */
export interface AuthorizerRecord extends ResolvedMerchant {
  componentAppId: string;
  status: 'authorized' | 'revoked';
  refreshToken?: string;
  /** Epoch seconds of the latest consent. */
  authTime: number;
  /** Position in `api_get_authorizer_list`: set each time the merchant goes from none/revoked to authorized. */
  order: number;
  /** Bumped by every consent and revocation; voids older authorization codes. */
  generation: number;
  hideRefreshTokenInList: boolean;
  /** Errcode every `api_authorizer_token` for this authorizer answers, until cleared. */
  refreshFailure?: number;
}

/** The owner of an authorizer access token. */
export interface AuthorizerTokenOwner {
  componentAppId: string;
  authorizerAppId: string;
}

/**
 * Authorization state per component + authorizer, refresh tokens, and authorizer access tokens
 * (a new one leaves the previous valid for a grace period; revocation and re-consent kill them all).
 */
export class AuthorizerBook {
  private readonly records = new Map<string, AuthorizerRecord>();
  private readonly accessTokens: TokenLedger<AuthorizerTokenOwner>;
  private nextOrder = 0;

  constructor(
    private readonly now: () => number,
    graceSeconds: number,
  ) {
    this.accessTokens = new TokenLedger<AuthorizerTokenOwner>(now, graceSeconds, 'aat_');
  }

  /**
   * Records a consent; omitted details default to the previous authorization's, if any. Re-consent
   * of an authorized merchant is a re-authorization: new refresh token, access tokens killed.
   */
  consent(
    componentAppId: string,
    merchant: FakeWeChatMerchant,
  ): { record: AuthorizerRecord; infoType: 'authorized' | 'updateauthorized' } {
    const key = keyOf(componentAppId, merchant.authorizerAppId);
    const previous = this.records.get(key);
    const reauthorization = previous?.status === 'authorized';
    if (reauthorization) this.accessTokens.kill(key);
    const grantApi = merchant.grantApi ?? previous?.grantApi ?? true;
    const funcIds = merchant.funcIds ?? (previous?.funcIds.length ? previous.funcIds : DEFAULT_FUNC_IDS);
    const record: AuthorizerRecord = {
      authorizerAppId: merchant.authorizerAppId,
      grantApi,
      nickName: merchant.nickName ?? previous?.nickName ?? `Merchant ${merchant.authorizerAppId}`,
      funcIds: grantApi ? [...funcIds] : [],
      componentAppId,
      status: 'authorized',
      refreshToken: grantApi ? newRefreshToken() : undefined,
      authTime: Math.floor(this.now() / 1000),
      order: reauthorization ? previous.order : this.nextOrder++,
      generation: (previous?.generation ?? 0) + 1,
      hideRefreshTokenInList: previous?.hideRefreshTokenInList ?? false,
    };
    this.records.set(key, record);
    return { record, infoType: reauthorization ? 'updateauthorized' : 'authorized' };
  }

  /** De-authorization: the refresh token and every access token die at once. */
  revoke(componentAppId: string, authorizerAppId: string): void {
    const record = this.authorized(componentAppId, authorizerAppId);
    this.accessTokens.kill(keyOf(componentAppId, authorizerAppId));
    record.status = 'revoked';
    record.refreshToken = undefined;
    record.generation += 1;
  }

  get(componentAppId: string, authorizerAppId: string): AuthorizerRecord | undefined {
    return this.records.get(keyOf(componentAppId, authorizerAppId));
  }

  /** The record of a currently authorized merchant; throws otherwise (control methods). */
  authorized(componentAppId: string, authorizerAppId: string): AuthorizerRecord {
    const record = this.get(componentAppId, authorizerAppId);
    if (record?.status !== 'authorized') {
      throw new Error(`FakeWeChatPlatform: ${authorizerAppId} has not authorized ${componentAppId} (or revoked it)`);
    }
    return record;
  }

  /** Currently authorized merchants of the component, in authorization order. */
  listAuthorized(componentAppId: string): AuthorizerRecord[] {
    return [...this.records.values()]
      .filter((r) => r.componentAppId === componentAppId && r.status === 'authorized')
      .sort((a, b) => a.order - b.order);
  }

  /** The platform changes the refresh token behind the app's back; the old one is refused. */
  rotateRefreshToken(componentAppId: string, authorizerAppId: string): string {
    const record = this.authorized(componentAppId, authorizerAppId);
    if (!record.refreshToken)
      throw new Error(`FakeWeChatPlatform: ${authorizerAppId} granted no API permission, it has no refresh token`);
    record.refreshToken = newRefreshToken();
    return record.refreshToken;
  }

  issueAccessToken(record: AuthorizerRecord, expiresInSeconds: number): string {
    const owner = { componentAppId: record.componentAppId, authorizerAppId: record.authorizerAppId };
    return this.accessTokens.issue(keyOf(owner.componentAppId, owner.authorizerAppId), owner, expiresInSeconds);
  }

  killAccessTokens(componentAppId: string, authorizerAppId: string): void {
    this.accessTokens.kill(keyOf(componentAppId, authorizerAppId));
  }

  checkAccessToken(token: string): TokenCheck<AuthorizerTokenOwner> {
    return this.accessTokens.check(token);
  }
}

/** `gh_` + 12 hex digits, stable per appid, like an account's original id. */
export function userNameOf(authorizerAppId: string): string {
  return `gh_${createHash('sha1').update(authorizerAppId).digest('hex').slice(0, 12)}`;
}

/** The merchant's legal entity name shown by the info endpoints. */
export function principalNameOf(record: ResolvedMerchant): string {
  return `${record.nickName} Co., Ltd.`;
}

function keyOf(componentAppId: string, authorizerAppId: string): string {
  return `${componentAppId}\u0000${authorizerAppId}`;
}

function newRefreshToken(): string {
  return `refreshtoken@@@${randomBytes(32).toString('base64url')}`;
}
