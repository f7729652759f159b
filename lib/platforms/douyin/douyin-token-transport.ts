import { getQueryParam, setQueryParam } from '../outbound-request.js';
import type { OutboundRequest } from '../platform-adapter.js';
import { DOUYIN_TOKEN_HEADER, DouyinV1Paths, DouyinV2Paths } from './douyin.constants.js';

/** V1 query parameters that carry a token. */
const TOKEN_PARAMS = ['authorizer_access_token', 'component_access_token'];
/** The endpoints that take the component secret instead of a token, without trailing slash. */
const TOKENLESS_PATHS = [DouyinV1Paths.componentToken, DouyinV2Paths.componentToken].map(withoutTrailingSlash);

function withoutTrailingSlash(path: string): string {
  return path.replace(/\/+$/, '');
}

interface HeaderBag {
  get?: (name: string) => unknown;
  set?: (name: string, value: string) => unknown;
}

/** One header, from AxiosHeaders (case-insensitive `get`) or a plain object (any case). */
export function getHeader(request: OutboundRequest, name: string): string | undefined {
  const headers = request.headers;
  if (headers === null || typeof headers !== 'object') return undefined;
  let value: unknown;
  if (typeof (headers as HeaderBag).get === 'function') value = (headers as HeaderBag).get!(name);
  else {
    const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
    value = key === undefined ? undefined : (headers as Record<string, unknown>)[key];
  }
  if (Array.isArray(value)) value = (value as unknown[])[0];
  return typeof value === 'string' && value ? value : undefined;
}

/** Sets one header on AxiosHeaders or a plain object, replacing it in whatever case it was. */
export function setHeader(config: OutboundRequest, name: string, value: string): void {
  const headers = config.headers;
  if (headers !== null && typeof headers === 'object' && typeof (headers as HeaderBag).set === 'function') {
    (headers as HeaderBag).set!(name, value);
    return;
  }
  const plain = { ...(headers as Record<string, unknown> | undefined) };
  for (const key of Object.keys(plain)) if (key.toLowerCase() === name) delete plain[key];
  config.headers = { ...plain, [name]: value };
}

/**
 * Puts a token where the generation expects it: V2 takes every token in the `access-token`
 * header; V1 takes it in the query next to `component_appid`.
 */
export function injectDouyinToken(
  config: OutboundRequest,
  token: string,
  kind: 'component' | 'authorizer',
  apiVersion: 'v1' | 'v2',
  componentAppId: string,
): void {
  if (apiVersion === 'v2') {
    setHeader(config, DOUYIN_TOKEN_HEADER, token);
    return;
  }
  setQueryParam(config, kind === 'authorizer' ? 'authorizer_access_token' : 'component_access_token', token);
  setQueryParam(config, 'component_appid', componentAppId);
}

/**
 * The tokens a request carries in any generation's places. Both are read whatever the component's
 * generation: a request may bring its own token, and redaction must never miss one.
 */
export function douyinCarriedTokens(request: OutboundRequest): string[] {
  return [getHeader(request, DOUYIN_TOKEN_HEADER), ...TOKEN_PARAMS.map((p) => getQueryParam(request, p))].filter(
    (t): t is string => !!t,
  );
}

/** Whether the request calls a component-token endpoint (it authenticates with the secret). */
export function douyinTakesNoToken(request: OutboundRequest): boolean {
  const path = withoutTrailingSlash((request.url ?? '').split(/[?#]/, 1)[0]);
  return TOKENLESS_PATHS.some((p) => path.endsWith(p));
}
