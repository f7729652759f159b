import { HttpStatus } from '@nestjs/common';
import { OpenPlatformError, OpenPlatformErrorCode } from './open-platform.error.js';

/** Library codes with a fixed HTTP meaning; the rest are decided by `retryable`. */
const STATUS_BY_CODE: Readonly<Record<string, HttpStatus>> = {
  // The caller named something that does not exist.
  [OpenPlatformErrorCode.UNKNOWN_COMPONENT]: HttpStatus.NOT_FOUND,
  [OpenPlatformErrorCode.AUTHORIZER_NOT_FOUND]: HttpStatus.NOT_FOUND,
  // The merchant has to act (authorize again, grant permissions): nothing a retry can fix.
  [OpenPlatformErrorCode.AUTHORIZER_REVOKED]: HttpStatus.FORBIDDEN,
  [OpenPlatformErrorCode.REAUTHORIZATION_REQUIRED]: HttpStatus.FORBIDDEN,
  [OpenPlatformErrorCode.NO_API_PERMISSION]: HttpStatus.FORBIDDEN,
  // Bad input.
  [OpenPlatformErrorCode.INVALID_ARGUMENT]: HttpStatus.BAD_REQUEST,
  [OpenPlatformErrorCode.INVALID_AUTHORIZATION_CODE]: HttpStatus.BAD_REQUEST,
  [OpenPlatformErrorCode.MALFORMED_MESSAGE]: HttpStatus.BAD_REQUEST,
  [OpenPlatformErrorCode.BAD_BASE64]: HttpStatus.BAD_REQUEST,
  [OpenPlatformErrorCode.BAD_PADDING]: HttpStatus.BAD_REQUEST,
  [OpenPlatformErrorCode.BAD_LENGTH]: HttpStatus.BAD_REQUEST,
  [OpenPlatformErrorCode.APPID_MISMATCH]: HttpStatus.BAD_REQUEST,
  [OpenPlatformErrorCode.SIGNATURE_MISMATCH]: HttpStatus.UNAUTHORIZED,
  [OpenPlatformErrorCode.STALE_PUSH]: HttpStatus.UNAUTHORIZED,
  [OpenPlatformErrorCode.PAYLOAD_TOO_LARGE]: HttpStatus.PAYLOAD_TOO_LARGE,
  // Waiting for the platform's next ticket push: temporary by nature.
  [OpenPlatformErrorCode.NO_TICKET]: HttpStatus.SERVICE_UNAVAILABLE,
  // The shared store is down, or another process holds the work for too long: passes by itself.
  [OpenPlatformErrorCode.STORE_UNAVAILABLE]: HttpStatus.SERVICE_UNAVAILABLE,
  [OpenPlatformErrorCode.LOCK_TIMEOUT]: HttpStatus.SERVICE_UNAVAILABLE,
  // Mistakes in the app's own code or configuration.
  [OpenPlatformErrorCode.INVALID_OPTIONS]: HttpStatus.INTERNAL_SERVER_ERROR,
  [OpenPlatformErrorCode.MISSING_AUTHORIZER]: HttpStatus.INTERNAL_SERVER_ERROR,
  [OpenPlatformErrorCode.FOREIGN_ORIGIN]: HttpStatus.INTERNAL_SERVER_ERROR,
};

/**
 * The HTTP status an {@link OpenPlatformError} stands for: 4xx for what the caller or the merchant
 * must fix, 503 for what passes by itself (no ticket yet, platform busy or unreachable, store
 * down), 502 for other platform refusals, 500 for mistakes in the app's own code or options.
 */
export function httpStatusOf(err: OpenPlatformError): HttpStatus {
  const fixed = typeof err.code === 'string' ? STATUS_BY_CODE[err.code] : undefined;
  if (fixed !== undefined) return fixed;
  return err.retryable ? HttpStatus.SERVICE_UNAVAILABLE : HttpStatus.BAD_GATEWAY;
}

/** The JSON body answered for an {@link OpenPlatformError}: its code and message, never a token. */
export interface OpenPlatformErrorBody {
  statusCode: number;
  code: number | string;
  platform: string;
  message: string;
  retryable: boolean;
}

export function httpBodyOf(err: OpenPlatformError, statusCode: number): OpenPlatformErrorBody {
  return { statusCode, code: err.code, platform: err.platform, message: err.message, retryable: err.retryable };
}
