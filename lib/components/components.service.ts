import { Inject, Injectable } from '@nestjs/common';
import { OpenPlatformError, OpenPlatformErrorCode } from '../errors/open-platform.error.js';
import { OPEN_PLATFORM_OPTIONS } from '../open-platform.constants.js';
import type { ResolvedComponent, ResolvedOptions } from '../options/resolved-options.js';

/** Looks up configured components; the only place that applies the "omit when only one" rule. */
@Injectable()
export class ComponentsService {
  constructor(@Inject(OPEN_PLATFORM_OPTIONS) private readonly options: ResolvedOptions) {}

  /** The component with this appId, or the only one when `appId` is omitted. */
  resolve(appId?: string): ResolvedComponent {
    const { components } = this.options;
    if (appId === undefined || appId === null) {
      if (components.size === 1) return components.values().next().value as ResolvedComponent;
      throw unknown(`componentAppId is required when ${components.size} components are configured (${[...components.keys()].join(', ')})`);
    }
    const found = typeof appId === 'string' ? components.get(appId) : undefined;
    if (!found) throw unknown(`unknown component '${String(appId).slice(0, 64)}': not in OpenPlatformModule options`);
    return found;
  }

  /** The component with this appId, or undefined. */
  find(appId: string): ResolvedComponent | undefined {
    return this.options.components.get(appId);
  }

  all(): ResolvedComponent[] {
    return [...this.options.components.values()];
  }
}

function unknown(message: string): OpenPlatformError {
  return new OpenPlatformError({ platform: 'library', code: OpenPlatformErrorCode.UNKNOWN_COMPONENT, message });
}
