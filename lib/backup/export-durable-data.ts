import type { DurableStore } from '../store/durable-store.js';
import { backupLines, countByKind, writeBackupFile } from './backup-file.js';
import { readDurableEntries } from './durable-entries.js';

/** What {@link exportDurableData} wrote. */
export interface DurableDataExport {
  /** Records written to the backup. */
  records: number;
  /** Records by kind: `ticket`, `authorizer`, `authorizer-history`, `seal-check`. */
  byKind: Record<string, number>;
  /** The file written. */
  path: string;
}

/**
 * Writes every durable record of `store` — authorizer records with their refresh tokens, tickets,
 * authorizer histories, the seal check — to `path` as a backup in the format of
 * `npx nest-open-platform export`, which `npx nest-open-platform import <path> --store <url>`
 * restores into Redis or PostgreSQL. Values are written as stored (a sealed store's credentials
 * stay sealed); the file is written atomically with mode 0600. Tokens are not exported: the app
 * fetches them again.
 *
 * This is how an app on the in-memory store (the default) moves to a durable one: its data lives
 * only in its process, so the CLI cannot read it; back it up from the running app.
 *
 * @example
 * ```ts
 * import { DurableStore, exportDurableData } from 'nest-open-platform';
 * await exportDurableData(app.get(DurableStore), '/var/backups/open-platform.jsonl');
 * // then: npx nest-open-platform import /var/backups/open-platform.jsonl --store redis://…
 * ```
 */
export async function exportDurableData(store: DurableStore, path: string): Promise<DurableDataExport> {
  const entries = await readDurableEntries(store);
  await writeBackupFile(path, backupLines(entries));
  return { records: entries.length, byKind: countByKind(entries), path };
}
