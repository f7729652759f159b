import type { PlatformName } from '../platform-names.js';

/**
 * Every key this module writes, namespaced per platform and component so several components
 * (and several apps, through the Redis key prefix) never collide.
 */
export const StoreKeys = {
  ticket: (platform: PlatformName, componentAppId: string) => `${platform}:${componentAppId}:ticket`,
  componentToken: (platform: PlatformName, componentAppId: string) => `${platform}:${componentAppId}:component-token`,
  /** Prefix of every authorizer record of a component. */
  authorizers: (platform: PlatformName, componentAppId: string) => `${platform}:${componentAppId}:authorizer:`,
  authorizer: (platform: PlatformName, componentAppId: string, authorizerAppId: string) =>
    `${platform}:${componentAppId}:authorizer:${authorizerAppId}`,
  authorizerToken: (platform: PlatformName, componentAppId: string, authorizerAppId: string) =>
    `${platform}:${componentAppId}:authorizer-token:${authorizerAppId}`,
  /** An authorization code already exchanged (the code itself is hashed: it is a credential). */
  exchangedCode: (platform: PlatformName, componentAppId: string, codeHash: string) =>
    `${platform}:${componentAppId}:exchanged-code:${codeHash}`,
  /** The due-time index of a component's scheduled renewals (members: authorizer appids). */
  renewalIndex: (platform: PlatformName, componentAppId: string) => `${platform}:${componentAppId}:renewal-due`,
} as const;
