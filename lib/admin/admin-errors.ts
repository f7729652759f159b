import { OpenPlatformError, OpenPlatformErrorCode } from '../errors/open-platform.error.js';

/** A 400 for bad admin input; the message names the field, never echoes the value. */
export function badAdminInput(message: string): OpenPlatformError {
  return new OpenPlatformError({ platform: 'library', code: OpenPlatformErrorCode.INVALID_ARGUMENT, message });
}

export function authorizerNotFound(componentAppId: string, authorizerAppId: string): OpenPlatformError {
  return new OpenPlatformError({
    platform: 'library',
    code: OpenPlatformErrorCode.AUTHORIZER_NOT_FOUND,
    message: `no record of authorizer ${authorizerAppId} under component ${componentAppId}`,
  });
}
