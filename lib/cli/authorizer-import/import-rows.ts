import { parse as parseCsv } from 'csv-parse/sync';
import { appIdProblem } from '../../app-id.js';
import { isPlatformName, type PlatformName } from '../../platform-names.js';

/** One authorizer to import: what another system knows of an authorized merchant. */
export interface ImportRow {
  platform: PlatformName;
  componentAppId: string;
  authorizerAppId: string;
  refreshToken: string;
  /** Permission (function scope) ids, when the source has them. */
  permissions?: number[];
  /** When the refresh token expires (epoch ms), where the source knows it (Douyin). */
  refreshTokenExpiresAt?: number;
}

/** A row with where it came from (a line of a file, a key in Redis) and its problem, if any. */
export interface SourceRow {
  /** `line 7`, `wxjava key wechat_open:…`: how reports name the row (never its token). */
  where: string;
  row?: ImportRow;
  problem?: string;
}

const MAX_ROWS = 1_000_000;
const TOKEN = /^[\x21-\x7e]{1,512}$/;
const FIELDS = [
  'platform',
  'componentAppId',
  'authorizerAppId',
  'refreshToken',
  'permissions',
  'refreshTokenExpiresAt',
];

/** Validates one raw row (from JSON, CSV or a layout); the problem never quotes the refresh token. */
export function checkRow(raw: Record<string, unknown>, where: string): SourceRow {
  const unknown = Object.keys(raw).filter((k) => !FIELDS.includes(k));
  if (unknown.length) return { where, problem: `unknown field(s) ${unknown.slice(0, 5).join(', ')}` };
  const { platform, componentAppId, authorizerAppId, refreshToken } = raw;
  if (!isPlatformName(platform)) return { where, problem: 'platform must be wechat or douyin' };
  for (const [name, value] of [
    ['componentAppId', componentAppId],
    ['authorizerAppId', authorizerAppId],
  ] as const) {
    const problem = appIdProblem(value);
    if (problem) return { where, problem: `${name} is not an appid: ${problem}` };
  }
  if (typeof refreshToken !== 'string' || !TOKEN.test(refreshToken))
    return { where, problem: 'refreshToken must be 1-512 printable characters without spaces' };
  const row: ImportRow = {
    platform,
    componentAppId: componentAppId as string,
    authorizerAppId: authorizerAppId as string,
    refreshToken,
  };
  const permissions = raw.permissions;
  if (permissions !== undefined && permissions !== '' && permissions !== null) {
    const list =
      typeof permissions === 'string'
        ? permissions
            .split(/[;\s|]+/)
            .filter(Boolean)
            .map(Number)
        : permissions;
    if (!Array.isArray(list) || list.length > 1000 || !list.every((p) => Number.isInteger(p) && p >= 0))
      return { where, problem: 'permissions must be a list of whole numbers (in CSV: separated by ; or |)' };
    row.permissions = list as number[];
  }
  const expires = raw.refreshTokenExpiresAt;
  if (expires !== undefined && expires !== '' && expires !== null) {
    const at =
      typeof expires === 'number'
        ? expires
        : typeof expires !== 'string'
          ? Number.NaN
          : /^\d+$/.test(expires)
            ? Number(expires)
            : Date.parse(expires);
    if (!Number.isFinite(at) || at <= 0)
      return { where, problem: 'refreshTokenExpiresAt must be epoch ms or an ISO date' };
    row.refreshTokenExpiresAt = at;
  }
  return { where, row };
}

/** The rows of a JSON file: a list of rows, or `{ "authorizers": [...] }`. */
export function jsonRows(text: string): SourceRow[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new Error(`the file is not valid JSON (${(err as Error).message})`, { cause: err });
  }
  const list = Array.isArray(value) ? value : (value as { authorizers?: unknown } | null)?.authorizers;
  if (!Array.isArray(list)) throw new Error('the JSON file must be a list of rows or {"authorizers": [...]}');
  if (list.length > MAX_ROWS) throw new Error(`the file has over ${MAX_ROWS} rows`);
  return list.map((item, i) =>
    typeof item === 'object' && item !== null && !Array.isArray(item)
      ? checkRow(item as Record<string, unknown>, `row ${i + 1}`)
      : { where: `row ${i + 1}`, problem: 'a row must be a JSON object' },
  );
}

/**
 * The rows of a CSV file with a header line naming the columns (any order; `permissions` and
 * `refreshTokenExpiresAt` optional). Each line is parsed on its own with csv-parse (no field of
 * an import spans lines: appids and tokens hold no newline), so a corrupted line — an unbalanced
 * quote, a wrong column count — is reported alone and the lines after it are still read.
 */
export function csvRows(text: string): SourceRow[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const header = parseLine(lines[0] ?? '');
  if (!header || header.length === 0 || header.every((h) => h === ''))
    throw new Error('the CSV file has no header line');
  const missing = ['platform', 'componentAppId', 'authorizerAppId', 'refreshToken'].filter((c) => !header.includes(c));
  if (missing.length) throw new Error(`the CSV header lacks the column(s) ${missing.join(', ')}`);
  if (lines.length - 1 > MAX_ROWS) throw new Error(`the file has over ${MAX_ROWS} rows`);
  const rows: SourceRow[] = [];
  lines.slice(1).forEach((line, i) => {
    if (line.trim() === '') return;
    const where = `line ${i + 2}`;
    const record = parseLine(line);
    if (!record) return rows.push({ where, problem: 'the line is not valid CSV (an unbalanced quote?)' });
    if (record.length !== header.length)
      return rows.push({ where, problem: `${record.length} columns where the header has ${header.length}` });
    const raw: Record<string, unknown> = {};
    header.forEach((name, j) => {
      if (record[j] !== '') raw[name] = record[j];
    });
    rows.push(checkRow(raw, where));
  });
  return rows;
}

function parseLine(line: string): string[] | undefined {
  try {
    const records = parseCsv(line, { trim: true, relax_column_count: true });
    return records.length === 1 ? records[0] : undefined;
  } catch {
    return undefined;
  }
}
