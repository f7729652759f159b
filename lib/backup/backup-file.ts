import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { BACKUP_FORMAT, BACKUP_VERSION, type BackupEntry, type BackupHeader } from './backup-format.js';
import { durableKind } from '../store/durable-keys.js';

/** The lines of a backup of `entries`: the header, then one `{key, value}` per record. */
export function backupLines(entries: readonly BackupEntry[], exportedAt = new Date()): string[] {
  const header: BackupHeader = {
    format: BACKUP_FORMAT,
    version: BACKUP_VERSION,
    exportedAt: exportedAt.toISOString(),
    records: entries.length,
  };
  return [JSON.stringify(header), ...entries.map((e) => JSON.stringify({ key: e.key, value: e.value }))];
}

/**
 * Writes `lines` to `path` atomically: a temporary file beside it with mode 0600 (a backup holds
 * refresh tokens), then a rename, so a reader never sees half a backup.
 */
export async function writeBackupFile(path: string, lines: readonly string[]): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  const file = createWriteStream(temporary, { mode: 0o600 });
  try {
    for (const line of lines) if (!file.write(`${line}\n`)) await once(file, 'drain');
    file.end();
    await once(file, 'finish');
    await rename(temporary, path);
  } catch (err) {
    file.destroy();
    await rm(temporary, { force: true });
    throw err;
  }
}

/** How many records of each durable kind `entries` holds. */
export function countByKind(entries: readonly BackupEntry[]): Record<string, number> {
  const byKind: Record<string, number> = {};
  for (const e of entries) {
    const kind = durableKind(e.key) ?? 'other';
    byKind[kind] = (byKind[kind] ?? 0) + 1;
  }
  return byKind;
}
