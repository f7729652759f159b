import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { ConsoleLogger, Logger, type LoggerService } from '@nestjs/common';
import { createCache } from 'cache-manager';
import { createHash } from 'node:crypto';
import { Clock } from '../clock/clock.js';
import { OpenPlatformError } from '../errors/open-platform.error.js';
import type { OpenPlatformEvent } from '../events/open-platform-event.interface.js';
import { OpenPlatformEvents } from '../events/open-platform-events.service.js';
import { MemoryLockService } from '../lock/lock.service.js';
import type { ResolvedComponent, ResolvedOptions } from '../options/resolved-options.js';
import type { AuthorizerGrant } from '../platforms/platform-adapter.js';
import type { PlatformRegistry } from '../platforms/platform-registry.js';
import { MemoryDueIndex } from '../store/due-index.js';
import { MemoryDurableStore } from '../store/durable-store.js';
import { StoreKeys } from '../store/store-keys.js';
import { CacheManagerTokenCache } from '../store/token-cache.js';
import type { ComponentTokenService } from '../tokens/component-token.service.js';
import type { AuthorizerRecord } from './authorizer.interface.js';
import { AuthorizerRenewals } from './authorizer-renewals.js';
import { AuthorizerStore } from './authorizer.store.js';
import type { AuthorizerSyncService } from './authorizer-sync.service.js';
import { AuthorizerTokenService } from './authorizer-token.service.js';
import { ChainRepairService } from './chain-repair.service.js';
import { ExchangedCodes } from './exchanged-codes.js';

class FixedClock extends Clock {
  t = 1_700_000_000_000;
  now(): number {
    return this.t;
  }
}

/** A durable store whose writes fail a given number of times. */
class FlakyStore extends MemoryDurableStore {
  failures = 0;
  writes: Array<{ key: string; value: unknown }> = [];
  /** Runs once, right after the next read: another writer acting between a read and a write. */
  afterNextGet: (() => Promise<void>) | undefined;
  override async get<T>(key: string): Promise<T | undefined> {
    const value = await super.get<T>(key);
    const hook = this.afterNextGet;
    this.afterNextGet = undefined;
    await hook?.();
    return value;
  }
  override async set<T>(key: string, value: T): Promise<void> {
    if (this.failures > 0) {
      this.failures--;
      throw Object.assign(new Error('SET wechat:wx_c:authorizer:wx_shop {"refreshToken":"rt-1"} failed'), {
        code: 'ENOSPC',
      });
    }
    this.writes.push({ key, value });
    await super.set(key, value);
  }
}

/** A token cache that lets something happen right before the next token is cached. */
class RacingCache extends CacheManagerTokenCache {
  beforeNextSet: (() => Promise<void>) | undefined;
  override async set<T>(key: string, value: T, ttlMs: number): Promise<void> {
    const race = this.beforeNextSet;
    this.beforeNextSet = undefined;
    await race?.();
    await super.set(key, value, ttlMs);
  }
}

/** Collects what the module logs, so expected warnings are asserted instead of printed. */
class CapturingLogger implements LoggerService {
  lines: string[] = [];
  log = (m: unknown) => void this.lines.push(`LOG ${String(m)}`);
  warn = (m: unknown) => void this.lines.push(`WARN ${String(m)}`);
  error = (m: unknown) => void this.lines.push(`ERROR ${String(m)}`);
  debug = (m: unknown) => void this.lines.push(`DEBUG ${String(m)}`);
  verbose = (m: unknown) => void this.lines.push(`VERBOSE ${String(m)}`);
}

