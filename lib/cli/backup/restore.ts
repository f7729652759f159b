import { DurableStore } from '../../store/durable-store.js';
import { describeError } from '../core/describe-error.js';
import { sameValue, type BackupEntry } from '../../backup/backup-format.js';

/** What a restore (an import of a backup, a migration) did, key by key. */
export interface RestoreTally {
  written: number;
  unchanged: number;
  /** Present in the target with another value, left as it is (no `overwrite`). */
  kept: number;
  failed: number;
}

/** How one entry went, for the report. */
export type RestoreOutcome = 'written' | 'unchanged' | 'kept' | { failed: string };

/**
 * Writes entries into `target` one whole record at a time (a failure leaves no half-written
 * record): an equal value is left alone, so a re-run changes nothing; another value is kept
 * unless `overwrite` — the target's may be newer (a refresh token rotated since the backup).
 * `compare` reads what the target holds as the entries' values are expressed (raw, or opened).
 */
export async function restore(
  entries: readonly BackupEntry[],
  target: DurableStore,
  options: {
    overwrite: boolean;
    dryRun: boolean;
    compare?: (entry: BackupEntry) => Promise<{ current: unknown; incoming: unknown }>;
    onEntry?: (entry: BackupEntry, outcome: RestoreOutcome, index: number) => void;
  },
): Promise<RestoreTally> {
  const tally: RestoreTally = { written: 0, unchanged: 0, kept: 0, failed: 0 };
  let index = 0;
  for (const entry of entries) {
    let outcome: RestoreOutcome;
    try {
      const { current, incoming } = options.compare
        ? await options.compare(entry)
        : { current: await target.get(entry.key), incoming: entry.value };
      if (current !== undefined && sameValue(current, incoming)) outcome = 'unchanged';
      else if (current !== undefined && !options.overwrite) outcome = 'kept';
      else {
        if (!options.dryRun) await target.set(entry.key, entry.value);
        outcome = 'written';
      }
    } catch (err) {
      outcome = { failed: describeError(err) };
    }
    if (typeof outcome === 'string') tally[outcome]++;
    else tally.failed++;
    options.onEntry?.(entry, outcome, index++);
  }
  return tally;
}
