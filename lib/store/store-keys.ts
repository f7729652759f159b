import { hash } from 'node:crypto';
import type { PlatformName } from '../platform-names.js';

/** How a credential (a code, a push signature) appears in a key: its SHA-256, never itself. */
export function digest(value: string): string {
  // One-shot: no Hash object per key.
  return hash('sha256', value, 'hex');
}

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
  /** A push already handled (by its signature's digest), remembered for the replay window. */
  handledPush: (platform: PlatformName, componentAppId: string, signatureHash: string) =>
    `${platform}:${componentAppId}:handled-push:${signatureHash}`,
  /** An authorizer message already handled (by the digest of its dedupe key), with its answer. */
  handledMessage: (platform: PlatformName, componentAppId: string, keyHash: string) =>
    `${platform}:${componentAppId}:handled-message:${keyHash}`,
  /** The due-time index of a component's scheduled renewals (members: authorizer appids). */
  renewalIndex: (platform: PlatformName, componentAppId: string) => `${platform}:${componentAppId}:renewal-due`,
} as const;
