// class-transformer's @Type needs the Reflect metadata API; Nest loads it in an app, a unit test must.
import 'reflect-metadata';
import { describe, it, expect } from '@jest/globals';
import { OpenPlatformError, OpenPlatformErrorCode } from '../errors/open-platform.error.js';
import type { ComponentOptions, OpenPlatformModuleOptions } from './open-platform-options.interface.js';
import {
  DEFAULT_HTTP_TIMEOUT_MS,
  DEFAULT_REFRESH,
  DEFAULT_UNKNOWN_AUTHORIZER_TTL_MS,
  resolveOptions,
} from './resolved-options.js';
import { validateOptions } from './validate-options.js';
import { createCache } from 'cache-manager';
import { MemoryDurableStore } from '../store/durable-store.js';
import { CacheManagerTokenCache } from '../store/token-cache.js';

// Distinctive values: none of them may ever appear in an error message.
const SECRET = 'SECRET-should-not-leak';
const TOKEN = 'TOKEN-should-not-leak';
const KEY = 'KEYshouldNOTleak0123456789abcdefghijklmnopq'; // 43 base64 chars
const PREV_KEY = 'PREVKEYshouldNOTleak0123456789abcdefghijklm'; // 43 base64 chars
const REDIS_URL = 'redis://:REDISPASS-should-not-leak@127.0.0.1:6379';
const SENSITIVE = [SECRET, TOKEN, KEY, PREV_KEY, 'REDISPASS-should-not-leak', 'should-not-leak', 'shouldNOTleak'];

function component(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    platform: 'wechat',
    appId: 'wx-component-1',
    appSecret: SECRET,
    token: TOKEN,
    encodingAesKey: KEY,
    ...overrides,
  };
}

function options(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { components: [component()], ...overrides };
}

