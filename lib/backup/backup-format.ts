import { isDeepStrictEqual } from 'node:util';
import { durableKind, type DurableKind } from '../store/durable-keys.js';

/** The first line of a backup file. */
export const BACKUP_FORMAT = 'nest-open-platform-backup';
export const BACKUP_VERSION = 1;

export interface BackupHeader {
  format: typeof BACKUP_FORMAT;
  version: number;
  exportedAt: string;
  records: number;
}

/** One durable record: its store key (without a Redis prefix) and its value as stored. */
export interface BackupEntry {
  key: string;
  value: unknown;
}

/** What is wrong with a backup entry's value for its key, or undefined if it is well-formed. */
export function entryProblem(key: unknown, value: unknown): string | undefined {
  if (typeof key !== 'string') return 'key must be a string';
  const kind = durableKind(key);
  if (!kind)
    return `${JSON.stringify(key.slice(0, 200))} is not a durable key (ticket, authorizer, history, seal check)`;
  return valueProblem(kind, key, value);
}

function valueProblem(kind: DurableKind, key: string, value: unknown): string | undefined {
  if (kind === 'authorizer-history') return Array.isArray(value) ? undefined : 'a history must be a list';
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'value must be a JSON object';
  const v = value as Record<string, unknown>;
  if (kind === 'seal-check') return typeof v.check === 'string' ? undefined : 'the seal check must hold a string check';
  if (kind === 'ticket') {
    if (typeof v.ticket !== 'string' || v.ticket.length === 0) return 'a ticket record needs a ticket string';
    for (const f of ['createdAt', 'receivedAt', 'expiresAt'])
      if (typeof v[f] !== 'number' || !Number.isFinite(v[f])) return `a ticket record needs ${f} (epoch ms)`;
    return undefined;
  }
  const [platform, componentAppId, , authorizerAppId] = key.split(':');
  if (v.platform !== platform || v.componentAppId !== componentAppId || v.authorizerAppId !== authorizerAppId)
    return 'the record names another platform, component or authorizer than its key';
  if (!['active', 'revoked', 'reauthorization_required', 'no_api_permission'].includes(String(v.status)))
    return 'status must be active, revoked, reauthorization_required or no_api_permission';
  if (!Array.isArray(v.permissions) || !v.permissions.every((p) => Number.isInteger(p)))
    return 'permissions must be a list of whole numbers';
  for (const f of ['authorizedAt', 'updatedAt'])
    if (typeof v[f] !== 'number' || !Number.isFinite(v[f])) return `${f} must be a number (epoch ms)`;
  if (v.refreshToken !== undefined && (typeof v.refreshToken !== 'string' || v.refreshToken.length === 0))
    return 'refreshToken must be a non-empty string';
  if (v.status === 'active' && typeof v.refreshToken !== 'string') return 'an active record needs its refreshToken';
  return undefined;
}

/** Whether two stored values are the same (key order aside). */
export function sameValue(a: unknown, b: unknown): boolean {
  return isDeepStrictEqual(JSON.parse(JSON.stringify(a ?? null)), JSON.parse(JSON.stringify(b ?? null)));
}
