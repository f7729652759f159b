import type { TokenService } from '../../token.service.js';
import { describeError } from '../core/describe-error.js';
import type { ImportRow } from './import-rows.js';

/**
 * `--verify`: one forced refresh per imported authorizer through the module, so the chain is
 * proven against the platform (and, on Douyin, the single-use refresh token rotated and
 * persisted the module's way). Throttled to `perSecond` refreshes, one at a time, so a large
 * import does not burn the platform's quota in a burst.
 */
export async function verifyChains(
  rows: readonly ImportRow[],
  tokens: TokenService,
  perSecond: number,
  onRow: (row: ImportRow, problem: string | undefined, index: number) => void,
): Promise<{ verified: number; failed: number }> {
  const spacingMs = 1000 / perSecond;
  let verified = 0;
  let failed = 0;
  for (let i = 0; i < rows.length; i++) {
    const started = Date.now();
    const row = rows[i];
    let problem: string | undefined;
    try {
      await tokens.getAuthorizerAccessToken(row.authorizerAppId, {
        componentAppId: row.componentAppId,
        forceRefresh: true,
      });
      verified++;
    } catch (err) {
      problem = describeError(err);
      failed++;
    }
    onRow(row, problem, i);
    const wait = spacingMs - (Date.now() - started);
    if (wait > 0 && i < rows.length - 1) await new Promise((r) => setTimeout(r, wait));
  }
  return { verified, failed };
}
