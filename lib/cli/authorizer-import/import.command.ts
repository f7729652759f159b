import { readFile } from 'node:fs/promises';
import { restoreBackup, looksLikeBackup, parseBackup } from '../backup/import-backup.js';
import { bootModule, readModuleConfig } from '../app/module-app.js';
import { UsageError } from '../core/cli-errors.js';
import { out, say, type CliIo } from '../core/cli-io.js';
import type { CliCommand, OptionValues } from '../core/command.js';
import { ExitCode } from '../core/exit-codes.js';
import { flag, intOption, stringOption } from '../core/options.js';
import { wxjavaRows } from '../layouts/wxjava-redis.js';
import { moduleView } from '../store/open-store.js';
import {
  openNamedStore,
  SEAL_HELP,
  SEAL_OPTIONS,
  sealKeysOf,
  STORE_HELP,
  STORE_OPTIONS,
} from '../store/store-options.js';
import { csvRows, jsonRows, type ImportRow, type SourceRow } from './import-rows.js';
import { verifyChains } from './verify-chains.js';
import { writeAuthorizers, type RowOutcome } from './write-authorizers.js';

const SOURCES = ['backup', 'json', 'csv', 'wxjava-redis'] as const;
type Source = (typeof SOURCES)[number];

/** `import`: authorizers (refresh tokens) from another system, or a backup made by `export`. */
export const importCommand: CliCommand = {
  name: 'import',
  summary: 'import authorizers and refresh tokens (JSON, CSV, WxJava Redis) or an export backup',
  usage:
    'import [<file>] --store <url> [--from backup|json|csv|wxjava-redis] [--dry-run] [--verify --config <app.json>]',
  help: `
Sources (--from; inferred from the file when omitted: an export header → backup, .csv → csv, else json):
  json           a list of {platform, componentAppId, authorizerAppId, refreshToken[, permissions,
                 refreshTokenExpiresAt]} (or {"authorizers": [...]})
  csv            the same fields as columns, a header line first (permissions separated by ; or |)
  wxjava-redis   WxJava's weixin-java-open Redis layout: --redis <url> [--source-key-prefix <p>]
  backup         a file written by \`export\` (records, tickets, histories, seal check)

Each authorizer is written as the module writes an authorized merchant (status active, the refresh
token; the access token is fetched on first use). A row that is malformed, repeats an earlier
row or names a record that already holds another refresh token is reported on stderr, one line
each with the reason, and changes nothing; the other rows are imported. Re-running changes nothing.

Options:
  --dry-run             validate and report; write nothing
  --overwrite           replace records that hold another refresh token or status
  --verify              refresh each imported chain once through the module (needs --config)
  --config <app.json>   the app's module options (components with secrets, apiBaseUrl…), for --verify
  --verify-rate <n>     refreshes per second while verifying (default 5)
  --json                print the report as one JSON line on stdout
${STORE_HELP}
${SEAL_HELP}

Exit codes: 0 all rows imported (or unchanged), 1 nothing could be done, 2 usage, 3 some rows refused or failed.`,
  positionals: true,
  options: {
    ...STORE_OPTIONS,
    ...SEAL_OPTIONS,
    from: { type: 'string' },
    redis: { type: 'string' },
    'source-key-prefix': { type: 'string' },
    'dry-run': { type: 'boolean' },
    overwrite: { type: 'boolean' },
    verify: { type: 'boolean' },
    config: { type: 'string' },
    'verify-rate': { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(values, positionals, io) {
    if (positionals.length > 1) throw new UsageError('give at most one file');
    const file = positionals[0];
    const given = stringOption(values, 'from');
    if (given !== undefined && !(SOURCES as readonly string[]).includes(given))
      throw new UsageError(`--from must be one of ${SOURCES.join(', ')}`);
    if (flag(values, 'verify') && !stringOption(values, 'config')) throw new UsageError('--verify needs --config');
    const text = file === undefined ? undefined : await readFile(file, 'utf8');
    const source: Source =
      (given as Source | undefined) ??
      (text === undefined
        ? 'wxjava-redis'
        : looksLikeBackup(text)
          ? 'backup'
          : (file ?? '').endsWith('.csv')
            ? 'csv'
            : 'json');
    if (source === 'wxjava-redis' ? file !== undefined : text === undefined)
      throw new UsageError(
        source === 'wxjava-redis' ? '--from wxjava-redis reads --redis, not a file' : 'give the file to import',
      );
    if (source === 'backup') return importBackup(text!, values, io);
    let rows: SourceRow[];
    if (source === 'wxjava-redis') {
      rows = await wxjavaRows({
        url: stringOption(values, 'redis', true),
        keyPrefix: stringOption(values, 'source-key-prefix'),
      });
    } else {
      try {
        rows = source === 'csv' ? csvRows(text!) : jsonRows(text!);
      } catch (err) {
        throw new UsageError(`${file}: ${(err as Error).message}`);
      }
    }
    return importRows(rows, source, values, io);
  },
};

async function importRows(rows: SourceRow[], source: Source, values: OptionValues, io: CliIo): Promise<number> {
  const dryRun = flag(values, 'dry-run');
  const refused: Array<{ where: string; reason: string }> = [];
  const valid: Array<{ where: string; row: ImportRow }> = [];
  const seen = new Map<string, string>();
  for (const r of rows) {
    if (!r.row) {
      refused.push({ where: r.where, reason: r.problem ?? 'malformed' });
      continue;
    }
    const id = `${r.row.platform}:${r.row.componentAppId}:${r.row.authorizerAppId}`;
    const earlier = seen.get(id);
    if (earlier) {
      refused.push({ where: r.where, reason: `the same authorizer as ${earlier}` });
      continue;
    }
    seen.set(id, r.where);
    valid.push({ where: r.where, row: r.row });
  }
  for (const r of refused) say(io, `refused ${r.where}: ${r.reason}`);
  const keys = sealKeysOf(values, io);
  const store = await openNamedStore(values, 'store');
  const report = {
    source,
    store: store.label,
    dryRun,
    rows: rows.length,
    refused: refused.length,
    imported: 0,
    unchanged: 0,
    kept: 0,
    failed: 0,
    verified: undefined as number | undefined,
    verifyFailed: undefined as number | undefined,
  };
  const landed: ImportRow[] = [];
  try {
    const durable = await moduleView(store.raw, keys);
    const tally = await writeAuthorizers(
      valid.map((v) => v.row),
      durable,
      {
        overwrite: flag(values, 'overwrite'),
        dryRun,
        onRow: (row, outcome: RowOutcome, i) => {
          const where = valid[i].where;
          if (outcome === 'kept')
            say(
              io,
              `kept ${where} (${row.authorizerAppId}): the store holds another refresh token or status; --overwrite replaces it`,
            );
          else if (typeof outcome === 'object') say(io, `failed ${where} (${row.authorizerAppId}): ${outcome.failed}`);
          else landed.push(row);
          if ((i + 1) % 500 === 0) say(io, `import: ${i + 1}/${valid.length}`);
        },
      },
    );
    Object.assign(report, tally);
  } finally {
    await store.close();
  }
  if (flag(values, 'verify') && !dryRun && landed.length > 0) {
    const config = await readModuleConfig(stringOption(values, 'config', true));
    const verifyStore = await openNamedStore(values, 'store');
    try {
      const app = await bootModule(config, io, verifyStore.raw, keys);
      try {
        const rate = intOption(values, 'verify-rate', 5, 1, 1000);
        const result = await verifyChains(landed, app.tokens, rate, (row, problem, i) => {
          if (problem) say(io, `verify failed for ${row.authorizerAppId} (${row.componentAppId}): ${problem}`);
          if ((i + 1) % 50 === 0) say(io, `verify: ${i + 1}/${landed.length}`);
        });
        report.verified = result.verified;
        report.verifyFailed = result.failed;
      } finally {
        await app.close();
      }
    } finally {
      await verifyStore.close();
    }
  }
  say(
    io,
    `import${dryRun ? ' (dry run: nothing written)' : ''}: ${report.rows} rows, ${report.imported} ${dryRun ? 'to import' : 'imported'}, ` +
      `${report.unchanged} unchanged, ${report.kept} kept, ${report.refused} refused, ${report.failed} failed` +
      (report.verified === undefined
        ? ''
        : `, ${report.verified} verified, ${report.verifyFailed} failed verification`),
  );
  if (flag(values, 'json')) out(io, JSON.stringify({ ...report, refusedRows: refused }));
  const problems = report.refused + report.failed + (report.verifyFailed ?? 0) + report.kept;
  const done = report.imported + report.unchanged;
  if (problems === 0) return ExitCode.OK;
  return done > 0 ? ExitCode.PARTIAL : ExitCode.FAILURE;
}

async function importBackup(text: string, values: OptionValues, io: CliIo): Promise<number> {
  const dryRun = flag(values, 'dry-run');
  const parsed = parseBackup(text);
  for (const r of parsed.refused) say(io, `refused ${r.where}: ${r.reason}`);
  const store = await openNamedStore(values, 'store');
  let tally;
  try {
    tally = await restoreBackup(parsed.entries, store.raw, sealKeysOf(values, io), {
      overwrite: flag(values, 'overwrite'),
      dryRun,
      onEntry: (entry, outcome, i) => {
        const where = parsed.entries[i]?.where ?? entry.key;
        if (outcome === 'kept')
          say(io, `kept ${where} (${entry.key}): the store holds another value; --overwrite replaces it`);
        else if (typeof outcome === 'object') say(io, `failed ${where} (${entry.key}): ${outcome.failed}`);
        if ((i + 1) % 1000 === 0) say(io, `import: ${i + 1}/${parsed.entries.length}`);
      },
    });
  } finally {
    await store.close();
  }
  say(
    io,
    `import backup${dryRun ? ' (dry run: nothing written)' : ''}: ${parsed.entries.length + parsed.refused.length} records, ` +
      `${tally.written} ${dryRun ? 'to write' : 'written'}, ${tally.unchanged} unchanged, ${tally.kept} kept, ` +
      `${parsed.refused.length} refused, ${tally.failed} failed`,
  );
  if (flag(values, 'json'))
    out(
      io,
      JSON.stringify({
        source: 'backup',
        dryRun,
        ...tally,
        refused: parsed.refused.length,
        refusedRows: parsed.refused,
      }),
    );
  const problems = parsed.refused.length + tally.failed + tally.kept;
  if (problems === 0) return ExitCode.OK;
  return tally.written + tally.unchanged > 0 ? ExitCode.PARTIAL : ExitCode.FAILURE;
}
