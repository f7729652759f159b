import { AuthorizerStore } from '../../authorizers/authorizer.store.js';
import type { AuthorizerRecord } from '../../authorizers/authorizer.interface.js';
import { SystemClock } from '../../clock/clock.js';
import { OpenPlatformEvents } from '../../events/open-platform-events.service.js';
import { MemoryLockService } from '../../lock/lock.service.js';
import type { ResolvedComponent } from '../../options/resolved-options.js';
import type { DurableStore } from '../../store/durable-store.js';
import { describeError } from '../core/describe-error.js';
import type { ImportRow } from './import-rows.js';

/**
 * The record the module writes when a merchant authorizes (AuthorizationService's
 * applyAuthorization): active, the refresh token, no access token yet (the first call or the
 * scheduler refreshes it; where the refresh token's expiry is unknown, that happens at once).
 */
export function importedRecord(row: ImportRow, now: number): AuthorizerRecord {
  return {
    componentAppId: row.componentAppId,
    authorizerAppId: row.authorizerAppId,
    platform: row.platform,
    status: 'active',
    permissions: row.permissions ?? [],
    authorizedAt: now,
    refreshToken: row.refreshToken,
    ...(row.refreshTokenExpiresAt === undefined
      ? {}
      : { refreshTokenExpiresAt: row.refreshTokenExpiresAt, refreshTokenIssuedAt: now }),
    updatedAt: now,
  };
}

export type RowOutcome = 'imported' | 'unchanged' | 'kept' | { failed: string };

export interface ImportTally {
  imported: number;
  unchanged: number;
  kept: number;
  failed: number;
}

/**
 * Writes the rows through the module's AuthorizerStore (one whole record per write, retried like
 * the module's own writes). A record that already holds the same refresh token is left alone, so
 * a re-run changes nothing; one with another token or status is kept unless `overwrite` (it may be
 * newer: the app may have rotated the token since the source was read).
 */
export async function writeAuthorizers(
  rows: readonly ImportRow[],
  durable: DurableStore,
  options: { overwrite: boolean; dryRun: boolean; onRow?: (row: ImportRow, outcome: RowOutcome, i: number) => void },
): Promise<ImportTally> {
  const clock = new SystemClock();
  const store = new AuthorizerStore(durable, new MemoryLockService(), new OpenPlatformEvents(), clock, true);
  const tally: ImportTally = { imported: 0, unchanged: 0, kept: 0, failed: 0 };
  let i = 0;
  for (const row of rows) {
    // AuthorizerStore keys records by the component's platform and appid only.
    const component = { platform: row.platform, appId: row.componentAppId } as ResolvedComponent;
    let outcome: RowOutcome;
    try {
      if (options.dryRun) {
        const current = await store.get(component, row.authorizerAppId);
        outcome = decide(current, row, options.overwrite);
      } else {
        outcome = 'unchanged';
        await store.update(component, row.authorizerAppId, (current) => {
          outcome = decide(current, row, options.overwrite);
          return outcome === 'imported' ? importedRecord(row, clock.now()) : undefined;
        });
      }
    } catch (err) {
      outcome = { failed: describeError(err) };
    }
    if (typeof outcome === 'string') tally[outcome]++;
    else tally.failed++;
    options.onRow?.(row, outcome, i++);
  }
  return tally;
}

function decide(
  current: AuthorizerRecord | undefined,
  row: ImportRow,
  overwrite: boolean,
): 'imported' | 'unchanged' | 'kept' {
  if (!current) return 'imported';
  if (current.status === 'active' && current.refreshToken === row.refreshToken) return 'unchanged';
  return overwrite ? 'imported' : 'kept';
}
