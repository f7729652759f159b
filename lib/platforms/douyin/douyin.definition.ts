import type { AxiosInstance } from 'axios';
import type { ComponentOptions } from '../../options/open-platform-options.interface.js';
import type { PlatformAdapter, PlatformDefaults } from '../platform-adapter.js';
import type { UpstreamRetry } from '../upstream-retry.js';
import { DouyinAdapter } from './douyin.adapter.js';
import { DOUYIN_AUTHORIZE_PAGE_URL, DOUYIN_V1_API_BASE_URL, DOUYIN_V2_API_BASE_URL } from './douyin.constants.js';

/**
 * Douyin's entry for the platform registry: defaults per API generation (a component's
 * `apiVersion`, V2 unless it says `'v1'`) and the adapter, which serves both generations.
 */
export const douyinDefinition: {
  defaults(component: ComponentOptions): PlatformDefaults;
  create(http: AxiosInstance, retry?: UpstreamRetry): PlatformAdapter;
} = {
  defaults: (component) => ({
    apiBaseUrl: component.apiVersion === 'v1' ? DOUYIN_V1_API_BASE_URL : DOUYIN_V2_API_BASE_URL,
    authorizePageUrl: DOUYIN_AUTHORIZE_PAGE_URL,
  }),
  create: (http, retry) => new DouyinAdapter(http, retry),
};
