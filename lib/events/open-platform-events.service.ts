import { Injectable, Logger, Optional, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { Subject, type Observable } from 'rxjs';
import type { OpenPlatformEvent } from './open-platform-event.interface.js';

/** Event names on `@nestjs/event-emitter` are this prefix plus the event type. */
export const EVENT_EMITTER_PREFIX = 'open-platform.';

/**
 * The module's event stream (`events$`). When the app uses `@nestjs/event-emitter`, every event is
 * also emitted there as `open-platform.<type>`.
 */
@Injectable()
export class OpenPlatformEvents implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('OpenPlatform:Events');
  private readonly subject = new Subject<OpenPlatformEvent>();
  private readonly listeners: Array<(event: OpenPlatformEvent) => void> = [];

  /** Every lifecycle event, as it happens. */
  readonly events$: Observable<OpenPlatformEvent> = this.subject.asObservable();

  constructor(@Optional() private readonly moduleRef?: ModuleRef) {}

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

  async onModuleInit(): Promise<void> {
    const emitter = await this.findEventEmitter();
    if (emitter) this.listeners.push((event) => emitter.emit(EVENT_EMITTER_PREFIX + event.type, event));
  }

  onModuleDestroy(): void {
    this.subject.complete();
  }

  /** The app's EventEmitter2, if it imports `EventEmitterModule` (an optional peer). */
  private async findEventEmitter(): Promise<{ emit(name: string, payload: unknown): unknown } | undefined> {
    if (!this.moduleRef) return undefined;
    let token: unknown;
    try {
      token = (await import('@nestjs/event-emitter')).EventEmitter2;
    } catch {
      return undefined; // not installed
    }
    try {
      return this.moduleRef.get(token as never, { strict: false });
    } catch {
      return undefined; // installed, not imported by the app
    }
  }
}
