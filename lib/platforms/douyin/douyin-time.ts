/** Beijing time (UTC+8, no daylight saving): the zone of Douyin's `yyyy-MM-dd HH:mm:ss` values. */
const BEIJING_OFFSET_MS = 8 * 60 * 60 * 1000;
const DATETIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/;

/**
 * A Douyin time as epoch ms, or NaN when it is none. Pushes write times as
 * `yyyy-MM-dd HH:mm:ss` without a zone, meaning Beijing time (UTC+8) whatever the server's zone;
 * some answers use epoch seconds (a number or a digit string), accepted too.
 */
export function douyinTime(value: unknown): number {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value > 0 ? value * 1000 : NaN;
  if (typeof value !== 'string') return NaN;
  if (/^\d{1,12}$/.test(value)) return Number(value) > 0 ? Number(value) * 1000 : NaN;
  const m = DATETIME.exec(value);
  if (!m) return NaN;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number);
  const utc = Date.UTC(y, mo - 1, d, h, mi, s);
  // Date.UTC rolls 2024-02-31 over to March: a value that does not round-trip is not a date.
  const check = new Date(utc);
  if (check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return NaN;
  return utc - BEIJING_OFFSET_MS;
}
