import { UsageError } from '../core/cli-errors.js';
import { out, say } from '../core/cli-io.js';
import type { CliCommand } from '../core/command.js';
import { ExitCode } from '../core/exit-codes.js';
import { flag, stringOption } from '../core/options.js';
import { openNamedStore } from '../store/store-options.js';
import { sameValue } from '../../backup/backup-format.js';
import { readDurableEntries } from '../../backup/durable-entries.js';
import { restore } from './restore.js';

/** `migrate`: copies every durable record from one store to another; the source is never changed. */
export const migrateCommand: CliCommand = {
  name: 'migrate',
  summary: 'copy the durable data from one store to another (Redis, PostgreSQL); the source is kept',
  usage: 'migrate --from <url> --to <url> [--from-key-prefix <p>] [--to-key-prefix <p>] [--dry-run] [--json]',
  help: `
Copies every durable record (authorizer records with refresh tokens, tickets, histories, the seal
check) from --from to --to, as stored (sealed values stay sealed, under the same key), then reads
both stores again and compares: every source record must be in the target with the same value.
Run it while the app is stopped. Nothing is deleted, from either store; a record the target
already holds with another value is kept (and reported) unless --overwrite.

Options:
  --from <url>, --to <url>         redis://… | postgres://… (--to also memory, to try it out); an
                                   app on the memory store backs up with exportDurableData()
  --from-key-prefix, --to-key-prefix   Redis keyPrefix / PostgreSQL namespace of each side
  --from-table, --to-table         PostgreSQL Keyv table of each side (default keyv)
  --overwrite                      replace target records that differ
  --dry-run                        report what would be copied; write nothing
  --json                           print {source, target, written, unchanged, kept, failed, missing} on stdout

Exit codes: 0 the target holds every source record, 1 it does not (or a store failed), 2 usage,
3 records the target kept with another value.`,
  options: {
    from: { type: 'string' },
    to: { type: 'string' },
    'from-key-prefix': { type: 'string' },
    'to-key-prefix': { type: 'string' },
    'from-table': { type: 'string' },
    'to-table': { type: 'string' },
    overwrite: { type: 'boolean' },
    'dry-run': { type: 'boolean' },
    json: { type: 'boolean' },
  },
  async run(values, _positionals, io) {
    const dryRun = flag(values, 'dry-run');
    // A memory store lives in the app's process: this one would start empty and "migrate" nothing.
    if (stringOption(values, 'from') === 'memory')
      throw new UsageError(
        'a memory store lives only inside the running app: back it up there with exportDurableData(app.get(DurableStore), file), then run import <file> --store <url>',
      );
    const from = await openNamedStore(values, 'from', {
      keyPrefix: stringOption(values, 'from-key-prefix'),
      table: stringOption(values, 'from-table'),
    });
    try {
      const to = await openNamedStore(values, 'to', {
        keyPrefix: stringOption(values, 'to-key-prefix'),
        table: stringOption(values, 'to-table'),
      });
      try {
        say(io, `migrate: reading ${from.label}`);
        const entries = await readDurableEntries(from.raw, (done, total) => {
          if (done === total || done % 1000 === 0) say(io, `migrate: read ${done}/${total}`);
        });
        say(io, `migrate: writing ${entries.length} records to ${to.label}${dryRun ? ' (dry run)' : ''}`);
        const tally = await restore(entries, to.raw, {
          overwrite: flag(values, 'overwrite'),
          dryRun,
          onEntry: (entry, outcome, i) => {
            if (outcome === 'kept')
              say(io, `kept ${entry.key}: the target holds another value; --overwrite replaces it`);
            else if (typeof outcome === 'object') say(io, `failed ${entry.key}: ${outcome.failed}`);
            if ((i + 1) % 1000 === 0) say(io, `migrate: ${i + 1}/${entries.length}`);
          },
        });
        // Counts compared from a fresh read of both sides, not from what this run believes it wrote.
        const source = await readDurableEntries(from.raw);
        const target = new Map((await readDurableEntries(to.raw)).map((e) => [e.key, e.value]));
        const missing = source.filter((e) => !target.has(e.key) || !sameValue(target.get(e.key), e.value)).length;
        const report = { source: source.length, target: target.size, ...tally, missing, dryRun };
        say(
          io,
          `migrate: source ${report.source} records, target ${report.target}; ${tally.written} written, ` +
            `${tally.unchanged} unchanged, ${tally.kept} kept, ${tally.failed} failed; ${missing} source records not (equal) in the target`,
        );
        if (flag(values, 'json')) out(io, JSON.stringify(report));
        if (dryRun) return tally.failed ? ExitCode.FAILURE : ExitCode.OK;
        if (tally.failed || missing > tally.kept) return ExitCode.FAILURE;
        return tally.kept ? ExitCode.PARTIAL : ExitCode.OK;
      } finally {
        await to.close();
      }
    } finally {
      await from.close();
    }
  },
};
