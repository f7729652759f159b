import type { AxiosInstance } from 'axios';
import type { ResolvedComponent } from '../../options/resolved-options.js';
import { sentCredentials } from '../../errors/redact.js';
import { callUpstream, type UpstreamCallOptions } from '../upstream-call.js';
import { asObject } from './douyin-answers.js';
import { DOUYIN_TOKEN_HEADER } from './douyin.constants.js';
import { douyinCode, douyinError } from './douyin.errors.js';

type Json = Record<string, unknown>;

/** The generation a component speaks; V2 unless it chose V1. */
export function apiVersionOf(component: ResolvedComponent): 'v1' | 'v2' {
  return component.apiVersion === 'v1' ? 'v1' : 'v2';
}

export interface DouyinCall {
  method: 'GET' | 'POST';
  path: string;
  params?: Record<string, string | number>;
  body?: object;
  /** Sent the generation's way: V2 header `access-token`, V1 query with `component_appid`. */
  componentToken?: string;
}

/**
 * One upstream call. Failures of either envelope (`err_no` / `errno`) become `OpenPlatformError`s;
 * a success returns V2's `data` or V1's flat body.
 */
export async function callDouyin(
  http: AxiosInstance,
  component: ResolvedComponent,
  endpoint: string,
  c: DouyinCall,
  options: UpstreamCallOptions = {},
): Promise<Json> {
  const params: Record<string, string | number> = { ...c.params };
  const headers: Record<string, string> = {};
  if (c.body) headers['content-type'] = 'application/json';
  if (c.componentToken !== undefined) {
    if (apiVersionOf(component) === 'v1')
      Object.assign(params, { component_appid: component.appId, component_access_token: c.componentToken });
    else headers[DOUYIN_TOKEN_HEADER] = c.componentToken;
  }
  const data = await callUpstream(
    http,
    'douyin',
    endpoint,
    {
      method: c.method,
      url: component.apiBaseUrl + c.path,
      params,
      data: c.body,
      headers,
    },
    options,
  );
  if (douyinCode(data) !== 0) throw douyinError(endpoint, data, sentCredentials(c.componentToken, c.params, c.body));
  const inner = asObject(data.data);
  return Object.keys(inner).length > 0 ? inner : data;
}
