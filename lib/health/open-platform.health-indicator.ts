import { Injectable } from '@nestjs/common';
import { Clock } from '../clock/clock.js';
import { OpenPlatformStorage } from '../store/storage.js';
import { OpenPlatformError, OpenPlatformErrorCode } from '../errors/open-platform.error.js';
import type { ResolvedComponent } from '../options/resolved-options.js';
import { ComponentTokenService } from '../tokens/component-token.service.js';
import type { ComponentHealth, HealthReason, OpenPlatformHealthResult } from './health-result.interface.js';
import { RenewalFailureLog } from './renewal-failure.log.js';
import type { ComponentStatus } from './status.interface.js';
import { StatusService } from './status.service.js';

/**
 * After a failure to obtain the component token, how long health checks report that failure
 * instead of asking the platform again. Probes run every few seconds and the platform counts
 * token calls against a daily quota: retrying on each probe through an outage could exhaust it
 * and keep the component down after the platform recovers. A new ticket, or any caller of
 * `getComponentAccessToken`, still tries at once.
 */
export const HEALTH_TOKEN_RETRY_MS = 60_000;

/**
 * Health of the module's components, shaped for `@nestjs/terminus` (12 and 11) and usable without
 * it. A component is down when it holds no usable verify ticket, or when its component token
 * cannot be obtained; authorizer problems are reported (counts, last renewal failure) but do not
 * make it down.
 *
 * ```ts
 * @Get('health') @HealthCheck()
 * check() { return this.health.check([() => this.openPlatform.isHealthy('open-platform')]); }
 * ```
 *
 * A down component is *returned* (`{ [key]: { status: 'down', … } }`), never thrown: terminus 12
 * answers 503 for a returned `down` and 500 for a thrown error.
 *
 * Nest's injector builds it: inject it, never construct it.
 *
 * @hideconstructor
 */
@Injectable()
export class OpenPlatformHealthIndicator {
  constructor(
    private readonly statuses: StatusService,
    private readonly componentTokens: ComponentTokenService,
    private readonly failures: RenewalFailureLog,
    private readonly clock: Clock,
    private readonly storage: OpenPlatformStorage,
  ) {}

  /**
   * Checks every configured component, or only `componentAppId`. When a component has a usable
   * ticket but no valid cached token, one is obtained (concurrent checks and callers share one
   * platform call); a failure makes the component down with the error's code.
   *
   * @param key the key of the result (default `'open-platform'`).
   * @param componentAppId check only this component; throws UNKNOWN_COMPONENT if it is not configured.
   * @returns `{ [key]: { status: 'up' | 'down', components: { [appId]: ComponentHealth } } }`,
   *   `down` when any checked component is down. Never contains a token, ticket or secret.
   */
  async isHealthy<const Key extends string = 'open-platform'>(
    key: Key = 'open-platform' as Key,
    componentAppId?: string,
  ): Promise<OpenPlatformHealthResult<Key>> {
    const [checked, redisUp] = await Promise.all([
      Promise.all(this.statuses.targets(componentAppId).map((c) => this.check(c))),
      this.storage.pingRedis().catch(() => false),
    ]);
    const components = Object.fromEntries(checked.map((c) => [c.componentAppId, c]));
    const status = checked.some((c) => c.status === 'down') || redisUp === false ? 'down' : 'up';
    const redis = redisUp === undefined ? {} : { redis: { status: redisUp ? ('up' as const) : ('down' as const) } };
    return { [key]: { status, components, ...redis } } as OpenPlatformHealthResult<Key>;
  }

  private async check(component: ResolvedComponent): Promise<ComponentHealth> {
    let state: ComponentStatus;
    try {
      state = await this.statuses.of(component);
    } catch (err) {
      // A store that does not answer is a reason to be down, not an error for terminus (a 500).
      return down({ componentAppId: component.appId, platform: component.platform }, reason(err));
    }
    const { ticket } = state;
    if (!ticket.usable) {
      const message = ticket.held
        ? `the last verify ticket expired at ${new Date(ticket.expiresAt!).toISOString()}; no push since ${new Date(ticket.receivedAt!).toISOString()}`
        : 'no verify ticket has been received yet: check the authorization-event URL configured on the platform';
      return down(state, { code: OpenPlatformErrorCode.NO_TICKET, message });
    }
    if (state.componentToken.valid) return up(state);

    const failed = this.failures.lastComponentFailure(component.appId);
    if (failed && failed.at >= ticket.receivedAt! && this.clock.now() - failed.at < HEALTH_TOKEN_RETRY_MS) {
      return down(state, { code: failed.code, message: failed.message });
    }
    try {
      await this.componentTokens.get(component); // the token itself is dropped here
    } catch (err) {
      return down(this.withFailure(state), reason(err));
    }
    const expiresAt = await this.componentTokens.validUntil(component);
    const componentToken = expiresAt === undefined ? { valid: false } : { valid: true, expiresAt };
    return up({ ...this.withFailure(state), componentToken });
  }

  /** The state with the renewal failure the attempt may just have recorded. */
  private withFailure(state: ComponentStatus): ComponentStatus {
    const last = this.failures.last(state.componentAppId);
    return last ? { ...state, lastRenewalFailure: { ...last } } : state;
  }
}

// `status` and `reason` first: they are what a reader of a health answer looks for.
function up(state: ComponentStatus): ComponentHealth {
  return { status: 'up', ...state };
}

function down(state: Pick<ComponentStatus, 'componentAppId' | 'platform'>, why: HealthReason): ComponentHealth {
  return { status: 'down', reason: why, ...state };
}

function reason(err: unknown): HealthReason {
  // An OpenPlatformError's message never holds a credential; another error's message might.
  if (err instanceof OpenPlatformError) return { code: err.code, message: err.message };
  const name = err instanceof Error ? err.name : typeof err;
  const code = (err as { code?: unknown } | undefined)?.code;
  return { code: typeof code === 'string' || typeof code === 'number' ? code : 'ERROR', message: `unexpected ${name}` };
}
