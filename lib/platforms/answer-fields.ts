import { OpenPlatformError, OpenPlatformErrorCode } from '../errors/open-platform.error.js';
import type { PlatformName } from '../platform-names.js';

export type Json = Record<string, unknown>;

/** `value` if it is a plain (non-array) object, else an empty one: answers are read defensively. */
export function asObject(value: unknown): Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
}

/**
 * Reads the fields a platform's success answer must carry. A success that lacks one is treated
 * like a garbled transport: a retryable `TRANSPORT` error naming the endpoint and the field.
 */
export function answerFields(platform: PlatformName) {
  const malformed = (endpoint: string, field: string) =>
    new OpenPlatformError({
      platform,
      code: OpenPlatformErrorCode.TRANSPORT,
      message: `${platform} ${endpoint}: the answer lacks ${field}`,
      retryable: true,
    });
  return {
    malformed,
    /** A non-empty string field. */
    requiredString: (data: Json, field: string, endpoint: string): string => {
      const value = data[field];
      if (typeof value !== 'string' || !value) throw malformed(endpoint, field);
      return value;
    },
    /** A positive number field (a lifetime such as `expires_in`), given as a number or a numeric string. */
    positive: (data: Json, field: string, endpoint: string): number => {
      const n = Number(data[field]);
      if (!(n > 0)) throw malformed(endpoint, field);
      return n;
    },
  };
}
