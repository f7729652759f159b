import type { AuthorizerStatus } from '../authorizers/authorizer.interface.js';
import { ANY_PLATFORM_APP_ID, appIdProblem } from '../app-id.js';
import { PLATFORM_NAMES, type PlatformName } from '../platform-names.js';
import { badAdminInput } from './admin-errors.js';

/** The filters and page of `GET …/admin/authorizers`, parsed and checked. */
export interface AuthorizerQuery {
  status?: AuthorizerStatus;
  platform?: PlatformName;
  component?: string;
  /** Only authorizers whose cached access token expires within this many minutes. */
  expiringWithinMinutes?: number;
  /** Only authorizers whose latest renewal (in their history) failed, or only those where it did not. */
  lastRenewalFailed?: boolean;
  appIdPrefix?: string;
  limit: number;
  /** Resume after this position (component, authorizer). */
  after?: { componentAppId: string; authorizerAppId: string };
}

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;
const STATUSES: readonly AuthorizerStatus[] = ['active', 'revoked', 'reauthorization_required', 'no_api_permission'];
const PARAMS = new Set([
  'status',
  'platform',
  'component',
  'expiringWithinMinutes',
  'lastRenewalFailed',
  'appIdPrefix',
  'limit',
  'cursor',
]);
const PREFIX = /^[A-Za-z0-9_-]{1,32}$/;

/** The opaque cursor of a position: base64url of `component\nauthorizer`. */
export function encodeCursor(componentAppId: string, authorizerAppId: string): string {
  return Buffer.from(`${componentAppId}\n${authorizerAppId}`, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): AuthorizerQuery['after'] {
  if (cursor.length > 128 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw badAdminInput('cursor is malformed');
  const [componentAppId, authorizerAppId, ...rest] = Buffer.from(cursor, 'base64url').toString('utf8').split('\n');
  if (rest.length > 0 || appIdProblem(componentAppId) || appIdProblem(authorizerAppId))
    throw badAdminInput('cursor is malformed');
  return { componentAppId, authorizerAppId };
}

function integer(name: string, text: string, min: number, max: number): number {
  if (!/^\d{1,7}$/.test(text) || Number(text) < min || Number(text) > max)
    throw badAdminInput(`${name} must be an integer from ${min} to ${max}`);
  return Number(text);
}

/**
 * Parses the query of the authorizer list. Unknown parameters, repeated ones and values out of
 * their alphabet are refused (400), so a typo never silently widens the result.
 */
export function parseAuthorizerQuery(query: Record<string, unknown>): AuthorizerQuery {
  const out: AuthorizerQuery = { limit: DEFAULT_PAGE_SIZE };
  for (const [name, value] of Object.entries(query)) {
    if (!PARAMS.has(name)) throw badAdminInput('unknown query parameter (allowed: ' + [...PARAMS].join(', ') + ')');
    if (typeof value !== 'string')
      throw badAdminInput(`the ${name} query parameter must be given once, as a plain value`);
    if (value.length > 256) throw badAdminInput(`${name} is too long`);
    switch (name) {
      case 'status':
        if (!STATUSES.includes(value as AuthorizerStatus))
          throw badAdminInput(`status must be one of: ${STATUSES.join(', ')}`);
        out.status = value as AuthorizerStatus;
        break;
      case 'platform':
        if (!PLATFORM_NAMES.includes(value as PlatformName))
          throw badAdminInput(`platform must be one of: ${PLATFORM_NAMES.join(', ')}`);
        out.platform = value as PlatformName;
        break;
      case 'component':
        if (appIdProblem(value)) throw badAdminInput(`component must be an appid (${ANY_PLATFORM_APP_ID.description})`);
        out.component = value;
        break;
      case 'expiringWithinMinutes':
        out.expiringWithinMinutes = integer(name, value, 0, 10_080);
        break;
      case 'lastRenewalFailed':
        if (value !== 'true' && value !== 'false') throw badAdminInput('lastRenewalFailed must be true or false');
        out.lastRenewalFailed = value === 'true';
        break;
      case 'appIdPrefix':
        if (!PREFIX.test(value)) throw badAdminInput('appIdPrefix must be 1-32 characters of A-Z a-z 0-9 _ -');
        out.appIdPrefix = value;
        break;
      case 'limit':
        out.limit = integer(name, value, 1, MAX_PAGE_SIZE);
        break;
      case 'cursor':
        out.after = decodeCursor(value);
        break;
    }
  }
  return out;
}
