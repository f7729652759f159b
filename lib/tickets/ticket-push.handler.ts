import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../clock/clock.js';
import { OpenPlatformEvents } from '../events/open-platform-events.service.js';
import type { ResolvedComponent } from '../options/resolved-options.js';
import type { PlatformPush } from '../platforms/platform-adapter.js';
import type { PushHandler } from '../platforms/push-handler.interface.js';
import { TicketStore } from './ticket.store.js';

/** Stores pushed verify tickets (newest wins; repeats and older ones change nothing). */
@Injectable()
export class TicketPushHandler implements PushHandler {
  private readonly logger = new Logger('OpenPlatform:Tickets');

  constructor(
    private readonly tickets: TicketStore,
    private readonly events: OpenPlatformEvents,
    private readonly clock: Clock,
  ) {}

  async handle(component: ResolvedComponent, push: PlatformPush): Promise<boolean> {
    if (push.kind !== 'ticket') return false;
    if ((await this.tickets.save(component, push.ticket, push.createdAt)) === 'stored') {
      this.logger.log(`ticket received for ${component.platform} component ${component.appId}`);
      this.events.emit({
        type: 'ticket',
        platform: component.platform,
        componentAppId: component.appId,
        at: this.clock.now(),
      });
    }
    return true;
  }
}
