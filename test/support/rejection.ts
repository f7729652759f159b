import { expect } from '@jest/globals';
import { OpenPlatformError } from '../../lib/index.js';

/** Awaits a promise that must reject with an `OpenPlatformError`, and returns that error. */
export async function rejection(promise: Promise<unknown>): Promise<OpenPlatformError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(OpenPlatformError);
  return err as OpenPlatformError;
}