const component = { platform: 'wechat', appId: 'wx_c' } as ResolvedComponent;
const options = {
  refresh: { marginSeconds: 300 },
  retry: { attempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
  httpTimeoutMs: 1000,
} as ResolvedOptions;
const LOST_ANSWER = new OpenPlatformError({
  platform: 'douyin',
  code: 'TRANSPORT',
  message: 'douyin get_auth_token: timed out',
  retryable: true,
});
const REFRESH_TOKEN_REFUSED = new OpenPlatformError({
  platform: 'douyin',
  code: 40021,
  message: 'refresh token refused',
});
const BUSY = new OpenPlatformError({ platform: 'douyin', code: -1, message: 'system busy', retryable: true });
const APP = 'wx_shop';
/** Each write of the record: its refresh token, and whether it carries an attempt mark. */
const written = (writes: Array<{ value: unknown }>) =>
  writes.map((w) => [(w.value as AuthorizerRecord).refreshToken, !!(w.value as AuthorizerRecord).refreshAttempt]);

describe('AuthorizerTokenService: refresh tokens are persisted before the access token is handed out', () => {
  let store: FlakyStore;
  let records: AuthorizerStore;
  let events: OpenPlatformEvent[];
  let service: AuthorizerTokenService;
  let refreshes: number;
  let log: string[];
  let logger: CapturingLogger;
  let codes: number;
  let pushPath: ExchangedCodes;
  let cache: RacingCache;
  let adapter: {
    chainRepair: string;
    refused: Set<string>;
    lost: Set<string>;
    busy: Set<string>;
    retrieveError: OpenPlatformError | undefined;
    [fn: string]: unknown;
  };

  afterEach(() => Logger.overrideLogger(new ConsoleLogger()));

  beforeEach(async () => {
    logger = new CapturingLogger();
    Logger.overrideLogger(logger);
    store = new FlakyStore();
    const clock = new FixedClock();
    const bus = new OpenPlatformEvents();
    events = [];
    bus.events$.subscribe((e) => events.push(e));
    records = new AuthorizerStore(store, new MemoryLockService(), bus, clock);
    refreshes = 0;
    log = [];
    // A platform whose refresh tokens rotate on every refresh and whose broken chains are repaired
    // by reissuing an authorization code (Douyin's rules).
    adapter = {
      chainRepair: 'reissue_code',
      singleUseRefreshTokens: true,
      refused: new Set<string>(),
      lost: new Set<string>(),
      busy: new Set<string>(),
      retrieveError: undefined,
      failureKind: (e: unknown) =>
        e === REFRESH_TOKEN_REFUSED
          ? 'refresh_token_invalid'
          : (e as OpenPlatformError | undefined)?.code === 40022
            ? 'not_authorized'
            : undefined,
      retrieveAuthorizationCode: async (_c: unknown, _t: string, appId: string): Promise<string> => {
        log.push(`retrieve a code for ${appId}`);
        if (adapter.retrieveError) throw adapter.retrieveError;
        const code = `code-${++codes}`;
        await (adapter.onRetrieved as ((code: string) => Promise<void>) | undefined)?.(code);
        return code;
      },
      exchangeCode: async (_c: unknown, _t: string, code: string): Promise<AuthorizerGrant> => {
        log.push(`exchange ${code}`);
        return { authorizerAppId: APP, accessToken: `at-${code}`, expiresIn: 7200, refreshToken: `rt-${code}` };
      },
      refreshAuthorizerToken: async (
        _c: unknown,
        _t: string,
        appId: string,
        refreshToken: string,
      ): Promise<AuthorizerGrant> => {
        log.push(`refresh with ${refreshToken}`);
        if (adapter.refused.has(refreshToken)) throw REFRESH_TOKEN_REFUSED;
        // The platform answered an error without spending the token.
        if (adapter.busy.delete(refreshToken)) throw BUSY;
        refreshes++;
        // The platform rotated the token, but its answer never arrives.
        if (adapter.lost.has(refreshToken)) throw LOST_ANSWER;
        return {
          authorizerAppId: appId,
          accessToken: `at-${refreshes}`,
          expiresIn: 7200,
          refreshToken: `rt-${refreshes}`,
          refreshExpiresIn: 2_592_000,
        };
      },
    };
    const platforms = { get: () => adapter } as unknown as PlatformRegistry;
    const componentTokens = {
      call: (_c: unknown, fn: (t: string) => Promise<unknown>) => fn('component-token'),
    } as unknown as ComponentTokenService;
    const sync = { repairOne: async () => undefined } as unknown as AuthorizerSyncService;
    codes = 0;
    cache = new RacingCache(createCache());
    const lock = new MemoryLockService();
    const exchangedCodes = new ExchangedCodes(cache, lock);
    pushPath = exchangedCodes;
    service = new AuthorizerTokenService(
      platforms,
      componentTokens,
      records,
      sync,
      new ChainRepairService(platforms, componentTokens, sync, exchangedCodes),
      new AuthorizerRenewals(new MemoryDueIndex(), platforms, clock, options),
      cache,
      lock,
      bus,
      clock,
      options,
    );
    await store.set<AuthorizerRecord>(StoreKeys.authorizer('wechat', 'wx_c', APP), {
      componentAppId: 'wx_c',
      authorizerAppId: APP,
      platform: 'wechat',
      status: 'active',
      permissions: [1],
      authorizedAt: clock.t,
      updatedAt: clock.t,
      refreshToken: 'rt-0',
    });
    store.writes = [];
  });

  const stored = () => records.get(component, APP);

  it('stores each rotated refresh token, and the next refresh uses it', async () => {
    expect(await service.get(component, APP, true)).toBe('at-1');
    expect((await stored())?.refreshToken).toBe('rt-1');
    expect((await stored())?.refreshTokenExpiresAt).toBe(1_700_000_000_000 + 2_592_000_000);
    expect(await service.get(component, APP, true)).toBe('at-2');
    expect(log).toEqual(['refresh with rt-0', 'refresh with rt-1']);
    expect((await stored())?.refreshToken).toBe('rt-2');
  });

  it('the record holds the new refresh token at the moment the access token is returned', async () => {
    const token = await service.get(component, APP, true);
    expect(token).toBe('at-1');
    // The attempt is marked before the single-use token is presented; the new token clears it.
    expect(written(store.writes)).toEqual([
      ['rt-0', true],
      ['rt-1', false],
    ]);
  });

  it('a failing write is retried; the token is returned once the refresh token is safe', async () => {
    store.failures = 2;
    expect(await service.get(component, APP, true)).toBe('at-1');
    expect((await stored())?.refreshToken).toBe('rt-1');
    expect(events.some((e) => e.type === 'store.write_failed')).toBe(false);
    expect(logger.lines.filter((l) => l.startsWith('WARN'))).toEqual([
      'WARN writing the record of authorizer wx_shop failed (attempt 1/4): ENOSPC',
      'WARN writing the record of authorizer wx_shop failed (attempt 2/4): ENOSPC',
    ]);
    expect(logger.lines.join('\n')).not.toContain('rt-1');
  });

  it('when the write keeps failing: a critical event, and no access token is handed out', async () => {
    store.failures = 100;
    const err = await service.get(component, APP, true).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(OpenPlatformError);
    expect(err).toMatchObject({ code: 'STORE_WRITE_FAILED', retryable: true });
    expect((err as Error).cause).toBeUndefined();
    const critical = events.find((e) => e.type === 'store.write_failed');
    expect(critical).toMatchObject({ authorizerAppId: APP, error: { code: 'STORE_WRITE_FAILED' } });
    expect(JSON.stringify(critical)).not.toContain('rt-1');
    expect((err as Error).message).not.toContain('rt-1');
    expect((err as Error).message).toContain('ENOSPC');
    expect(service.hot(component, APP)).toBeUndefined();
    expect(logger.lines.filter((l) => l.startsWith('ERROR'))).toEqual([
      'ERROR CRITICAL: writing the record of authorizer wx_shop failed (attempt 4/4): ENOSPC; the refresh token was not persisted',
    ]);
    expect(logger.lines.join('\n')).not.toContain('rt-1');
  });

  describe("a refused refresh token is repaired the platform's way (here: a reissued authorization code)", () => {
    it('the new refresh token is persisted before the token is handed out, and the refused one is never sent again', async () => {
      adapter.refused.add('rt-0');
      expect(await service.get(component, APP, true)).toBe('at-code-1');
      expect(await stored()).toMatchObject({ status: 'active', refreshToken: 'rt-code-1' });
      // Marked, forgotten once refused (dead), then replaced by the repaired chain's token.
      expect(written(store.writes)).toEqual([
        ['rt-0', true],
        [undefined, false],
        ['rt-code-1', false],
      ]);
      expect(await service.get(component, APP, true)).toBe('at-1');
      expect(log).toEqual([
        'refresh with rt-0',
        `retrieve a code for ${APP}`,
        'exchange code-1',
        'refresh with rt-code-1',
      ]);
      expect(logger.lines.filter((l) => l.startsWith('WARN'))).toEqual([
        `WARN the refresh token of authorizer ${APP} is invalid; repairing the chain (reissue_code)`,
      ]);
    });

    it('a reissue refused with "not authorized" (40022): revoked with its event, tokens dropped, record kept', async () => {
      adapter.refused.add('rt-0');
      adapter.retrieveError = new OpenPlatformError({ platform: 'douyin', code: 40022, message: 'not authorized' });
      const err = await service.get(component, APP, true).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toMatchObject({ code: 'AUTHORIZER_REVOKED' });
      expect(await stored()).toMatchObject({ status: 'revoked', authorizerAppId: APP });
      expect(events.filter((e) => e.type === 'unauthorized')).toHaveLength(1);
      expect(events.some((e) => e.type === 'reauthorization_required')).toBe(false);
      expect(service.hot(component, APP)).toBeUndefined();
    });

    it.each([
      ['an unknown errno', 28001008],
      ['a refused retrieved code (40018)', 40018],
      ['a component-level error (40010)', 40010],
    ])(
      'a reissue that fails with %s keeps the chain: retryable, status active, repaired at the next renewal',
      async (_what, code) => {
        adapter.refused.add('rt-0');
        adapter.retrieveError = new OpenPlatformError({ platform: 'douyin', code, message: 'refused' });
        const err = await service.get(component, APP, true).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).toMatchObject({ code, retryable: true });
        expect(await stored()).toMatchObject({ status: 'active', authorizerAppId: APP });
        expect(events.some((e) => e.type === 'reauthorization_required' || e.type === 'unauthorized')).toBe(false);
        adapter.retrieveError = undefined;
        expect(await service.get(component, APP, true)).toBe('at-code-1');
        // The refused token was never presented again.
        expect(log.filter((l) => l.startsWith('refresh with'))).toEqual(['refresh with rt-0']);
      },
    );

    it('a transient failure of the repair keeps the chain; the refused token is never presented again', async () => {
      adapter.refused.add('rt-0');
      adapter.retrieveError = new OpenPlatformError({ platform: 'douyin', code: -1, message: 'busy', retryable: true });
      const err = await service.get(component, APP, true).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBe(adapter.retrieveError);
      expect(await stored()).toMatchObject({ status: 'active' });
      expect((await stored())?.refreshToken).toBeUndefined();
      adapter.retrieveError = undefined;
      expect(await service.get(component, APP, true)).toBe('at-code-1');
      expect(log.filter((l) => l.startsWith('refresh with'))).toEqual(['refresh with rt-0']);
      expect(events.some((e) => e.type === 'reauthorization_required')).toBe(false);
    });
  });

  it("the retrieved code's push handled first: the code is not exchanged again, the pair it stored is served", async () => {
    adapter.refused.add('rt-0');
    // The platform pushes the retrieved code (a retrieval notice) and the push path wins the race.
    adapter.onRetrieved = async (code: string) => {
      await pushPath.exclusive(component, code, async ({ remember }) => {
        const record = await records.update(component, APP, (c) =>
          c ? { ...c, refreshToken: 'rt-from-push' } : undefined,
        );
        await service.cacheGrant(
          component,
          { authorizerAppId: APP, accessToken: 'at-from-push', expiresIn: 7200 },
          record!,
        );
        await remember(APP);
      });
    };
    expect(await service.get(component, APP, true)).toBe('at-from-push');
    expect(log).toEqual(['refresh with rt-0', `retrieve a code for ${APP}`]);
    expect(await stored()).toMatchObject({ status: 'active', refreshToken: 'rt-from-push' });
  });

  it('a revocation landing between the write of a new chain and the caching of its token: the token is dropped', async () => {
    // The unauthorized push is handled right then: the record revoked, the (old) token dropped.
    cache.beforeNextSet = async () => {
      await records.update(component, APP, (c) => ({ ...c!, status: 'revoked', refreshToken: undefined }));
      await service.drop(component, APP);
    };
    await expect(service.get(component, APP, true)).rejects.toMatchObject({ code: 'AUTHORIZER_REVOKED' });
    expect(service.hot(component, APP)).toBeUndefined();
    expect(await service.cached(component, APP)).toBeUndefined();
  });

  describe('single-use refresh tokens: a refresh interrupted by the death of its process', () => {
    const markOf = (token: string) => ({
      at: 1,
      fingerprint: createHash('sha256').update(token).digest('hex').slice(0, 16),
    });

    it('is never presented again (the platform may have spent it): forgotten durably and the chain repaired', async () => {
      // What a process leaves behind when it is killed after presenting rt-0, before the answer.
      await records.update(component, APP, (c) => ({ ...c!, refreshAttempt: markOf('rt-0') }));
      store.writes = [];
      expect(await service.get(component, APP, true)).toBe('at-code-1');
      expect(log).toEqual([`retrieve a code for ${APP}`, 'exchange code-1']);
      expect(written(store.writes)).toEqual([
        [undefined, false],
        ['rt-code-1', false],
      ]);
      expect(logger.lines.filter((l) => l.startsWith('WARN'))).toEqual([
        `WARN a refresh of authorizer ${APP} was interrupted (its process stopped); its single-use refresh token may be spent, repairing the chain (reissue_code)`,
      ]);
    });

    it('a mark declined because the record changed meanwhile: the new record is used, the stale token never presented', async () => {
      // A re-authorization writes rt-new between the refresh's read of the record and its mark.
      store.afterNextGet = async () => {
        const key = StoreKeys.authorizer('wechat', 'wx_c', APP);
        await MemoryDurableStore.prototype.set.call(store, key, {
          ...((await MemoryDurableStore.prototype.get.call(store, key)) as object),
          refreshToken: 'rt-new',
        });
      };
      expect(await service.get(component, APP, true)).toBe('at-1');
      expect(log).toEqual(['refresh with rt-new']);
      expect((await stored())?.refreshToken).toBe('rt-1');
    });

    // The mark may belong to a live holder for lease (15 s) + the longest call (1 s here).
    const LIFETIME = 16_000;

    it('a fresh mark of another process: its outcome is awaited and served, the token never presented twice', async () => {
      await records.update(component, APP, (c) => ({
        ...c!,
        refreshAttempt: { ...markOf('rt-0'), at: 1_700_000_000_000 },
      }));
      // The other holder gets its answer while this one waits: it writes the new chain and caches its token.
      setTimeout(() => {
        void records
          .update(component, APP, (c) => ({ ...c!, refreshToken: 'rt-theirs', refreshAttempt: undefined }))
          .then((r) =>
            service.cacheGrant(component, { authorizerAppId: APP, accessToken: 'at-theirs', expiresIn: 7200 }, r!),
          );
      }, 100);
      expect(await service.get(component, APP, true)).toBe('at-theirs');
      expect(log).toEqual([]);
    });

    it('a fresh mark whose holder never comes back: repaired once it cannot be alive, the token never presented', async () => {
      await records.update(component, APP, (c) => ({
        ...c!,
        refreshAttempt: { ...markOf('rt-0'), at: 1_700_000_000_000 - LIFETIME + 300 },
      }));
      expect(await service.get(component, APP, true)).toBe('at-code-1');
      expect(log).toEqual([`retrieve a code for ${APP}`, 'exchange code-1']);
    });

    it('a mark left for another (older) token is ignored: the current token is presented', async () => {
      await records.update(component, APP, (c) => ({ ...c!, refreshAttempt: markOf('rt-older') }));
      expect(await service.get(component, APP, true)).toBe('at-1');
      expect(log).toEqual(['refresh with rt-0']);
    });

    it('a refresh the platform answered with an error (token not spent) removes its mark: the next one presents it', async () => {
      adapter.busy.add('rt-0');
      await expect(service.get(component, APP, true)).rejects.toBe(BUSY);
      expect(await stored()).toMatchObject({ status: 'active', refreshToken: 'rt-0' });
      expect((await stored())?.refreshAttempt).toBeUndefined();
      expect(await service.get(component, APP, true)).toBe('at-1');
      expect(log).toEqual(['refresh with rt-0', 'refresh with rt-0']);
    });
  });

  describe('single-use refresh tokens: a refresh whose answer was lost', () => {
    it('is never sent again: the token is forgotten durably and the chain repaired at once', async () => {
      adapter.lost.add('rt-0');
      expect(await service.get(component, APP, true)).toBe('at-code-1');
      expect(log).toEqual(['refresh with rt-0', `retrieve a code for ${APP}`, 'exchange code-1']);
      // Marked, forgotten before the repair, then replaced by the repaired chain's token.
      expect(written(store.writes)).toEqual([
        ['rt-0', true],
        [undefined, false],
        ['rt-code-1', false],
      ]);
      expect(await stored()).toMatchObject({ status: 'active', refreshToken: 'rt-code-1' });
    });

    it('a repair that fails transiently leaves no token to resend; the next renewal repairs without refreshing', async () => {
      adapter.lost.add('rt-0');
      adapter.retrieveError = new OpenPlatformError({ platform: 'douyin', code: -1, message: 'busy', retryable: true });
      await expect(service.get(component, APP, true)).rejects.toBe(adapter.retrieveError);
      expect(await stored()).toMatchObject({ status: 'active' });
      expect((await stored())?.refreshToken).toBeUndefined();
      adapter.retrieveError = undefined;
      expect(await service.get(component, APP, true)).toBe('at-code-1');
      expect(log.filter((l) => l.startsWith('refresh with'))).toEqual(['refresh with rt-0']);
      expect(events.some((e) => e.type === 'reauthorization_required')).toBe(false);
    });
  });
});
