import type { FakeHttpServer, FakeReply, FakeRequest } from '../core/fake-http-server.js';
import { AUTHORIZATION_PAGE, authorizationPage } from './authorization-page.js';
import { basicInfo, headerOf } from './business-endpoints.js';
import { flatError, prefixed, v2Error, v2Success } from './douyin-errors.js';
import * as ops from './douyin-operations.js';
import { fail, type DouyinComponentState, type DouyinState, type Outcome } from './douyin-state.js';
import type { FakeDouyinEndpoint, FakeDouyinEndpointName } from './fake-douyin.types.js';

/** How an endpoint wraps its answers: V1 and the V2 component-token endpoint are flat. */
export type Envelope = 'flat' | 'v2';

/** The envelope of `endpoint` in `version` (user routes on V2 use the V2 envelope). */
export function envelopeOf(version: DouyinComponentState['version'], endpoint: FakeDouyinEndpointName): Envelope {
  return version === 'v1' || endpoint === 'tp_token' ? 'flat' : 'v2';
}

/** An endpoint's handler whose outcome is put in the generation's envelope. */
function adder(server: FakeHttpServer<FakeDouyinEndpointName>, state: DouyinComponentState) {
  return (method: string, path: string, endpoint: FakeDouyinEndpoint, handle: (r: FakeRequest) => Outcome) =>
    server.route(method, path, endpoint, (request) => render(state, endpoint, handle(request)));
}

/** Registers the generation's component-token endpoint. */
export function registerComponentTokenRoute(
  server: FakeHttpServer<FakeDouyinEndpointName>,
  state: DouyinComponentState,
): void {
  const path = state.version === 'v1' ? '/openapi/v1/auth/tp/token' : '/openapi/v2/auth/tp/token/';
  adder(server, state)('GET', path, 'tp_token', (r) =>
    ops.componentToken(
      state,
      r.query.get('component_appid'),
      r.query.get('component_appsecret'),
      r.query.get('component_ticket'),
    ),
  );
}

/** Registers the generation's authorization endpoints, the authorization page and the business endpoint. */
export function registerDouyinRoutes(server: FakeHttpServer<FakeDouyinEndpointName>, state: DouyinState): void {
  const add = adder(server, state);
  server.route('GET', AUTHORIZATION_PAGE, 'authorization_page', (r) => authorizationPage(state, r));

  if (state.version === 'v1') {
    const guarded = (handle: (componentAppId: string, r: FakeRequest) => Outcome) => (r: FakeRequest) => {
      const componentAppId = guardV1(state, r);
      return typeof componentAppId === 'number' ? fail(componentAppId) : handle(componentAppId, r);
    };
    add(
      'POST',
      '/openapi/v2/auth/pre_auth_code',
      'pre_auth_code',
      guarded((c) => ops.preAuthCode(state, c)),
    );
    add(
      'GET',
      '/openapi/v1/oauth/token',
      'auth_token',
      guarded((c, r) => authToken(state, c, r)),
    );
    add(
      'POST',
      '/openapi/v1/auth/retrieve',
      'retrieve_auth_code',
      guarded((c, r) => ops.retrieveAuthCode(state, c, r.query.get('authorization_appid'))),
    );
    add(
      'GET',
      '/openapi/v1/tp/auth_app_list',
      'auth_app_list',
      guarded((c, r) => ops.authAppList(state, c, r.query.get('page'), r.query.get('size'))),
    );
    server.route('GET', '/openapi/v1/microapp/app/info', 'basic_info', (r) => basicInfo(state, r));
    return;
  }

  const guarded = (handle: (componentAppId: string, r: FakeRequest) => Outcome) => (r: FakeRequest) => {
    const componentAppId = guardV2(state, r);
    return typeof componentAppId === 'number' ? fail(componentAppId) : handle(componentAppId, r);
  };
  add(
    'POST',
    '/api/tpapp/v3/auth/get_pre_auth_code/',
    'pre_auth_code',
    guarded((c) => ops.preAuthCode(state, c)),
  );
  add(
    'POST',
    '/api/tpapp/v3/auth/gen_link/',
    'gen_link',
    guarded((c, r) => ops.genLink(state, c, bodyOf(r))),
  );
  add(
    'GET',
    '/api/tpapp/v2/auth/get_auth_token/',
    'auth_token',
    guarded((c, r) => authToken(state, c, r)),
  );
  add(
    'POST',
    '/api/tpapp/v2/auth/retrieve_auth_code/',
    'retrieve_auth_code',
    guarded((c, r) => ops.retrieveAuthCode(state, c, bodyOf(r).authorization_appid)),
  );
  add(
    'GET',
    '/api/tpapp/v2/auth/get_auth_app_list/',
    'auth_app_list',
    guarded((c, r) => ops.authAppList(state, c, r.query.get('page'), r.query.get('size'))),
  );
  server.route('GET', '/api/apps/v2/basic_info/get_info', 'basic_info', (r) => basicInfo(state, r));
}

function authToken(state: DouyinState, componentAppId: string, r: FakeRequest): Outcome {
  const q = r.query;
  return ops.authToken(
    state,
    componentAppId,
    q.get('grant_type'),
    q.get('authorization_code'),
    q.get('authorizer_refresh_token'),
  );
}

/** V1 component calls: query `component_appid` (40003) and its `component_access_token` (40010 / 40009). */
function guardV1(state: DouyinState, r: FakeRequest): string | number {
  const componentAppId = r.query.get('component_appid');
  const token = r.query.get('component_access_token');
  if (!componentAppId || !token) return 40002;
  if (!state.components.has(componentAppId)) return 40003;
  const checked = state.componentTokens.check(token);
  if (checked.status === 'unknown' || checked.componentAppId !== componentAppId) return 40010;
  if (checked.status === 'expired') return 40009;
  return checked.status === 'valid' ? componentAppId : 40010;
}

/** V2 component calls: header `access-token` carries the component token, which names the component. */
function guardV2(state: DouyinState, r: FakeRequest): string | number {
  const token = headerOf(r, 'access-token');
  if (!token) return 40002;
  const checked = state.componentTokens.check(token);
  if (checked.status === 'expired') return 40009;
  return checked.status === 'valid' ? checked.componentAppId : 40010;
}

function bodyOf(r: FakeRequest): Record<string, unknown> {
  const json = r.json;
  return typeof json === 'object' && json !== null && !Array.isArray(json) ? (json as Record<string, unknown>) : {};
}

/** Puts an outcome in the endpoint's envelope, 200-prefixing error codes where configured. */
function render(state: DouyinComponentState, endpoint: FakeDouyinEndpoint, outcome: Outcome): FakeReply {
  const envelope = envelopeOf(state.version, endpoint);
  if (!outcome.ok) {
    const code = state.version === 'v2' && state.prefixed.has(endpoint) ? prefixed(outcome.code) : outcome.code;
    return { body: envelope === 'flat' ? flatError(code) : v2Error(code) };
  }
  return {
    body: envelope === 'flat' ? outcome.data : v2Success(outcome.data),
    lose: outcome.lose,
    afterSend: outcome.afterSend,
  };
}
