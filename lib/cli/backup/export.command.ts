import { createWriteStream } from 'node:fs';
import { rename } from 'node:fs/promises';
import { once } from 'node:events';
import { out, say } from '../core/cli-io.js';
import type { CliCommand } from '../core/command.js';
import { ExitCode } from '../core/exit-codes.js';
import { flag, stringOption } from '../core/options.js';
import { durableKind } from '../store/durable-keys.js';
import { openNamedStore, STORE_HELP, STORE_OPTIONS } from '../store/store-options.js';
import { BACKUP_FORMAT, BACKUP_VERSION, type BackupHeader } from './backup-format.js';
import { readAll } from './restore.js';

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
      const entries = await readAll(store.raw, (done, total) => {
        if (done === total || done % 1000 === 0) say(io, `export: read ${done}/${total}`);
      });
      const header: BackupHeader = {
        format: BACKUP_FORMAT,
        version: BACKUP_VERSION,
        exportedAt: new Date().toISOString(),
        records: entries.length,
      };
      const lines = [JSON.stringify(header), ...entries.map((e) => JSON.stringify({ key: e.key, value: e.value }))];
      if (target === undefined) {
        for (const line of lines) out(io, line);
      } else {
        const temporary = `${target}.${process.pid}.tmp`;
        // Mode 0600: the file holds refresh tokens.
        const file = createWriteStream(temporary, { mode: 0o600 });
        for (const line of lines) if (!file.write(`${line}\n`)) await once(file, 'drain');
        file.end();
        await once(file, 'finish');
        await rename(temporary, target);
      }
      const byKind: Record<string, number> = {};
      for (const e of entries) byKind[durableKind(e.key)!] = (byKind[durableKind(e.key)!] ?? 0) + 1;
      say(io, `export: ${entries.length} records (${JSON.stringify(byKind)})${target ? ` written to ${target}` : ''}`);
      if (flag(values, 'json') && target !== undefined)
        out(io, JSON.stringify({ records: entries.length, byKind, out: target }));
      return ExitCode.OK;
    } finally {
      await store.close();
    }
  },
};
