import { Injectable } from '@nestjs/common';
import { OpenPlatformError } from '../errors/open-platform.error.js';
import type { ResolvedComponent } from '../options/resolved-options.js';
import type { AuthorizerGrant } from '../platforms/platform-adapter.js';
import { PlatformRegistry } from '../platforms/platform-registry.js';
import { ComponentTokenService } from '../tokens/component-token.service.js';
import type { AuthorizerRecord } from './authorizer.interface.js';
import { AuthorizerSyncService } from './authorizer-sync.service.js';
import { ExchangedCodes } from './exchanged-codes.js';

/**
 * Repairs a broken authorization chain (the platform refused the refresh token) the way the
 * platform allows, as its adapter declares (`chainRepair`), and returns a grant obtained with the
 * repaired chain.
 *
 * Outcomes: a grant to apply; `'applied'` when the retrieved code's push was handled first (the new
 * token pair is already persisted and cached); `undefined` when the platform has nothing to repair
 * with (the merchant must authorize again); or an error, which leaves the record as it is: a failed
 * repair attempt (the platform busy, unreachable) is no proof that the chain is dead.
 */
export type RepairOutcome = AuthorizerGrant | 'applied' | undefined;

@Injectable()
export class ChainRepairService {
  constructor(
    private readonly platforms: PlatformRegistry,
    private readonly componentTokens: ComponentTokenService,
    private readonly sync: AuthorizerSyncService,
    private readonly codes: ExchangedCodes,
  ) {}

  async repair(component: ResolvedComponent, record: AuthorizerRecord): Promise<RepairOutcome> {
    const strategy = this.platforms.get(component.platform).chainRepair;
    switch (strategy) {
      case 'authorizer_list':
        return this.fromAuthorizerList(component, record);
      case 'reissue_code':
        return this.byReissuedCode(component, record.authorizerAppId);
    }
  }

  /** The list holds the current refresh token: restore the record from it and refresh with it. */
  private async fromAuthorizerList(
    component: ResolvedComponent,
    record: AuthorizerRecord,
  ): Promise<AuthorizerGrant | undefined> {
    const repaired = await this.sync.repairOne(component, record.authorizerAppId);
    if (!repaired?.refreshToken || repaired.refreshToken === record.refreshToken) return undefined;
    const adapter = this.platforms.get(component.platform);
    return this.componentTokens.call(component, (t) =>
      adapter.refreshAuthorizerToken(component, t, record.authorizerAppId, repaired.refreshToken!),
    );
  }

  /** A new authorization code for the authorizer, exchanged for a fresh token pair. */
  private async byReissuedCode(component: ResolvedComponent, authorizerAppId: string): Promise<RepairOutcome> {
    const adapter = this.platforms.get(component.platform);
    if (!adapter.retrieveAuthorizationCode) {
      throw new Error(`the ${component.platform} adapter repairs by reissued code but cannot retrieve one`);
    }
    try {
      const code = await this.componentTokens.call(component, (t) =>
        adapter.retrieveAuthorizationCode!(component, t, authorizerAppId),
      );
      // The platform also pushes this code (a retrieval notice): whichever arrives first exchanges it.
      return await this.codes.exclusive(component, code, async ({ exchangedBy, remember }) => {
        if (exchangedBy) return 'applied';
        const grant = await this.componentTokens.call(component, (t) => adapter.exchangeCode(component, t, code));
        await remember(grant.authorizerAppId);
        return grant;
      });
    } catch (err) {
      // A refusal (the merchant revoked, the code was refused) means there is nothing to repair
      // with; a transient failure is thrown so the next renewal tries again.
      if (err instanceof OpenPlatformError && !err.retryable) return undefined;
      throw err;
    }
  }
}
