import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { Subscription } from 'rxjs';
import { describeStoreError } from '../errors/store-unavailable.js';
import type { OpenPlatformEvent } from '../events/open-platform-event.interface.js';
import { OpenPlatformEvents } from '../events/open-platform-events.service.js';
import { LockService } from '../lock/lock.service.js';
import { OPEN_PLATFORM_OPTIONS } from '../open-platform.constants.js';
import type { ResolvedOptions } from '../options/resolved-options.js';
import type { PlatformName } from '../platform-names.js';
import { DurableStore } from '../store/durable-store.js';

/** What happened to an authorizer, as kept in its history. */
export type AuthorizerHistoryKind =
  | 'authorized'
  | 'reauthorized'
  | 'refreshed'
  | 'repaired'
  | 'failed'
  | 'reauthorization_required'
  | 'revoked'
  | 'admin';

/** One entry of an authorizer's history. Never a token: only times, kinds and error codes/messages. */
export interface AuthorizerHistoryEntry {
  at: number;
  kind: AuthorizerHistoryKind;
  /** `failed` / `reauthorization_required`: the error's code and message. */
  error?: { code: number | string; message: string };
  /** `refreshed`: when the new access token expires. */
  expiresAt?: number;
  /** `admin`: the action and who did it. */
  action?: string;
  actor?: string;
  outcome?: 'ok' | 'failed';
}

/** Entries kept per authorizer: the newest win, so a flapping renewal cannot grow a record without bound. */
export const HISTORY_LIMIT = 50;

/** The history's key: not under `…:authorizer:` (the records' prefix), so record scans never see it. */
export function historyKey(platform: PlatformName, componentAppId: string, authorizerAppId: string): string {
  return `${platform}:${componentAppId}:authorizer-history:${authorizerAppId}`;
}

/**
 * Keeps each authorizer's history in the durable store, from the module's own events (the token
 * code knows nothing of it). Only while the admin API is enabled. Writes are serialized per
 * authorizer under the store's lock; a failed write is logged and dropped (history is for operators,
 * never worth failing a renewal for).
 */
@Injectable()
export class AuthorizerHistory implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('OpenPlatform:AdminHistory');
  private subscription?: Subscription;
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly events: OpenPlatformEvents,
    private readonly store: DurableStore,
    private readonly lock: LockService,
    @Inject(OPEN_PLATFORM_OPTIONS) private readonly options: ResolvedOptions,
  ) {}

  onModuleInit(): void {
    if (!this.options.admin.enabled) return;
    this.subscription = this.events.events$.subscribe((event) => this.record(event));
  }

  async onModuleDestroy(): Promise<void> {
    this.subscription?.unsubscribe();
    await this.settle();
  }

  /** Resolves once every history write started so far is done (tests, shutdown). */
  async settle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  async read(
    platform: PlatformName,
    componentAppId: string,
    authorizerAppId: string,
  ): Promise<AuthorizerHistoryEntry[]> {
    return (
      (await this.store.get<AuthorizerHistoryEntry[]>(historyKey(platform, componentAppId, authorizerAppId))) ?? []
    );
  }

  private record(event: OpenPlatformEvent): void {
    const entry = toEntry(event);
    const authorizerAppId = (event as { authorizerAppId?: string }).authorizerAppId;
    if (!entry || !authorizerAppId) return;
    const key = historyKey(event.platform, event.componentAppId, authorizerAppId);
    const write = this.lock
      .runExclusive(`${key}:write`, async () => {
        const current = (await this.store.get<AuthorizerHistoryEntry[]>(key)) ?? [];
        await this.store.set(key, [...current, entry].slice(-HISTORY_LIMIT));
      })
      .catch((err: unknown) =>
        this.logger.warn(`history of authorizer ${authorizerAppId} not written: ${describeStoreError(err)}`),
      )
      .finally(() => this.pending.delete(write));
    this.pending.add(write);
  }
}

function toEntry(event: OpenPlatformEvent): AuthorizerHistoryEntry | undefined {
  const at = event.at;
  switch (event.type) {
    case 'authorized':
      return { at, kind: 'authorized' };
    case 'updateauthorized':
      return { at, kind: 'reauthorized' };
    case 'unauthorized':
      return { at, kind: 'revoked' };
    case 'authorizer.restored':
      return { at, kind: 'repaired' };
    case 'token.refreshed':
      return event.tokenKind === 'authorizer' ? { at, kind: 'refreshed', expiresAt: event.expiresAt } : undefined;
    case 'token.refresh_failed':
      return event.tokenKind === 'authorizer' ? { at, kind: 'failed', error: { ...event.error } } : undefined;
    case 'reauthorization_required':
      return { at, kind: 'reauthorization_required', error: { ...event.error } };
    case 'admin.action':
      return { at, kind: 'admin', action: event.action, actor: event.actor, outcome: event.outcome };
    default:
      return undefined;
  }
}
