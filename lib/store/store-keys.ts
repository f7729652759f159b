import type { PlatformName } from '../options/open-platform-options.interface.js';

/**
 * Every key this module writes, namespaced per platform and component so several components
 * (and several apps, through the Redis key prefix) never collide.
 */
export const StoreKeys = {
  ticket: (platform: PlatformName, componentAppId: string) => `${platform}:${componentAppId}:ticket`,
  componentToken: (platform: PlatformName, componentAppId: string) => `${platform}:${componentAppId}:component-token`,
} as const;
