import { withQuery } from '../core/page-helpers.js';
import { AUTHORIZATION_PAGE } from './authorization-page.js';
import { fail, type DouyinComponentState, type DouyinState, type Outcome } from './douyin-state.js';

/** The docs' permission list (`authorize_permission`). */
const PERMISSIONS: Readonly<Record<number, [string, string]>> = {
  1: ['开发管理权限', '帮助小程序进行基础功能开发及配置开发所需信息'],
  2: ['基本信息设置权限', '帮助小程序管理名称、头像、简介、服务类目等信息'],
  3: ['运营管理权限', '帮助小程序接入平台提供的开放能力，包括自主挂载、达人推广、搜索等'],
  4: ['数据分析权限', '能够获得小程序相关数据并进行数据分析，主要包括小程序用户数据及交易数据'],
  5: ['广告管理权限', '帮助小程序进行广告投放及管理'],
  6: ['支付服务权限', '帮助小程序开通及使用支付产品，并获得支付产生的相关数据'],
  7: ['流量主权限', '帮助开发者管理小程序内的广告变现业务'],
  8: ['小程序推广计划-任务管理权限', '帮助开发者发布小程序推广任务并查看任务相关信息'],
};

/** gen_link links stay valid 24 h. */
const LINK_LIFETIME_SECONDS = 86_400;
/** The app list refuses larger pages. */
const MAX_PAGE_SIZE = 50;

/** Component token: appid (40003), secret (40038), then a ticket within its lifetime (40037). */
export function componentToken(
  state: DouyinComponentState,
  appId: string | null,
  secret: string | null,
  ticket: string | null,
): Outcome {
  if (!appId || !secret || !ticket) return fail(40002);
  const component = state.components.get(appId);
  if (!component) return fail(40003);
  if (secret !== component.appSecret) return fail(40038);
  if (state.tickets.check(appId, ticket) !== 'valid') return fail(40037);
  const { token, expiresIn } = state.componentTokens.fetch(appId, state.lifetimes().componentToken);
  return { ok: true, data: { component_access_token: token, expires_in: expiresIn } };
}

export function preAuthCode(state: DouyinState, componentAppId: string): Outcome {
  const code = state.codes.createPreAuthCode(componentAppId);
  return { ok: true, data: { pre_auth_code: code, expires_in: state.codes.preAuthCodeExpiresIn } };
}

/** gen_link: a link to the emulator's own authorization page, carrying a fresh pre-auth code. */
export function genLink(state: DouyinState, componentAppId: string, body: Record<string, unknown>): Outcome {
  const redirectUri = body.redirect_uri;
  if (typeof redirectUri !== 'string' || redirectUri === '' || body.link_type === undefined) return fail(40001);
  const code = state.codes.createPreAuthCode(componentAppId, LINK_LIFETIME_SECONDS);
  return { ok: true, data: { link: authorizationLink(state, componentAppId, code, redirectUri) } };
}

/** The authorization page URL for a pre-auth code. */
export function authorizationLink(state: DouyinState, componentAppId: string, code: string, redirectUri: string) {
  const query = new URLSearchParams({
    component_appid: componentAppId,
    pre_auth_code: code,
    redirect_uri: redirectUri,
  });
  return withQuery(`${state.baseUrl()}${AUTHORIZATION_PAGE}`, query.toString());
}

/** Code exchange (40018) or refresh (40021): both issue a new pair and kill the previous one. */
export function authToken(
  state: DouyinState,
  componentAppId: string,
  grantType: string | null,
  authorizationCode: string | null,
  refreshToken: string | null,
): Outcome {
  const { accessToken: accessLife, refreshToken: refreshLife } = state.lifetimes();
  if (grantType === 'app_to_tp_authorization_code') {
    if (!authorizationCode) return fail(40002);
    const authorizerAppId = state.codes.redeem(componentAppId, authorizationCode, (appId, generation) => {
      const record = state.authorizers.get(componentAppId, appId);
      return record?.status === 'authorized' && record.generation === generation;
    });
    if (!authorizerAppId) return fail(40018);
    const record = state.authorizers.authorized(componentAppId, authorizerAppId);
    const pair = state.authorizers.issuePair(record, accessLife, refreshLife);
    return {
      ok: true,
      data: {
        ...tokenFields(pair, accessLife, refreshLife),
        authorizer_appid: authorizerAppId,
        authorize_permission: record.permissionIds.map((id) => permission(id)),
      },
    };
  }
  if (grantType === 'app_to_tp_refresh_token') {
    if (!refreshToken) return fail(40002);
    const refreshed = state.authorizers.refresh(componentAppId, refreshToken, accessLife, refreshLife);
    if (refreshed.status !== 'rotated') return fail(40021);
    // A refresh answer may omit the appid and permissions; the emulator does, so clients cope.
    return { ok: true, data: tokenFields(refreshed, accessLife, refreshLife), lose: state.takeLostRefresh() };
  }
  return fail(grantType ? 40040 : 40002);
}

/** Retrieve a code for an existing authorization; the platform then pushes the same code. */
export function retrieveAuthCode(state: DouyinState, componentAppId: string, authorizerAppId: unknown): Outcome {
  if (typeof authorizerAppId !== 'string' || authorizerAppId === '') return fail(40002);
  const record = state.authorizers.get(componentAppId, authorizerAppId);
  if (!record) return fail(40004);
  if (record.status !== 'authorized') return fail(40022);
  const code = state.codes.issueAuthCode(componentAppId, authorizerAppId, record.generation);
  const push = state.codePush(componentAppId, authorizerAppId, code, 'UPDATE_AUTHORIZED');
  return {
    ok: true,
    data: { authorization_code: code, expires_in: state.codes.authCodeExpiresIn },
    afterSend: push && (() => void push()),
  };
}

/** Authorized apps, one page (`page` from 1, `size` 1..50); no refresh tokens in it. */
export function authAppList(state: DouyinState, componentAppId: string, page: string | null, size: string | null) {
  const pageNo = Number(page);
  const pageSize = Number(size);
  if (!Number.isInteger(pageNo) || pageNo < 1 || !Number.isInteger(pageSize) || pageSize < 1) return fail(40001);
  if (pageSize > MAX_PAGE_SIZE) return fail(40001);
  const all = state.authorizers.listAuthorized(componentAppId);
  const slice = all.slice((pageNo - 1) * pageSize, pageNo * pageSize);
  return {
    ok: true,
    data: {
      auth_app_list: slice.map((r) => ({ auth_appid: r.authorizerAppId, auth_time: r.authTime })),
      total: all.length,
    },
  } satisfies Outcome;
}

function tokenFields(pair: { accessToken: string; refreshToken: string }, accessLife: number, refreshLife: number) {
  return {
    authorizer_access_token: pair.accessToken,
    expires_in: accessLife,
    authorizer_refresh_token: pair.refreshToken,
    refresh_expires_in: refreshLife,
  };
}

function permission(id: number): { id: number; category: string; description: string } {
  const [category, description] = PERMISSIONS[id] ?? [`权限 ${id}`, ''];
  return { id, category, description };
}
