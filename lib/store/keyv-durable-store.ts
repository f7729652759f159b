import { Keyv, type KeyvStoreAdapter } from 'keyv';
import { storeUnavailable } from '../errors/store-unavailable.js';
import { DurableStore } from './durable-store.js';

/** Options of {@link KeyvDurableStore}. */
export interface KeyvDurableStoreOptions {
  /**
   * Keyv namespace of every key (`{namespace}:{platform}:{componentAppId}:…`). Default
   * `'open-platform'`. Without colons: Keyv strips the namespace up to the first colon when listing.
   */
  namespace?: string;
}

/**
 * {@link DurableStore} on any Keyv store adapter, e.g. `@keyv/postgres` for authorizer records and
 * refresh tokens in the app's database while tokens and locks stay in Redis:
 *
 * ```ts
 * import KeyvPostgres from '@keyv/postgres';
 * OpenPlatformModule.forRoot({
 *   components: [...],
 *   redis: { url: 'redis://redis:6379', keyPrefix: 'op' },
 *   storage: { durable: new KeyvDurableStore(new KeyvPostgres({ uri: 'postgresql://…' })) },
 * });
 * ```
 *
 * Nothing is written with a TTL. `keys(prefix)` walks the store's Keyv iterator, so the adapter
 * must be iterable (Keyv's SQL, Mongo and Redis adapters are; a plain `Map` too). Failures surface
 * as a retryable `STORE_UNAVAILABLE` error that never quotes a value. The app owns the adapter and
 * its connection (close it on shutdown, e.g. `adapter.disconnect()`).
 */
export class KeyvDurableStore extends DurableStore {
  /** The Keyv instance over the adapter (for tests and advanced use). */
  readonly keyv: Keyv;

  constructor(store: KeyvStoreAdapter | Map<unknown, unknown> | Keyv, options: KeyvDurableStoreOptions = {}) {
    super();
    if (store instanceof Keyv) {
      if (store.ttl) throw new TypeError('KeyvDurableStore: the Keyv instance must not have a default ttl');
      this.keyv = store;
      this.keyv.throwOnErrors = true;
    } else {
      const namespace = options.namespace ?? 'open-platform';
      if (namespace.includes(':')) throw new TypeError('KeyvDurableStore: the namespace must not contain a colon');
      this.keyv = new Keyv({ store: store as KeyvStoreAdapter, namespace, throwOnErrors: true });
    }
    // Errors are thrown to the caller; without a listener Keyv's adapter events would go unheard.
    this.keyv.on('error', () => undefined);
  }

  async get<T>(key: string): Promise<T | undefined> {
    try {
      return (await this.keyv.get<T>(key)) ?? undefined;
    } catch (err) {
      throw storeUnavailable('reading a durable record', err);
    }
  }

  async set<T>(key: string, value: T): Promise<void> {
    let stored: boolean;
    try {
      // ttl 0: never expires, whatever default the Keyv instance has.
      stored = await this.keyv.set(key, value, 0);
    } catch (err) {
      throw storeUnavailable('writing a durable record', err);
    }
    if (stored === false) throw storeUnavailable('writing a durable record', { name: 'NotStored' });
  }

  async delete(key: string): Promise<void> {
    try {
      await this.keyv.delete(key);
    } catch (err) {
      throw storeUnavailable('deleting a durable record', err);
    }
  }

  async keys(prefix: string): Promise<string[]> {
    const iterate = this.keyv.iterator;
    if (typeof iterate !== 'function')
      throw new TypeError('KeyvDurableStore: this Keyv store cannot list its keys (no iterator)');
    // Adapters report a failed page through an 'error' event and end the iteration early: a
    // listing cut short must fail, not look complete.
    let failure: unknown;
    const onError = (err: unknown) => (failure ??= err ?? new Error('iteration failed'));
    this.keyv.on('error', onError);
    try {
      const keys: string[] = [];
      for await (const [key] of iterate(undefined) as AsyncIterable<[unknown, unknown]>) {
        if (typeof key === 'string' && key.startsWith(prefix)) keys.push(key);
      }
      if (failure !== undefined) throw storeUnavailable('listing durable records', failure);
      return keys;
    } catch (err) {
      throw storeUnavailable('listing durable records', err);
    } finally {
      this.keyv.off('error', onError);
    }
  }
}
