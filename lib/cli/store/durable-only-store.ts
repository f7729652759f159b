import { DurableStore } from '../../store/durable-store.js';
import { durableKeys } from '../../store/durable-keys.js';

/**
 * A view of a store that lists only durable data (see {@link durableKeys}): in Redis the module's
 * prefix also holds tokens, locks and sorted sets, which a walk over every key (an export, a
 * migration, `SealedDurableStore.reseal()`) must not read.
 */
export class DurableOnlyStore extends DurableStore {
  // An ES private field: the module's options check (class-transformer) copies an options tree
  // by constructing each object it finds anew, which a store holding a live connection survives
  // only if the connection cannot be seen.
  readonly #inner: DurableStore;

  constructor(inner: DurableStore) {
    super();
    this.#inner = inner;
  }

  get<T>(key: string): Promise<T | undefined> {
    return this.#inner.get<T>(key);
  }

  set<T>(key: string, value: T): Promise<void> {
    return this.#inner.set(key, value);
  }

  delete(key: string): Promise<void> {
    return this.#inner.delete(key);
  }

  async keys(prefix: string): Promise<string[]> {
    return durableKeys(await this.#inner.keys(prefix));
  }
}