/** Runs validateOptions, expects a refusal, checks its shape and that nothing secret leaked. */
function refusal(input: unknown, supportedPlatforms?: string[]): OpenPlatformError {
  let caught: unknown;
  try {
    validateOptions(input, supportedPlatforms);
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(OpenPlatformError);
  const err = caught as OpenPlatformError;
  expect(err.code).toBe(OpenPlatformErrorCode.INVALID_OPTIONS);
  expect(err.platform).toBe('library');
  for (const s of SENSITIVE) expect(err.message).not.toContain(s);
  expect(err.stack ?? '').not.toContain(SECRET);
  return err;
}

/** The `path: message` lines of a refusal. */
function problems(err: OpenPlatformError): string[] {
  return err.message
    .split('\n')
    .filter((l) => l.startsWith('  - '))
    .map((l) => l.slice(4));
}

function pathsOf(err: OpenPlatformError): string[] {
  return [...new Set(problems(err).map((p) => p.slice(0, p.indexOf(':'))))];
}

describe('validateOptions', () => {
  describe('accepts', () => {
    it('a minimal valid config and returns it unchanged', () => {
      const input = options();
      const before = JSON.stringify(input);
      expect(validateOptions(input)).toBe(input);
      expect(JSON.stringify(input)).toBe(before);
    });

    it('a full valid config', () => {
      const input = options({
        components: [
          component({
            previousEncodingAesKey: PREV_KEY,
            apiBaseUrl: 'http://127.0.0.1:3000/',
            authorizePageUrl: 'https://mp.example.com/login',
          }),
          component({
            appId: 'tt-component-2',
            platform: 'douyin',
            apiVersion: 'v1',
            apiBaseUrl: 'http://emulator:8080',
          }),
        ],
        redis: { url: REDIS_URL, keyPrefix: 'my-app:op' },
        refresh: { enabled: true, intervalMs: 1000, marginSeconds: 0, concurrency: 256 },
        routePrefix: 'api/open-platform',
        publicBaseUrl: 'https://api.example.com',
        httpTimeoutMs: 5000,
        unknownAuthorizerTtlMs: 30_000,
      });
      expect(validateOptions(input)).toBe(input);
    });

    it('unknownAuthorizerTtlMs at both ends of its range (0 disables the memory)', () => {
      expect(() => validateOptions(options({ unknownAuthorizerTtlMs: 0 }))).not.toThrow();
      expect(() => validateOptions(options({ unknownAuthorizerTtlMs: 3_600_000 }))).not.toThrow();
    });

    it.each(['auto', true, false])('refresh.enabled = %p', (enabled) => {
      expect(() => validateOptions(options({ refresh: { enabled } }))).not.toThrow();
    });

    it('refresh values at both ends of their range', () => {
      expect(() =>
        validateOptions(options({ refresh: { intervalMs: 3_600_000, marginSeconds: 86_400, concurrency: 1 } })),
      ).not.toThrow();
      expect(() =>
        validateOptions(options({ refresh: { intervalMs: 1000, marginSeconds: 0, concurrency: 256 } })),
      ).not.toThrow();
    });
  });

  describe('refuses, naming the field and never echoing a value', () => {
    it('a missing appSecret', () => {
      const c = component();
      delete c.appSecret;
      const err = refusal(options({ components: [c] }));
      expect(pathsOf(err)).toEqual(['components[0].appSecret']);
    });

    it('an empty token', () => {
      const err = refusal(options({ components: [component({ token: '' })] }));
      expect(pathsOf(err)).toEqual(['components[0].token']);
      expect(err.message).toContain('components[0].token: token must not be empty');
    });

    it('an empty appSecret', () => {
      expect(pathsOf(refusal(options({ components: [component({ appSecret: '' })] })))).toEqual([
        'components[0].appSecret',
      ]);
    });

    it('a non-string appSecret', () => {
      expect(pathsOf(refusal(options({ components: [component({ appSecret: 123456 })] })))).toEqual([
        'components[0].appSecret',
      ]);
    });

    it('a missing appId', () => {
      const c = component();
      delete c.appId;
      expect(pathsOf(refusal(options({ components: [c] })))).toEqual(['components[0].appId']);
    });

    it('a 42-character encodingAesKey', () => {
      const err = refusal(options({ components: [component({ encodingAesKey: KEY.slice(0, 42) })] }));
      expect(pathsOf(err)).toEqual(['components[0].encodingAesKey']);
      expect(err.message).toContain('components[0].encodingAesKey: encodingAesKey must be exactly 43 characters');
      expect(err.message).not.toContain(KEY.slice(0, 42));
    });

    it('a 44-character encodingAesKey (the key with its "=" padding)', () => {
      const err = refusal(options({ components: [component({ encodingAesKey: `${KEY}=` })] }));
      expect(pathsOf(err)).toEqual(['components[0].encodingAesKey']);
      expect(err.message).toContain('exactly 43 characters');
    });

    it.each([
      ['42', KEY.slice(0, 42)],
      ['44', `${KEY}A`],
    ])('a %s-character encodingAesKey of valid base64 characters is told only about its length', (_n, key) => {
      const err = refusal(options({ components: [component({ encodingAesKey: key, previousEncodingAesKey: key })] }));
      expect(pathsOf(err)).toEqual(['components[0].encodingAesKey', 'components[0].previousEncodingAesKey']);
      expect(err.message).toContain('exactly 43 characters');
      expect(err.message).not.toContain('base64');
    });

    it('an encodingAesKey with non-base64 characters', () => {
      const bad = `${KEY.slice(0, 40)}-_!`;
      expect(bad).toHaveLength(43);
      const err = refusal(options({ components: [component({ encodingAesKey: bad })] }));
      expect(pathsOf(err)).toEqual(['components[0].encodingAesKey']);
      expect(err.message).toContain('base64');
      expect(err.message).not.toContain('exactly 43 characters');
      expect(err.message).not.toContain(bad);
    });

    it('a missing encodingAesKey', () => {
      const c = component();
      delete c.encodingAesKey;
      expect(pathsOf(refusal(options({ components: [c] })))).toEqual(['components[0].encodingAesKey']);
    });

    it('a bad previousEncodingAesKey (wrong length, then wrong characters)', () => {
      let err = refusal(options({ components: [component({ previousEncodingAesKey: PREV_KEY.slice(1) })] }));
      expect(pathsOf(err)).toEqual(['components[0].previousEncodingAesKey']);
      expect(err.message).not.toContain(PREV_KEY.slice(1));
      const nonBase64 = `${PREV_KEY.slice(0, 42)}=`;
      err = refusal(options({ components: [component({ previousEncodingAesKey: nonBase64 })] }));
      expect(pathsOf(err)).toEqual(['components[0].previousEncodingAesKey']);
      expect(err.message).not.toContain(nonBase64);
    });

    it('two components with one appId', () => {
      const err = refusal(
        options({ components: [component(), component({ platform: 'douyin' }), component({ appId: 'other' })] }),
      );
      expect(pathsOf(err)).toEqual(['components[1].appId']);
      expect(err.message).toContain('duplicates components[0].appId');
    });

    it('an unknown platform', () => {
      const err = refusal(options({ components: [component({ platform: 'alipay' })] }));
      expect(pathsOf(err)).toEqual(['components[0].platform']);
      expect(err.message).toContain('wechat, douyin');
    });

    it("a known platform this version does not run yet, at the component's own path", () => {
      const err = refusal(options({ components: [component(), component({ appId: 'tt1', platform: 'douyin' })] }), [
        'wechat',
      ]);
      expect(pathsOf(err)).toEqual(['components[1].platform']);
      expect(err.message).toContain("platform 'douyin' is not supported by this version yet (supported: wechat)");
    });

    it('an unknown apiVersion', () => {
      expect(pathsOf(refusal(options({ components: [component({ apiVersion: 'v3' })] })))).toEqual([
        'components[0].apiVersion',
      ]);
    });

    it('an empty components array', () => {
      const err = refusal({ components: [] });
      expect(pathsOf(err)).toEqual(['components']);
      expect(err.message).toContain('at least one component');
    });

    it('missing components', () => {
      expect(pathsOf(refusal({}))).toEqual(['components']);
    });

    it('a components element that is not an object', () => {
      const err = refusal({ components: [SECRET] });
      expect(pathsOf(err)).toEqual(['components[0]']);
    });

    it.each([
      ['undefined', undefined],
      ['null', null],
      ['an array', [component()]],
      ['a string', `{"components":[{"appSecret":"${SECRET}"}]}`],
      ['a number', 42],
    ])('options that are %s', (_label, input) => {
      const err = refusal(input);
      expect(pathsOf(err)).toEqual(['options']);
      expect(err.message).toContain('must be an object');
    });

    it.each([
      ['not a URL', 'not a url'],
      ['no protocol', 'api.weixin.qq.com'],
      ['ftp', 'ftp://api.weixin.qq.com'],
      ['empty', ''],
    ])('a bad apiBaseUrl (%s)', (_label, url) => {
      const err = refusal(options({ components: [component({ apiBaseUrl: url })] }));
      expect(pathsOf(err)).toEqual(['components[0].apiBaseUrl']);
      expect(err.message).toContain('http(s) URL');
    });

    it.each([
      ['not an array', 'https://gw.example.com'],
      ['an element that is no URL', ['gw.example.com']],
      ['an element with a path', ['https://gw.example.com/api']],
      ['an element with a query', ['https://gw.example.com?x=1']],
      ['an element with credentials', ['https://user:GWPASS-should-not-leak@gw.example.com']],
      ['an ftp origin', ['ftp://gw.example.com']],
      ['too many origins', Array.from({ length: 65 }, (_, i) => `https://gw${i}.example.com`)],
    ])('a bad apiOrigins (%s), named by its path, never echoed', (_label, apiOrigins) => {
      const err = refusal(options({ components: [component({ apiOrigins })] }));
      expect(pathsOf(err)).toEqual(['components[0].apiOrigins']);
      expect(err.message).not.toContain('GWPASS');
      expect(err.message).not.toContain('gw.example.com');
    });

    it('a bad authorizePageUrl and publicBaseUrl', () => {
      const err = refusal(
        options({ components: [component({ authorizePageUrl: 'javascript:alert(1)' })], publicBaseUrl: 'example.com' }),
      );
      expect(pathsOf(err).sort()).toEqual(['components[0].authorizePageUrl', 'publicBaseUrl']);
    });

    it.each([['/open-platform'], ['open-platform/'], ['a//b'], ['with space'], ['']])(
      'a bad routePrefix %j',
      (prefix) => {
        const err = refusal(options({ routePrefix: prefix }));
        expect(pathsOf(err)).toEqual(['routePrefix']);
        expect(err.message).toContain('without leading or trailing /');
      },
    );

    it('an unknown top-level option key', () => {
      const err = refusal(options({ componets: [] }));
      expect(problems(err)).toEqual(['componets: unknown option']);
    });

    it('an unknown key inside a component', () => {
      const err = refusal(options({ components: [component({ secret: SECRET })] }));
      expect(problems(err)).toEqual(['components[0].secret: unknown option']);
    });

    it.each([
      ['http scheme', 'http://127.0.0.1:6379'],
      ['no scheme', '127.0.0.1:6379'],
      ['not a string', 6379],
    ])('a bad redis url (%s)', (_label, url) => {
      const err = refusal(options({ redis: { url } }));
      expect(pathsOf(err)).toEqual(['redis.url']);
    });

    it('a missing redis url, and redis that is not an object', () => {
      expect(pathsOf(refusal(options({ redis: { keyPrefix: 'op' } })))).toEqual(['redis.url']);
      expect(pathsOf(refusal(options({ redis: REDIS_URL })))).toEqual(['redis']);
    });

    it('a bad redis keyPrefix', () => {
      const err = refusal(options({ redis: { url: REDIS_URL, keyPrefix: 'has space' } }));
      expect(pathsOf(err)).toEqual(['redis.keyPrefix']);
    });

    it.each([
      ['intervalMs', 999],
      ['intervalMs', 3_600_001],
      ['intervalMs', 1500.5],
      ['marginSeconds', -1],
      ['marginSeconds', 86_401],
      ['concurrency', 0],
      ['concurrency', 257],
      ['enabled', 'yes'],
      ['enabled', 'AUTO'],
      ['enabled', 1],
    ])('refresh.%s = %p', (field, value) => {
      const err = refusal(options({ refresh: { [field]: value } }));
      expect(pathsOf(err)).toEqual([`refresh.${field}`]);
    });

    it('an httpTimeoutMs out of range', () => {
      expect(pathsOf(refusal(options({ httpTimeoutMs: 99 })))).toEqual(['httpTimeoutMs']);
      expect(pathsOf(refusal(options({ httpTimeoutMs: 120_001 })))).toEqual(['httpTimeoutMs']);
    });

    it.each([-1, 3_600_001, 1.5, '60000', Number.NaN, Number.POSITIVE_INFINITY])(
      'unknownAuthorizerTtlMs = %p',
      (value) => {
        expect(pathsOf(refusal(options({ unknownAuthorizerTtlMs: value })))).toEqual(['unknownAuthorizerTtlMs']);
      },
    );
  });

  it('lists several problems at once, each with its own path', () => {
    const c0 = component({ encodingAesKey: KEY.slice(0, 42), token: '' });
    const c1 = component({ platform: 'alipay', previousEncodingAesKey: `${PREV_KEY}==` });
    const c2 = component({ appSecret: '' }); // same appId as c0
    const err = refusal({
      components: [c0, c1, c2],
      routePrefix: '/x/',
      redis: { url: 'http://nope', extra: 1 },
      refresh: { marginSeconds: -5, concurrency: 1000 },
      bogus: true,
    });
    expect(pathsOf(err).sort()).toEqual(
      [
        'bogus',
        'components[0].encodingAesKey',
        'components[0].token',
        'components[1].platform',
        'components[1].previousEncodingAesKey',
        'components[1].appId',
        'components[2].appSecret',
        'components[2].appId',
        'redis.extra',
        'redis.url',
        'refresh.concurrency',
        'refresh.marginSeconds',
        'routePrefix',
      ].sort(),
    );
    expect(err.message.startsWith('Invalid OpenPlatformModule options:\n  - ')).toBe(true);
  });
});

describe('resolveOptions', () => {
  const WECHAT_DEFAULTS = {
    apiBaseUrl: 'https://api.weixin.qq.com',
    authorizePageUrl: 'https://mp.weixin.qq.com/cgi-bin/componentloginpage',
  };
  const defaultsFor = (c: ComponentOptions) =>
    c.platform === 'wechat'
      ? WECHAT_DEFAULTS
      : {
          apiBaseUrl: `https://douyin.example/${c.apiVersion ?? 'v2'}/`,
          authorizePageUrl: 'https://douyin.example/auth',
        };
  const base = (): OpenPlatformModuleOptions => ({
    components: [{ platform: 'wechat', appId: 'wx1', appSecret: SECRET, token: TOKEN, encodingAesKey: KEY }],
  });

  it('applies every default to a minimal config', () => {
    const r = resolveOptions(base(), defaultsFor);
    expect(r.routePrefix).toBe('open-platform');
    expect(r.refresh).toEqual({ enabled: 'auto', intervalMs: 60_000, marginSeconds: 300, concurrency: 8 });
    expect(r.refresh).toEqual(DEFAULT_REFRESH);
    expect(r.httpTimeoutMs).toBe(DEFAULT_HTTP_TIMEOUT_MS);
    expect(r.httpTimeoutMs).toBe(10_000);
    expect(r.unknownAuthorizerTtlMs).toBe(DEFAULT_UNKNOWN_AUTHORIZER_TTL_MS);
    expect(r.unknownAuthorizerTtlMs).toBe(60_000);
    expect(r.redis).toBeUndefined();
    expect(r.publicBaseUrl).toBeUndefined();
    expect([...r.components.keys()]).toEqual(['wx1']);
    expect(r.components.get('wx1')).toEqual({ ...base().components[0], ...WECHAT_DEFAULTS });
  });

  it('keys components by appId and applies per-platform defaults', () => {
    const opts = base();
    opts.components.push({
      platform: 'douyin',
      appId: 'tt1',
      appSecret: 's',
      token: 't',
      encodingAesKey: KEY,
      apiVersion: 'v1',
    });
    const r = resolveOptions(opts, defaultsFor);
    expect(r.components.get('tt1')?.apiBaseUrl).toBe('https://douyin.example/v1'); // trailing slash of the default stripped too
    expect(r.components.get('tt1')?.authorizePageUrl).toBe('https://douyin.example/auth');
    expect(r.components.get('wx1')?.apiBaseUrl).toBe('https://api.weixin.qq.com');
  });

  it('apiOrigins: accepted as origins (a trailing slash, a port), resolved to normalized origins', () => {
    const input = options({
      components: [
        component({ apiOrigins: ['https://GW.example.com/', 'http://127.0.0.1:8080', 'https://gw2.example.com:443'] }),
      ],
    });
    expect(() => validateOptions(input)).not.toThrow();
    const r = resolveOptions(validateOptions(input), () => ({
      apiBaseUrl: 'https://api.weixin.qq.com',
      authorizePageUrl: 'https://p',
    }));
    expect(r.components.get('wx-component-1')?.apiOrigins).toEqual([
      'https://gw.example.com',
      'http://127.0.0.1:8080',
      'https://gw2.example.com',
    ]);
  });

  it('strips trailing slashes from apiBaseUrl and publicBaseUrl, keeps explicit values', () => {
    const opts = base();
    opts.components[0].apiBaseUrl = 'http://127.0.0.1:3000//';
    opts.components[0].authorizePageUrl = 'http://127.0.0.1:3000/login';
    opts.publicBaseUrl = 'https://api.example.com/';
    opts.routePrefix = 'custom/prefix';
    opts.httpTimeoutMs = 2500;
    opts.unknownAuthorizerTtlMs = 0;
    const r = resolveOptions(opts, defaultsFor);
    expect(r.components.get('wx1')?.apiBaseUrl).toBe('http://127.0.0.1:3000');
    expect(r.components.get('wx1')?.authorizePageUrl).toBe('http://127.0.0.1:3000/login');
    expect(r.publicBaseUrl).toBe('https://api.example.com');
    expect(r.routePrefix).toBe('custom/prefix');
    expect(r.httpTimeoutMs).toBe(2500);
    expect(r.unknownAuthorizerTtlMs).toBe(0); // an explicit 0 (disabled) is kept, not defaulted
  });

  it('merges partial refresh options over the defaults', () => {
    const r = resolveOptions({ ...base(), refresh: { marginSeconds: 0, enabled: true } }, defaultsFor);
    expect(r.refresh).toEqual({ enabled: true, intervalMs: 60_000, marginSeconds: 0, concurrency: 8 });
  });

  it("defaults the redis keyPrefix to 'op' and keeps an explicit one", () => {
    expect(resolveOptions({ ...base(), redis: { url: REDIS_URL } }, defaultsFor).redis).toEqual({
      url: REDIS_URL,
      keyPrefix: 'op',
    });
    expect(resolveOptions({ ...base(), redis: { url: REDIS_URL, keyPrefix: 'app1' } }, defaultsFor).redis).toEqual({
      url: REDIS_URL,
      keyPrefix: 'app1',
    });
  });

  it('treats explicitly undefined optional values as absent (env-driven configs)', () => {
    const opts: OpenPlatformModuleOptions = {
      ...base(),
      routePrefix: undefined,
      httpTimeoutMs: undefined,
      unknownAuthorizerTtlMs: undefined,
      redis: { url: REDIS_URL, keyPrefix: undefined },
      refresh: { enabled: undefined, intervalMs: undefined, marginSeconds: undefined, concurrency: undefined },
    };
    expect(() => validateOptions(opts)).not.toThrow();
    const r = resolveOptions(opts, defaultsFor);
    expect(r.refresh).toEqual({ enabled: 'auto', intervalMs: 60_000, marginSeconds: 300, concurrency: 8 });
    expect(r.redis).toEqual({ url: REDIS_URL, keyPrefix: 'op' });
    expect(r.routePrefix).toBe('open-platform');
    expect(r.httpTimeoutMs).toBe(10_000);
    expect(r.unknownAuthorizerTtlMs).toBe(60_000);
  });

  it('does not mutate the options it was given', () => {
    const opts = base();
    opts.components[0].apiBaseUrl = 'http://x/';
    const before = JSON.stringify(opts);
    resolveOptions(opts, defaultsFor);
    expect(JSON.stringify(opts)).toBe(before);
  });
});

describe('validateOptions: fleet mode and custom stores', () => {
  it('accepts storage.durable together with redis (durable data elsewhere, tokens and locks in Redis)', () => {
    const durable = new MemoryDurableStore();
    expect(() => validateOptions(options({ redis: { url: REDIS_URL }, storage: { durable } }))).not.toThrow();
  });

  it('never rebuilds an app-supplied store (a constructor that needs its arguments, private fields, nested instances)', () => {
    class DependentStore extends MemoryDurableStore {
      readonly #inner: { name: string };
      constructor(readonly dep: { client: { name: string } }) {
        super();
        this.#inner = dep.client; // throws if called without its argument
      }
      name(): string {
        return this.#inner.name;
      }
    }
    const durable = new DependentStore({ client: { name: 'pg' } });
    const cache = new CacheManagerTokenCache(createCache());
    expect(() => validateOptions(options({ storage: { durable } }))).not.toThrow();
    expect(() => validateOptions(options({ storage: { durable, cache } }))).not.toThrow();
    expect(durable.name()).toBe('pg');
  });

  it('refuses storage.cache together with redis: the fleet must share its tokens', () => {
    const cache = new CacheManagerTokenCache(createCache());
    const err = refusal(options({ redis: { url: REDIS_URL }, storage: { cache } }));
    expect(problems(err)).toEqual(['storage.cache: cannot be combined with redis (tokens are kept in Redis)']);
  });

  it('accepts the fleet tuning options within range and refuses them outside', () => {
    const tuned = { url: REDIS_URL, keyPrefix: 'op', localCacheMaxAgeMs: 0, lockLeaseMs: 1000 };
    expect(() => validateOptions(options({ redis: tuned }))).not.toThrow();
    const err = refusal(options({ redis: { url: REDIS_URL, localCacheMaxAgeMs: -1, lockLeaseMs: 999 } }));
    expect(pathsOf(err).sort()).toEqual(['redis.localCacheMaxAgeMs', 'redis.lockLeaseMs']);
  });
});
