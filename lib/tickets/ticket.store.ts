import { Injectable } from '@nestjs/common';
import { Clock } from '../clock/clock.js';
import { LockService } from '../lock/lock.service.js';
import type { ResolvedComponent } from '../options/resolved-options.js';
import { PlatformRegistry } from '../platforms/platform-registry.js';
import { DurableStore } from '../store/durable-store.js';
import { StoreKeys } from '../store/store-keys.js';

/** The latest verify ticket of a component, as stored. */
export interface TicketRecord {
  ticket: string;
  /** When the platform created it (epoch ms): orders tickets. */
  createdAt: number;
  receivedAt: number;
  /** End of its platform lifetime (epoch ms). */
  expiresAt: number;
}

export type TicketSaveResult = 'stored' | 'duplicate' | 'older';

/**
 * Keeps the latest ticket per component in the durable store (a ticket lost to a cache eviction
 * or a restart stops the whole component), for its full platform lifetime.
 */
@Injectable()
export class TicketStore {
  constructor(
    private readonly store: DurableStore,
    private readonly platforms: PlatformRegistry,
    private readonly clock: Clock,
    private readonly lock: LockService,
  ) {}

  /** Stores a pushed ticket unless a newer one (or the same one) is already stored. */
  async save(component: ResolvedComponent, ticket: string, createdAt: number): Promise<TicketSaveResult> {
    const key = StoreKeys.ticket(component.platform, component.appId);
    // Without this, two concurrent pushes both read the same record and the later write wins,
    // even when it carries the older ticket.
    return this.lock.runExclusive(`${key}:save`, async () => {
      const current = await this.store.get<TicketRecord>(key);
      if (current?.ticket === ticket) return 'duplicate';
      if (current && current.createdAt > createdAt) return 'older';
      const lifetime = this.platforms.get(component.platform).ticketLifetimeMs;
      await this.store.set<TicketRecord>(key, {
        ticket,
        createdAt,
        receivedAt: this.clock.now(),
        expiresAt: createdAt + lifetime,
      });
      return 'stored';
    });
  }

  /** The stored ticket, even if expired (callers decide; the error says which case it is). */
  async get(component: ResolvedComponent): Promise<TicketRecord | undefined> {
    return this.store.get<TicketRecord>(StoreKeys.ticket(component.platform, component.appId));
  }
}
