import { OpenPlatformError, OpenPlatformErrorCode, type ErrorPlatform } from './errors/open-platform.error.js';

/** What an appid may look like on a platform, checked before an appid from a caller is used. */
export interface AppIdRule {
  /** Longest appid accepted. Checked before the pattern, so a huge string costs nothing. */
  readonly maxLength: number;
  /** The characters, anchored (`^…$`), precompiled once. */
  readonly pattern: RegExp;
  /** The rule in words, for error messages. */
  readonly description: string;
}

/**
 * The bound every platform's appids fall within, applied while the platform is not known yet.
 * Real appids are 18 characters (`wx` / `tt` + 16 hex digits); emulators and tests use readable
 * ones (`wx_shop_1`), so only the characters and the length are enforced.
 */
export const ANY_PLATFORM_APP_ID: AppIdRule = {
  maxLength: 32,
  // A leading letter or digit, as real appids have: `__proto__`-style names are refused too.
  pattern: /^[A-Za-z0-9][A-Za-z0-9_-]*$/,
  description: '1-32 characters of A-Z a-z 0-9 _ -, starting with a letter or digit',
};

/** What is wrong with `value` as an appid under `rule`, without echoing it; undefined if fine. */
export function appIdProblem(value: unknown, rule: AppIdRule = ANY_PLATFORM_APP_ID): string | undefined {
  if (typeof value !== 'string') return `it is ${value === null ? 'null' : typeof value}`;
  if (value.length === 0) return 'it is empty';
  if (value.length > rule.maxLength) return `it is ${value.length} characters long`;
  if (!rule.pattern.test(value)) return 'it holds other characters or does not start with a letter or digit';
  return undefined;
}

/** The error for a caller-supplied appid that breaks the rule (the value itself is never echoed). */
export function invalidAppId(
  field: string,
  problem: string,
  platform: ErrorPlatform = 'library',
  rule: AppIdRule = ANY_PLATFORM_APP_ID,
): OpenPlatformError {
  return new OpenPlatformError({
    platform,
    code: OpenPlatformErrorCode.INVALID_ARGUMENT,
    message: `${field} must be an appid (${rule.description}); ${problem}`,
  });
}

/** Throws INVALID_ARGUMENT unless `value` is within the bound of every platform's appids. */
export function assertAppId(value: unknown, field: string): asserts value is string {
  const problem = appIdProblem(value);
  if (problem !== undefined) throw invalidAppId(field, problem);
}
