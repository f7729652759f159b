import { durableKeys } from '../store/durable-keys.js';
import type { DurableStore } from '../store/durable-store.js';
import { storedView } from '../store/sealed-durable-store.js';
import type { BackupEntry } from './backup-format.js';

/**
 * Every durable record of `store` (tickets, authorizer records, histories, the seal check; never
 * tokens, locks or the renewal index a Redis prefix also holds), sorted by key, read `batch` at a
 * time, with values as stored: behind a sealed view, sealed values stay sealed.
 */
export async function readDurableEntries(
  store: DurableStore,
  onProgress?: (done: number, total: number) => void,
  batch = 100,
): Promise<BackupEntry[]> {
  const stored = storedView(store);
  const keys = durableKeys(await stored.keys(''));
  const entries: BackupEntry[] = [];
  for (let i = 0; i < keys.length; i += batch) {
    const slice = keys.slice(i, i + batch);
    const values = await Promise.all(slice.map((k) => stored.get(k)));
    slice.forEach((key, j) => {
      if (values[j] !== undefined) entries.push({ key, value: values[j] });
    });
    onProgress?.(Math.min(i + batch, keys.length), keys.length);
  }
  return entries;
}
