import type { ComponentStatus } from './status.interface.js';

/** Terminus' indicator statuses that this module reports. */
export type HealthStatus = 'up' | 'down';

/** Why a component is down: an error's code and message (never a token). */
export interface HealthReason {
  /** `NO_TICKET`, the platform's errcode / errno, or another `OpenPlatformErrorCode`. */
  code: number | string;
  message: string;
}

/**
 * One component in a health result: its {@link ComponentStatus} plus `status` and, when down,
 * `reason`. The status sections are absent only when they could not be read (`reason` says why).
 */
export type ComponentHealth = Partial<ComponentStatus> &
  Pick<ComponentStatus, 'componentAppId' | 'platform'> & {
    status: HealthStatus;
    reason?: HealthReason;
  };

/** The value under the indicator's key: down when any checked component is down. */
export type OpenPlatformHealth = {
  status: HealthStatus;
  /** Keyed by component appid. */
  components: Record<string, ComponentHealth>;
  /** Fleet mode only: whether Redis answered a PING; `down` makes the whole result down. */
  redis?: { status: HealthStatus };
};

/**
 * What {@link OpenPlatformHealthIndicator.isHealthy} returns: `{ [key]: { status, components } }`,
 * the shape of `@nestjs/terminus`'s `HealthIndicatorResult`.
 */
export type OpenPlatformHealthResult<Key extends string = 'open-platform'> = Record<Key, OpenPlatformHealth>;
