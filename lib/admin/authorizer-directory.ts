import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
  Optional,
} from '@nestjs/common';
import { AuthorizerStore } from '../authorizers/authorizer.store.js';
import { Clock } from '../clock/clock.js';
import { SingleFlight } from '../lock/single-flight.js';
import { ComponentsService } from '../components/components.service.js';
import { describeStoreError } from '../errors/store-unavailable.js';
import { OPEN_PLATFORM_OPTIONS, OPEN_PLATFORM_SHARED_DURABLE_STORE } from '../open-platform.constants.js';
import type { ResolvedComponent, ResolvedOptions } from '../options/resolved-options.js';
import { DurableStore } from '../store/durable-store.js';
import { StoreKeys } from '../store/store-keys.js';

/**
 * With a store other processes write too, how old a component's appid list may get before it is
 * listed again from the store (in the background; the old list answers meanwhile).
 */
export const SHARED_DIRECTORY_MAX_AGE_MS = 30_000;

/** A component's authorizer appids in code-point order, as last listed from the store. */
interface Listing {
  ids: string[];
  builtAt: number;
}

/**
 * The sorted appids of every component's authorizers, so that a page of the admin list costs a
 * binary search and the reads of that page, not a listing of the whole store: listing and sorting
 * 100,000 keys takes about half a second on Redis. Durable stores only list keys (no ordered
 * range reads, e.g. a Keyv adapter), so the order is kept here.
 *
 * Records are never deleted, so a listing never holds an appid that no longer exists. New records
 * written by this process are inserted at once; with a shared store, those of other processes
 * appear at the next listing, at most {@link SHARED_DIRECTORY_MAX_AGE_MS} later. Only with the
 * admin API enabled: listed in the background at boot, so the console's first page is quick.
 */
@Injectable()
export class AuthorizerDirectory implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('OpenPlatform:AuthorizerDirectory');
  private readonly listings = new Map<string, Listing>();
  private readonly builds = new SingleFlight();
  /** Appids this process created while a listing of their component was being read. */
  private readonly createdDuringBuild = new Map<string, Set<string>>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly store: DurableStore,
    authorizers: AuthorizerStore,
    private readonly clock: Clock,
    private readonly components: ComponentsService,
    @Inject(OPEN_PLATFORM_OPTIONS) private readonly options: ResolvedOptions,
    @Optional() @Inject(OPEN_PLATFORM_SHARED_DURABLE_STORE) private readonly shared: boolean = false,
  ) {
    this.unsubscribe = authorizers.onCreated((component, authorizerAppId) => {
      const listing = this.listings.get(component.appId);
      if (listing) insertSorted(listing.ids, authorizerAppId);
      this.createdDuringBuild.get(component.appId)?.add(authorizerAppId);
    });
  }

  onApplicationBootstrap(): void {
    if (!this.options.admin.enabled) return;
    for (const component of this.components.all())
      void this.build(component).catch((err: unknown) =>
        this.logger.warn(
          `listing the authorizers of ${component.appId} for the admin API failed (${describeStoreError(err)}); it is tried again at the first list`,
        ),
      );
  }

  onModuleDestroy(): void {
    this.unsubscribe();
  }

  /** The component's appids in code-point order (the array is shared: read it, never change it). */
  async appIds(component: ResolvedComponent): Promise<readonly string[]> {
    const listing = this.listings.get(component.appId);
    if (!listing) return (await this.build(component)).ids;
    if (this.shared && this.clock.now() - listing.builtAt >= SHARED_DIRECTORY_MAX_AGE_MS)
      // Refreshed in the background; a failed listing keeps the old one and is tried next time.
      void this.build(component).catch(() => undefined);
    return listing.ids;
  }

  private build(component: ResolvedComponent): Promise<Listing> {
    return this.builds.run(component.appId, async () => {
      const prefix = StoreKeys.authorizers(component.platform, component.appId);
      const startedAt = this.clock.now();
      const created = new Set<string>();
      this.createdDuringBuild.set(component.appId, created);
      try {
        const ids = (await this.store.keys(prefix)).map((k) => k.slice(prefix.length)).sort(compareCodePoints);
        // A record this process created while the store was listed may be missing from the listing.
        for (const id of created) insertSorted(ids, id);
        const listing = { ids, builtAt: startedAt };
        this.listings.set(component.appId, listing);
        return listing;
      } finally {
        this.createdDuringBuild.delete(component.appId);
      }
    });
  }
}

export function compareCodePoints(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The index of the first element of sorted `ids` greater than `after` (or ≥ `from`, with `inclusive`). */
export function lowerBound(ids: readonly string[], value: string, inclusive = false): number {
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ids[mid] < value || (!inclusive && ids[mid] === value)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function insertSorted(ids: string[], id: string): void {
  const i = lowerBound(ids, id, true);
  if (ids[i] !== id) ids.splice(i, 0, id);
}
