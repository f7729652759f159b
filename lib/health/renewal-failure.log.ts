import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { Subscription } from 'rxjs';
import type { TokenRefreshFailedEvent } from '../events/open-platform-event.interface.js';
import { OpenPlatformEvents } from '../events/open-platform-events.service.js';
import type { RenewalFailure } from './status.interface.js';

interface Latest {
  any?: RenewalFailure;
  /** Kept apart: the health indicator decides from it whether to try the component token again. */
  component?: RenewalFailure;
}

/**
 * The latest failed renewal per component, from `token.refresh_failed` events (listening from
 * the module's start). Keeps two entries per component, whatever the number of authorizers.
 */
@Injectable()
export class RenewalFailureLog implements OnModuleDestroy {
  private readonly latest = new Map<string, Latest>();
  private readonly subscription: Subscription;

  constructor(events: OpenPlatformEvents) {
    // Subscribed at construction, before any route or caller can make a renewal fail.
    this.subscription = events.events$.subscribe((event) => {
      if (event.type === 'token.refresh_failed') this.record(event);
    });
  }

  /** The latest failure of any token of the component. */
  last(componentAppId: string): RenewalFailure | undefined {
    return this.latest.get(componentAppId)?.any;
  }

  /** The latest failure to obtain the component token. */
  lastComponentFailure(componentAppId: string): RenewalFailure | undefined {
    return this.latest.get(componentAppId)?.component;
  }

  onModuleDestroy(): void {
    this.subscription.unsubscribe();
  }

  private record(event: TokenRefreshFailedEvent): void {
    // Only the error's code and message: events never carry a token, and neither does this.
    const failure: RenewalFailure = {
      at: event.at,
      tokenKind: event.tokenKind,
      ...(event.authorizerAppId === undefined ? {} : { authorizerAppId: event.authorizerAppId }),
      code: event.error.code,
      message: event.error.message,
    };
    const entry = this.latest.get(event.componentAppId) ?? {};
    entry.any = failure;
    if (event.tokenKind === 'component') entry.component = failure;
    this.latest.set(event.componentAppId, entry);
  }
}
