import { out, say } from '../core/cli-io.js';
import type { CliCommand } from '../core/command.js';
import { ExitCode } from '../core/exit-codes.js';
import { flag, stringOption } from '../core/options.js';
import { openNamedStore, STORE_HELP, STORE_OPTIONS } from '../store/store-options.js';
import { backupLines, countByKind, writeBackupFile } from '../../backup/backup-file.js';
import { readDurableEntries } from '../../backup/durable-entries.js';

/** `export`: every durable record of a store as JSON lines, a backup that `import --from backup` restores. */
export const exportCommand: CliCommand = {
  name: 'export',
  summary: 'back up the durable data (authorizer records with refresh tokens, tickets) as JSON lines',
  usage: 'export --store <url> [--key-prefix <p>] [--out <file.jsonl>] [--json]',
  help: `
Writes every durable record — authorizer records (with their refresh tokens), tickets, authorizer
histories and the seal check — as JSON lines: a header line {format, version, exportedAt, records},
then one {key, value} per record, sorted by key. Values are written as stored: a sealed store's
refresh tokens stay sealed in the backup. Tokens, locks and other cache data are not exported.
Progress on stderr.

Options:
  --out <file>   write the backup there (atomically: a temporary file, then renamed); default stdout
  --json         print a summary {records, byKind, out} on stdout (with --out)
${STORE_HELP}

The backup holds refresh tokens (sealed only if the store is): keep it as secret as the store.`,
  options: { ...STORE_OPTIONS, out: { type: 'string' }, json: { type: 'boolean' } },
  async run(values, _positionals, io) {
    const target = stringOption(values, 'out');
    const store = await openNamedStore(values, 'store');
    try {
      say(io, `export: reading ${store.label}`);
      const entries = await readDurableEntries(store.raw, (done, total) => {
        if (done === total || done % 1000 === 0) say(io, `export: read ${done}/${total}`);
      });
      const lines = backupLines(entries);
      if (target === undefined) {
        for (const line of lines) out(io, line);
      } else {
        await writeBackupFile(target, lines);
      }
      const byKind = countByKind(entries);
      say(io, `export: ${entries.length} records (${JSON.stringify(byKind)})${target ? ` written to ${target}` : ''}`);
      if (flag(values, 'json') && target !== undefined)
        out(io, JSON.stringify({ records: entries.length, byKind, out: target }));
      return ExitCode.OK;
    } finally {
      await store.close();
    }
  },
};
