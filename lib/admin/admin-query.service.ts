import { Injectable } from '@nestjs/common';
import { appIdProblem } from '../app-id.js';
import { AuthorizationService } from '../authorizers/authorization.service.js';
import type { AuthorizerInfo, AuthorizerRecord } from '../authorizers/authorizer.interface.js';
import { AuthorizerStore } from '../authorizers/authorizer.store.js';
import { Clock } from '../clock/clock.js';
import { ComponentsService } from '../components/components.service.js';
import type { ComponentStatus } from '../health/status.interface.js';
import { StatusService } from '../health/status.service.js';
import type { ResolvedComponent } from '../options/resolved-options.js';
import { authorizerNotFound, badAdminInput } from './admin-errors.js';
import { AuthorizerDirectory, lowerBound } from './authorizer-directory.js';
import { AuthorizerHistory, type AuthorizerHistoryEntry } from './authorizer-history.service.js';
import { encodeCursor, type AuthorizerQuery } from './authorizer-query.js';

/** One page of the authorizer list. */
export interface AuthorizerPage {
  items: AuthorizerInfo[];
  /** Pass as `cursor` for the next page; absent on the last page. */
  nextCursor?: string;
  /**
   * How many records this page examined (at most 2,000: a filtered page may hold fewer items than
   * `limit`, even none, and still a `nextCursor`).
   */
  scanned: number;
}

/** The scan budget of one page, and the last position it examined. */
interface Scan {
  left: number;
  scanned: number;
  last?: { componentAppId: string; authorizerAppId: string };
}

/** Records read from the store at once while a filtered page is filled. */
const READ_BATCH = 200;

/** Records one page examines at most, so a filter that matches few never reads the whole store. */
export const SCAN_BUDGET = 2_000;

/**
 * The read side of the admin API: component states, the filtered and paged authorizer list, one
 * authorizer with its history. Answers are built from `AuthorizerInfo` and the status types,
 * which carry no token by construction.
 */
@Injectable()
export class AdminQueryService {
  constructor(
    private readonly components: ComponentsService,
    private readonly statuses: StatusService,
    private readonly directory: AuthorizerDirectory,
    private readonly authorizers: AuthorizerStore,
    private readonly authorizations: AuthorizationService,
    private readonly history: AuthorizerHistory,
    private readonly clock: Clock,
  ) {}

  async componentsOverview(): Promise<{ at: number; components: ComponentStatus[] }> {
    const status = await this.statuses.status();
    return { at: status.at, components: status.components };
  }

  /**
   * A page of authorizers in a stable order (components in configuration order, then appids in
   * code-point order). The cursor is a position, not an offset: records written while an operator
   * pages are never answered twice, and every record that existed throughout is answered once.
   *
   * A page examines at most {@link SCAN_BUDGET} records: with a filter few records match, a page
   * may hold fewer than `limit` items (even none) and still a `nextCursor`, where the next page
   * goes on. Every request is then bounded, whatever the number of authorizers.
   */
  async list(query: AuthorizerQuery): Promise<AuthorizerPage> {
    const all = this.components.all();
    let targets = all.filter(
      (c) => (!query.component || c.appId === query.component) && (!query.platform || c.platform === query.platform),
    );
    if (query.component && !all.some((c) => c.appId === query.component))
      throw badAdminInput('component is not a configured component');
    const after = query.after;
    if (after) {
      const index = all.findIndex((c) => c.appId === after.componentAppId);
      if (index < 0) throw badAdminInput('cursor is malformed');
      targets = targets.filter((c) => all.indexOf(c) >= index);
    }
    const items: AuthorizerInfo[] = [];
    const scan: Scan = { left: SCAN_BUDGET, scanned: 0 };
    for (const component of targets) {
      const from = after?.componentAppId === component.appId ? after.authorizerAppId : undefined;
      if (await this.fill(component, query, from, items, scan)) {
        const last = scan.last!;
        return { items, nextCursor: encodeCursor(last.componentAppId, last.authorizerAppId), scanned: scan.scanned };
      }
    }
    return { items, scanned: scan.scanned };
  }

