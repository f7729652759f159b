import { Inject, Injectable } from '@nestjs/common';
import { appIdProblem } from '../app-id.js';
import { OpenPlatformError, OpenPlatformErrorCode } from '../errors/open-platform.error.js';
import { OPEN_PLATFORM_OPTIONS } from '../open-platform.constants.js';
import type { ResolvedComponent, ResolvedOptions } from '../options/resolved-options.js';

/** Looks up configured components; the only place that applies the "omit when only one" rule. */
@Injectable()
export class ComponentsService {
  /** The component used when `componentAppId` is omitted, if exactly one is configured. */
  private readonly only: ResolvedComponent | undefined;

  constructor(@Inject(OPEN_PLATFORM_OPTIONS) private readonly options: ResolvedOptions) {
    this.only = options.components.size === 1 ? [...options.components.values()][0] : undefined;
  }

  /** The component with this appId, or the only one when `appId` is omitted. */
  resolve(appId?: string): ResolvedComponent {
    const { components } = this.options;
    if (appId === undefined || appId === null) {
      if (this.only) return this.only;
      throw unknown(
        `componentAppId is required when ${components.size} components are configured (${[...components.keys()].join(', ')})`,
      );
    }
    const found = typeof appId === 'string' ? components.get(appId) : undefined;
    if (!found) {
      // Named only when it looks like an appid: a route may pass on whatever a client sent.
      const problem = appIdProblem(appId);
      throw unknown(
        problem === undefined
          ? `unknown component '${appId}': not in OpenPlatformModule options`
          : `componentAppId is not a configured component (not even an appid: ${problem})`,
      );
    }
    return found;
  }

  /** Like {@link resolve}, without throwing: undefined where resolve would throw. */
  find(appId?: string): ResolvedComponent | undefined {
    if (appId === undefined) return this.only;
    return this.options.components.get(appId);
  }

  all(): ResolvedComponent[] {
    return [...this.options.components.values()];
  }
}

function unknown(message: string): OpenPlatformError {
  return new OpenPlatformError({ platform: 'library', code: OpenPlatformErrorCode.UNKNOWN_COMPONENT, message });
}
