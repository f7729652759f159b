import { Injectable } from '@nestjs/common';
import type { ResolvedComponent } from '../options/resolved-options.js';
import type { AuthorizerGrant, ChainRepairStrategy } from '../platforms/platform-adapter.js';
import { PlatformRegistry } from '../platforms/platform-registry.js';
import { Spans } from '../telemetry/telemetry.names.js';
import { SILENT_TELEMETRY, Telemetry } from '../telemetry/telemetry.service.js';
import { ComponentTokenService } from '../tokens/component-token.service.js';
import type { AuthorizerRecord } from './authorizer.interface.js';
import { AuthorizerSyncService } from './authorizer-sync.service.js';
import { ExchangedCodes } from './exchanged-codes.js';

/**
 * Persists a grant the repair obtained and caches its access token: a compare-and-set against the
 * refresh token the store is expected to hold (`expectedRefreshToken`), so a repair never writes
 * over a chain someone else repaired or re-authorized meanwhile. Returns the access token.
 */
export type ApplyRepairedGrant = (grant: AuthorizerGrant, expectedRefreshToken: string | undefined) => Promise<string>;

/**
 * Outcomes of a repair: the access token of the repaired chain (its grant persisted through the
 * caller's {@link ApplyRepairedGrant}); `'applied'` when the retrieved code's push was handled
 * first (the new token pair is already persisted and cached); `undefined` when the platform has
 * nothing to repair with (WeChat: the list holds no newer refresh token). Any failure is thrown as
 * it is and leaves the record as it was: the caller decides which answers are final (only "not
 * authorized" is) and which leave the chain to be repaired again later.
 */
export type RepairOutcome = { accessToken: string } | 'applied' | undefined;

/**
 * Repairs a broken authorization chain (the platform refused the refresh token, or a single-use
 * one may have been spent) the way the platform allows, as its adapter declares (`chainRepair`).
 */
@Injectable()
export class ChainRepairService {
  constructor(
    private readonly platforms: PlatformRegistry,
    private readonly componentTokens: ComponentTokenService,
    private readonly sync: AuthorizerSyncService,
    private readonly codes: ExchangedCodes,
    private readonly telemetry: Telemetry = SILENT_TELEMETRY,
  ) {}

  /**
   * @param record the authorizer as it was when the chain broke.
   * @param expectedRefreshToken the refresh token the store holds now (undefined once a spent one was forgotten).
   */
  async repair(
    component: ResolvedComponent,
    record: AuthorizerRecord,
    expectedRefreshToken: string | undefined,
    apply: ApplyRepairedGrant,
  ): Promise<RepairOutcome> {
    const strategy = this.platforms.get(component.platform).chainRepair;
    const attributes = {
      platform: component.platform,
      component: component.appId,
      strategy,
      'open_platform.authorizer': record.authorizerAppId,
    };
    return this.telemetry.span(Spans.chainRepair, attributes, async (span) => {
      const outcome = await this.repairBy(strategy, component, record, expectedRefreshToken, apply);
      span?.setAttribute('outcome', outcome ? 'repaired' : 'nothing_to_repair');
      return outcome;
    });
  }

  private repairBy(
    strategy: ChainRepairStrategy,
    component: ResolvedComponent,
    record: AuthorizerRecord,
    expectedRefreshToken: string | undefined,
    apply: ApplyRepairedGrant,
  ): Promise<RepairOutcome> {
    switch (strategy) {
      case 'authorizer_list':
        return this.fromAuthorizerList(component, record, apply);
      case 'reissue_code':
        return this.byReissuedCode(component, record.authorizerAppId, expectedRefreshToken, apply);
    }
  }

  /** The list holds the current refresh token: restore the record from it and refresh with it. */
  private async fromAuthorizerList(
    component: ResolvedComponent,
    record: AuthorizerRecord,
    apply: ApplyRepairedGrant,
  ): Promise<RepairOutcome> {
    const repaired = await this.sync.repairOne(component, record.authorizerAppId);
    if (!repaired?.refreshToken || repaired.refreshToken === record.refreshToken) return undefined;
    const adapter = this.platforms.get(component.platform);
    const grant = await this.componentTokens.call(component, (t) =>
      adapter.refreshAuthorizerToken(component, t, record.authorizerAppId, repaired.refreshToken!),
    );
    // The walk restored the list's refresh token into the store: that is the one to replace.
    return { accessToken: await apply(grant, repaired.refreshToken) };
  }

  /** A new authorization code for the authorizer, exchanged for a fresh token pair. */
  private async byReissuedCode(
    component: ResolvedComponent,
    authorizerAppId: string,
    expectedRefreshToken: string | undefined,
    apply: ApplyRepairedGrant,
  ): Promise<RepairOutcome> {
    const adapter = this.platforms.get(component.platform);
    if (!adapter.retrieveAuthorizationCode) {
      throw new Error(`the ${component.platform} adapter repairs by reissued code but cannot retrieve one`);
    }
    const code = await this.componentTokens.call(component, (t) =>
      adapter.retrieveAuthorizationCode!(component, t, authorizerAppId),
    );
    // The platform also pushes this code (a retrieval notice): whichever arrives first exchanges it.
    return this.codes.exclusive(component, code, async ({ exchangedBy, remember }) => {
      if (exchangedBy) return 'applied';
      const grant = await this.componentTokens.call(component, (t) => adapter.exchangeCode(component, t, code));
      // Persisted (or held, if the store is failing) before the code counts as exchanged: a code
      // remembered first and a grant then lost would leave the push of the same code nothing to do.
      const accessToken = await apply(grant, expectedRefreshToken);
      await remember(grant.authorizerAppId);
      return { accessToken };
    });
  }
}
