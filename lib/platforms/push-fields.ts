import { OpenPlatformError, OpenPlatformErrorCode } from '../errors/open-platform.error.js';
import type { PlatformName } from '../platform-names.js';
import type { PlatformPush } from './platform-adapter.js';

/** Longest identifier, ticket or code accepted from a push or a redirect (real ones are far shorter). */
export const MAX_PUSH_FIELD_LENGTH = 512;

// Control characters (tabs and newlines included) and invisible format characters (zero-width
// spaces, BOMs) never occur in appids, tickets or codes; a value made of them only would pass a
// plain emptiness check and poison the store.
const CONTROL_OR_FORMAT = /[\p{Cc}\p{Cf}]/u;

/**
 * Whether a value from a push or a redirect can be used as an identifier, ticket or code: a
 * string, not blank, no control or invisible format characters, bounded length.
 */
export function isUsableField(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length <= MAX_PUSH_FIELD_LENGTH &&
    value.trim() !== '' &&
    !CONTROL_OR_FORMAT.test(value)
  );
}

/**
 * Checks the fields of a decrypted push that the module stores or sends upstream, whatever
 * platform it came from. A platform's signed message can still carry an empty or whitespace-only
 * value (CDATA is not trimmed); storing it would break the component token until the next push.
 *
 * @throws OpenPlatformError(MALFORMED_MESSAGE) naming the field, never echoing its value.
 */
export function assertUsablePush(push: PlatformPush, platform: PlatformName): PlatformPush {
  const fields: Record<string, unknown> = { componentAppId: push.componentAppId };
  if (push.kind === 'ticket') fields.ticket = push.ticket;
  if (push.kind === 'authorized' || push.kind === 'updateauthorized') {
    fields.authorizerAppId = push.authorizerAppId;
    fields.authorizationCode = push.authorizationCode;
  }
  if (push.kind === 'unauthorized') fields.authorizerAppId = push.authorizerAppId;
  for (const [name, value] of Object.entries(fields)) {
    if (!isUsableField(value)) {
      throw new OpenPlatformError({
        platform,
        code: OpenPlatformErrorCode.MALFORMED_MESSAGE,
        message: `malformed push: ${name} is empty, blank, too long or contains control characters`,
      });
    }
  }
  if (!Number.isFinite(push.createdAt)) {
    throw new OpenPlatformError({
      platform,
      code: OpenPlatformErrorCode.MALFORMED_MESSAGE,
      message: 'malformed push: createdAt is not a valid time',
    });
  }
  return push;
}
