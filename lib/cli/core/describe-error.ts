import { OpenPlatformError } from '../../errors/open-platform.error.js';

/**
 * How an unexpected error is reported: the library's errors by code and message (they never
 * carry a secret); anything else by its name and message only, never a stack or a cause (a
 * store driver's error can quote the value it failed to write).
 */
export function describeError(err: unknown): string {
  if (err instanceof OpenPlatformError) return `${err.code}: ${err.message}`;
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}
