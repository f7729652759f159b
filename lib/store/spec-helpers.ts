// Helpers of the memory-bound specs (not shipped: excluded from the package).
import type { KeyvCacheableMemory } from '@cacheable/memory';
import type { Cache } from 'cache-manager';
import type { TokenCache } from './token-cache.js';

/**
 * Entries the default in-memory {@link TokenCache} holds, expired ones included: its local copies
 * and its cache-manager store's. Read from the inside on purpose: what is counted is what stays in
 * memory, whatever the cache would answer.
 */
export function heldEntries(cache: TokenCache): { local: number; stored: number } {
  const { local, cache: manager } = cache as unknown as { local: Map<string, unknown>; cache: Cache };
  const store = manager.stores[0].store as Map<string, unknown> | KeyvCacheableMemory;
  return { local: local.size, stored: store instanceof Map ? store.size : store.store.size };
}
