import { OpenPlatformError, OpenPlatformErrorCode } from './open-platform.error.js';

/**
 * The retryable error for a store that did not answer. Only the cause's code or name is kept, and
 * the cause is not attached: a store's message may quote the value it failed to write (a token).
 */
export function storeUnavailable(operation: string, cause: unknown): OpenPlatformError {
  if (cause instanceof OpenPlatformError) return cause;
  return new OpenPlatformError({
    platform: 'library',
    code: OpenPlatformErrorCode.STORE_UNAVAILABLE,
    message: `the store is unavailable (${operation}: ${describeStoreError(cause)}); the module reconnects by itself, retry later`,
    retryable: true,
  });
}

/** Whether `err` says the store did not answer. */
export function isStoreUnavailable(err: unknown): boolean {
  return err instanceof OpenPlatformError && err.code === OpenPlatformErrorCode.STORE_UNAVAILABLE;
}

/** A store error as its code, name or class only: a store's message may echo the value it failed to write. */
export function describeStoreError(cause: unknown): string {
  const { code, name } = (cause ?? {}) as { code?: unknown; name?: unknown };
  if (typeof code === 'string' || typeof code === 'number') return String(code);
  if (typeof name === 'string' && name !== 'Error') return name;
  // node-redis reports a closed or reconnecting connection as a plain Error subclass.
  const ctor = (cause as { constructor?: { name?: unknown } } | undefined)?.constructor?.name;
  return typeof ctor === 'string' && ctor !== 'Error' && ctor !== 'Object' ? ctor : 'error';
}
