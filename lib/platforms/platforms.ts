import type { AxiosInstance } from 'axios';
import { OpenPlatformError, OpenPlatformErrorCode } from '../errors/open-platform.error.js';
import type { ComponentOptions } from '../options/open-platform-options.interface.js';
import type { PlatformName } from '../platform-names.js';
import type { PlatformAdapter, PlatformDefaults } from './platform-adapter.js';
import type { UpstreamRetry } from './upstream-retry.js';
import { douyinDefinition } from './douyin/douyin.definition.js';
import { WeChatAdapter } from './wechat/wechat.adapter.js';
import { WECHAT_API_BASE_URL, WECHAT_AUTHORIZE_PAGE_URL } from './wechat/wechat.constants.js';

interface PlatformDefinition {
  defaults(component: ComponentOptions): PlatformDefaults;
  create(http: AxiosInstance, retry: UpstreamRetry): PlatformAdapter;
}

/** Every supported platform. Adding a platform = one folder under platforms/ and one entry here. */
const PLATFORMS: Partial<Record<PlatformName, PlatformDefinition>> = {
  wechat: {
    defaults: () => ({ apiBaseUrl: WECHAT_API_BASE_URL, authorizePageUrl: WECHAT_AUTHORIZE_PAGE_URL }),
    create: (http, retry) => new WeChatAdapter(http, retry),
  },
  douyin: douyinDefinition,
};

/** The platforms this version can run. */
export function supportedPlatforms(): PlatformName[] {
  return Object.keys(PLATFORMS) as PlatformName[];
}

export function platformDefinition(platform: PlatformName): PlatformDefinition {
  const def = PLATFORMS[platform];
  if (!def) {
    throw new OpenPlatformError({
      platform: 'library',
      code: OpenPlatformErrorCode.INVALID_OPTIONS,
      message: `Invalid OpenPlatformModule options:\n  - components: platform '${platform}' is not supported by this version yet (supported: ${Object.keys(PLATFORMS).join(', ')})`,
    });
  }
  return def;
}