  /**
   * Adds matching records after `from` to `items`; true once the page is full or the scan budget
   * spent (more may follow: the page resumes after `scan.last`), false when the component is done.
   */
  private async fill(
    component: ResolvedComponent,
    query: AuthorizerQuery,
    from: string | undefined,
    items: AuthorizerInfo[],
    scan: Scan,
  ): Promise<boolean> {
    const ids = await this.directory.appIds(component);
    const prefix = query.appIdPrefix;
    let i = from === undefined ? 0 : lowerBound(ids, from);
    if (prefix) i = Math.max(i, lowerBound(ids, prefix, true));
    // Without a filter on the records every record read is an item: read no more than the page needs.
    const filtered =
      query.status !== undefined || query.lastRenewalFailed !== undefined || query.expiringWithinMinutes !== undefined;
    while (i < ids.length && (!prefix || ids[i].startsWith(prefix))) {
      if (scan.left === 0) return true;
      let end = Math.min(ids.length, i + Math.min(scan.left, filtered ? READ_BATCH : query.limit - items.length));
      if (prefix) while (end > i && !ids[end - 1].startsWith(prefix)) end--;
      const matched = await Promise.all(ids.slice(i, end).map((id) => this.match(component, id, query)));
      for (const info of matched) {
        scan.left--;
        scan.scanned++;
        scan.last = { componentAppId: component.appId, authorizerAppId: ids[i++] };
        if (!info) continue;
        items.push(info);
        if (items.length === query.limit) return true;
      }
    }
    return false;
  }

  private async match(
    component: ResolvedComponent,
    authorizerAppId: string,
    query: AuthorizerQuery,
  ): Promise<AuthorizerInfo | undefined> {
    const record = await this.authorizers.get(component, authorizerAppId);
    if (!record || (query.status && record.status !== query.status)) return undefined;
    if (query.lastRenewalFailed !== undefined) {
      const failed = lastRenewalFailed(await this.history.read(component.platform, component.appId, authorizerAppId));
      if (failed !== query.lastRenewalFailed) return undefined;
    }
    const info = await this.authorizations.info(component, record);
    if (query.expiringWithinMinutes !== undefined) {
      const until = this.clock.now() + query.expiringWithinMinutes * 60_000;
      if (info.accessTokenExpiresAt === undefined || info.accessTokenExpiresAt > until) return undefined;
    }
    return info;
  }

  /** One authorizer with its history (oldest first); AUTHORIZER_NOT_FOUND without a record. */
  async one(
    componentAppId: string,
    authorizerAppId: string,
  ): Promise<{ authorizer: AuthorizerInfo & { updatedAt: number }; history: AuthorizerHistoryEntry[] }> {
    const { component, record } = await this.record(componentAppId, authorizerAppId);
    const [info, history] = await Promise.all([
      this.authorizations.info(component, record),
      this.history.read(component.platform, component.appId, authorizerAppId),
    ]);
    return { authorizer: { ...info, updatedAt: record.updatedAt }, history };
  }

  /** The component and the record, with both appids checked first. */
  async record(
    componentAppId: string,
    authorizerAppId: string,
  ): Promise<{ component: ResolvedComponent; record: AuthorizerRecord }> {
    const component = this.component(componentAppId);
    if (appIdProblem(authorizerAppId)) throw badAdminInput('authorizerAppId is not an appid');
    const record = await this.authorizers.get(component, authorizerAppId);
    if (!record) throw authorizerNotFound(component.appId, authorizerAppId);
    return { component, record };
  }

  component(componentAppId: string): ResolvedComponent {
    return this.components.resolve(componentAppId);
  }
}

/** Whether the latest renewal outcome in a history is a failure. */
function lastRenewalFailed(history: AuthorizerHistoryEntry[]): boolean {
  for (let i = history.length - 1; i >= 0; i--) {
    const kind = history[i].kind;
    if (kind === 'failed') return true;
    if (kind === 'refreshed' || kind === 'authorized' || kind === 'reauthorized' || kind === 'repaired') return false;
  }
  return false;
}
