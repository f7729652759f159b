import { OpenPlatformError } from '../../errors/open-platform.error.js';
import { describeStoreError } from '../../errors/store-unavailable.js';

/**
 * How an unexpected error is reported: the library's errors by code and message (they never
 * carry a secret); a Node system error (a file not found, a refused connection) by its message,
 * which names a path or an address; anything else by its code or name only, never its message, a
 * stack or a cause: a store driver's error can quote the value it failed to write (a refresh token).
 */
export function describeError(err: unknown): string {
  if (err instanceof OpenPlatformError) return `${err.code}: ${err.message}`;
  if (err instanceof Error && typeof (err as { syscall?: unknown }).syscall === 'string') return err.message;
  return `unexpected error (${describeStoreError(err)})`;
}
