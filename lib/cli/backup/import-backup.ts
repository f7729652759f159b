import { MemoryDurableStore, type DurableStore } from '../../store/durable-store.js';
import { SEAL_CHECK_KEY, SealedDurableStore } from '../../store/sealed-durable-store.js';
import { CliFailure } from '../core/cli-errors.js';
import type { SealKeys } from '../store/open-store.js';
import {
  BACKUP_FORMAT,
  BACKUP_VERSION,
  entryProblem,
  sameValue,
  type BackupEntry,
} from '../../backup/backup-format.js';
import { restore, type RestoreOutcome, type RestoreTally } from './restore.js';

/** A parsed backup: its well-formed entries and a refusal per malformed line. */
export interface ParsedBackup {
  entries: Array<BackupEntry & { where: string }>;
  refused: Array<{ where: string; reason: string }>;
}

/** Whether `text` starts like a backup written by `export`. */
export function looksLikeBackup(text: string): boolean {
  return text.trimStart().startsWith(`{"format":"${BACKUP_FORMAT}"`);
}

/** Parses a backup (JSON lines); a bad header fails the whole file, a bad line only itself. */
export function parseBackup(text: string): ParsedBackup {
  const lines = text.split(/\r?\n/);
  let header: { format?: unknown; version?: unknown } | undefined;
  try {
    header = JSON.parse(lines[0] ?? '') as typeof header;
  } catch {
    header = undefined;
  }
  if (header?.format !== BACKUP_FORMAT) throw new CliFailure(`line 1 is not a ${BACKUP_FORMAT} header`);
  if (header.version !== BACKUP_VERSION)
    throw new CliFailure(
      `backup version ${String(header.version)} is not supported (this tool reads ${BACKUP_VERSION})`,
    );
  const parsed: ParsedBackup = { entries: [], refused: [] };
  const seen = new Map<string, string>();
  lines.slice(1).forEach((line, i) => {
    if (line.trim() === '') return;
    const where = `line ${i + 2}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      return parsed.refused.push({ where, reason: 'not valid JSON' });
    }
    const entry = value as { key?: unknown; value?: unknown } | null;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry))
      return parsed.refused.push({ where, reason: 'a line must be {"key", "value"}' });
    const problem = entryProblem(entry.key, entry.value);
    if (problem) return parsed.refused.push({ where, reason: problem });
    const key = entry.key as string;
    const earlier = seen.get(key);
    if (earlier) return parsed.refused.push({ where, reason: `the same key as ${earlier}` });
    seen.set(key, where);
    parsed.entries.push({ key, value: entry.value, where });
  });
  return parsed;
}

/**
 * Restores entries into `raw`. Without a key, values are written as they are in the backup
 * (sealed credentials stay sealed: their authentication covers the record key, not the store, so
 * they open in any store under the key that sealed them). With a key, writes go through
 * {@link SealedDurableStore}: plaintext credentials are sealed, sealed ones re-sealed under the
 * current key. A backup sealed under another seal check than the target's is refused whole.
 */
export async function restoreBackup(
  entries: readonly BackupEntry[],
  raw: DurableStore,
  keys: SealKeys,
  options: { overwrite: boolean; dryRun: boolean; onEntry?: (e: BackupEntry, o: RestoreOutcome, i: number) => void },
): Promise<RestoreTally> {
  const incomingCheck = entries.find((e) => e.key === SEAL_CHECK_KEY);
  const currentCheck = await raw.get(SEAL_CHECK_KEY);
  if (
    !keys.encryptionKey &&
    incomingCheck &&
    currentCheck !== undefined &&
    !sameValue(incomingCheck.value, currentCheck)
  )
    throw new CliFailure(
      'the backup was sealed under another key than the target store: give the keys (NEST_OPEN_PLATFORM_ENCRYPTION_KEY and the previous ones) to re-seal it',
    );
  if (!keys.encryptionKey) return restore(entries, raw, options);
  const sealed = new SealedDurableStore(raw, keys.encryptionKey, keys.previousEncryptionKeys);
  if (!options.dryRun) await sealed.verify();
  // The target's seal check is the target's: a backup's check is not restored over it.
  const data = entries.filter((e) => e.key !== SEAL_CHECK_KEY);
  return restore(data, sealed, {
    ...options,
    // Compared opened: sealing is randomized, so equal credentials never have equal ciphertexts.
    compare: async (entry) => {
      const scratch = new MemoryDurableStore();
      await scratch.set(entry.key, entry.value);
      const opener = new SealedDurableStore(scratch, keys.encryptionKey!, keys.previousEncryptionKeys);
      return { current: await sealed.get(entry.key), incoming: await opener.get(entry.key) };
    },
  });
}
