/**
 * Data that must never be lost (tickets, authorizer records, refresh tokens): no TTL, no eviction.
 * Values are JSON-serializable records.
 */
export abstract class DurableStore {
  abstract get<T>(key: string): Promise<T | undefined>;
  abstract set<T>(key: string, value: T): Promise<void>;
  abstract delete(key: string): Promise<void>;
  /** Every key that starts with `prefix`. */
  abstract keys(prefix: string): Promise<string[]>;
}

/**
 * {@link DurableStore} in process memory. Values are stored serialized so callers can never mutate
 * a stored record by accident, exactly as with a networked store. Pass one instance to several
 * apps (option `storage.durable`) to simulate a restart on the same store.
 */
export class MemoryDurableStore extends DurableStore {
  private readonly data = new Map<string, string>();

  async get<T>(key: string): Promise<T | undefined> {
    const raw = this.data.get(key);
    return raw === undefined ? undefined : (JSON.parse(raw) as T);
  }

  async set<T>(key: string, value: T): Promise<void> {
    this.data.set(key, JSON.stringify(value));
  }

  async delete(key: string): Promise<void> {
    this.data.delete(key);
  }

  async keys(prefix: string): Promise<string[]> {
    return [...this.data.keys()].filter((k) => k.startsWith(prefix));
  }
}
