import { Injectable } from '@nestjs/common';
import { Clock } from '../clock/clock.js';
import { OpenPlatformEvents } from '../events/open-platform-events.service.js';
import type { ResolvedComponent } from '../options/resolved-options.js';
import type { PlatformPush } from '../platforms/platform-adapter.js';
import type { PushHandler } from '../platforms/push-handler.interface.js';

/**
 * The last handler: pushes of a kind the module does not act on (e.g. a mini program's audit
 * result) are acknowledged and handed to the app as `push` events.
 */
@Injectable()
export class ForwardPushHandler implements PushHandler {
  constructor(
    private readonly events: OpenPlatformEvents,
    private readonly clock: Clock,
  ) {}

  async handle(component: ResolvedComponent, push: PlatformPush): Promise<boolean> {
    if (push.kind !== 'other') return false;
    this.events.emit({
      type: 'push',
      platform: component.platform,
      componentAppId: component.appId,
      at: this.clock.now(),
      infoType: push.infoType,
      fields: push.fields,
    });
    return true;
  }
}
