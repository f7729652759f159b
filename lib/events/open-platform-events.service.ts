import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { Subject, type Observable } from 'rxjs';
import type { OpenPlatformEvent } from './open-platform-event.interface.js';

/** The module's event stream (`events$`). */
@Injectable()
export class OpenPlatformEvents implements OnModuleDestroy {
  private readonly logger = new Logger('OpenPlatformEvents');
  private readonly subject = new Subject<OpenPlatformEvent>();
  private readonly listeners: Array<(event: OpenPlatformEvent) => void> = [];

  /** Every lifecycle event, as it happens. */
  readonly events$: Observable<OpenPlatformEvent> = this.subject.asObservable();

  /** @internal Emits an event; a throwing subscriber never breaks the emitter. */
  emit(event: OpenPlatformEvent): void {
    try {
      this.subject.next(event);
    } catch (err) {
      this.logger.error(`an events$ subscriber threw on ${event.type}: ${(err as Error)?.message}`);
    }
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (err) {
        this.logger.error(`an event listener threw on ${event.type}: ${(err as Error)?.message}`);
      }
    }
  }

  /** @internal Adds a forwarder (e.g. to @nestjs/event-emitter). */
  addListener(listener: (event: OpenPlatformEvent) => void): void {
    this.listeners.push(listener);
  }

  onModuleDestroy(): void {
    this.subject.complete();
  }
}
