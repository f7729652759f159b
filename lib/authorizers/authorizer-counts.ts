import type { AuthorizerStatus } from './authorizer.interface.js';

/** How many authorizers of one component are in each status. */
export type AuthorizerStatusCounts = Record<AuthorizerStatus, number>;

const STATUSES: readonly AuthorizerStatus[] = ['active', 'revoked', 'reauthorization_required', 'no_api_permission'];

/** The status of one record as read by a scan. */
export interface ScannedRecord {
  authorizerAppId: string;
  status: AuthorizerStatus;
}

/**
 * Per-status counts of one component's authorizer records, so that a status call costs no read
 * of every record (components may hold 100,000 authorizers).
 *
 * The counts are built once, lazily, from a scan of the records, then kept up to date by every
 * write: the store reports each write's start ({@link begin}) and its outcome ({@link end}), both
 * under the record's lock. A scan is slow and interleaves with writes, so it may read a record
 * before or after a concurrent write lands; writes that end during the scan, or are still in
 * flight when it ends, are reconciled so the counts equal what the store holds once they settle.
 * The tally never holds a record, a token or a per-authorizer entry beyond the writes in flight.
 */
export class AuthorizerTally {
  private counts: AuthorizerStatusCounts | undefined;
  private loading: Promise<AuthorizerStatusCounts> | undefined;
  /** While a scan runs: the status left by each write that ended meanwhile (later than the scan's read). */
  private endedDuringScan: Map<string, AuthorizerStatus> | undefined;
  /** Writes started and not yet ended, per authorizer (one at a time under the record lock). */
  private readonly inFlight = new Map<string, number>();
  /** Writes in flight when the scan ended: the status counted for them, to be replaced when they end. */
  private readonly unsettled = new Map<string, AuthorizerStatus | undefined>();

  /** A write of `authorizerAppId`'s record is about to start. */
  begin(authorizerAppId: string): void {
    this.inFlight.set(authorizerAppId, (this.inFlight.get(authorizerAppId) ?? 0) + 1);
  }

  /**
   * The write started by {@link begin} ended: the record went from `from` (undefined: no record)
   * to `to`, or the write failed (`to` undefined) and the record is as it was.
   */
  end(authorizerAppId: string, from: AuthorizerStatus | undefined, to: AuthorizerStatus | undefined): void {
    const left = (this.inFlight.get(authorizerAppId) ?? 1) - 1;
    if (left > 0) this.inFlight.set(authorizerAppId, left);
    else this.inFlight.delete(authorizerAppId);
    if (!this.counts) {
      // Before the first scan nothing is counted (the scan will read the store); during it, the
      // scan may have read this record before the write landed: remember what the write left.
      if (to !== undefined) this.endedDuringScan?.set(authorizerAppId, to);
      return;
    }
    if (this.unsettled.has(authorizerAppId)) {
      // In flight when the scan ended: the scan may have read either side of this write, so what
      // was counted for it is replaced by what it left (a failed write left the counted status).
      const counted = this.unsettled.get(authorizerAppId);
      if (to !== undefined) {
        this.move(counted, to);
        this.unsettled.set(authorizerAppId, to);
      }
      if (left === 0) this.unsettled.delete(authorizerAppId);
      return;
    }
    if (to !== undefined) this.move(from, to);
  }

  /** The counts (a copy), scanning the records with `scan` the first time; concurrent first calls share one scan. */
  async get(scan: () => Promise<Iterable<ScannedRecord>>): Promise<AuthorizerStatusCounts> {
    if (this.counts) return { ...this.counts };
    this.loading ??= this.load(scan).finally(() => (this.loading = undefined));
    return { ...(await this.loading) };
  }

  private async load(scan: () => Promise<Iterable<ScannedRecord>>): Promise<AuthorizerStatusCounts> {
    const ended = (this.endedDuringScan = new Map<string, AuthorizerStatus>());
    try {
      const records = await scan();
      // From here on everything is synchronous: no write can end in between.
      const counts = zeroCounts();
      const seenInFlight = new Set<string>();
      for (const r of records) {
        if (ended.has(r.authorizerAppId)) continue; // counted below, with the status the write left
        increment(counts, r.status);
        if (this.inFlight.has(r.authorizerAppId)) {
          this.unsettled.set(r.authorizerAppId, r.status);
          seenInFlight.add(r.authorizerAppId);
        }
      }
      for (const [appId, status] of ended) {
        increment(counts, status);
        if (this.inFlight.has(appId)) {
          this.unsettled.set(appId, status);
          seenInFlight.add(appId);
        }
      }
      // Records created by writes still in flight, which the scan did not see: counted when they end.
      for (const appId of this.inFlight.keys()) if (!seenInFlight.has(appId)) this.unsettled.set(appId, undefined);
      this.counts = counts;
      return counts;
    } finally {
      this.endedDuringScan = undefined;
    }
  }

  private move(from: AuthorizerStatus | undefined, to: AuthorizerStatus): void {
    if (from === to || !this.counts) return;
    if (from !== undefined) increment(this.counts, from, -1);
    increment(this.counts, to);
  }
}

export function zeroCounts(): AuthorizerStatusCounts {
  return { active: 0, revoked: 0, reauthorization_required: 0, no_api_permission: 0 };
}

function increment(counts: AuthorizerStatusCounts, status: AuthorizerStatus, by = 1): void {
  // A status this version does not know (a record written by a newer one) is not counted.
  if (STATUSES.includes(status)) counts[status] += by;
}
