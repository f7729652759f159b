import { describe, expect, it } from '@jest/globals';
import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  OpenPlatformModule,
  TokenService,
  OpenPlatformError,
  OpenPlatformErrorCode,
  type OpenPlatformModuleOptions,
  type OpenPlatformOptionsFactory,
} from '../lib/index.js';
import { COMPONENT_A } from './support/fixtures.js';

const valid: OpenPlatformModuleOptions = { components: [{ platform: 'wechat', ...COMPONENT_A }] };

/** A stand-in for @nestjs/config's ConfigService. */
@Injectable()
class SettingsService {
  readonly values: Record<string, string> = {
    APPID: COMPONENT_A.appId,
    SECRET: COMPONENT_A.appSecret,
    TOKEN: COMPONENT_A.token,
    AES: COMPONENT_A.encodingAesKey,
    PREFIX: 'from-config',
  };
  get(key: string): string {
    return this.values[key];
  }
}
@Module({ providers: [SettingsService], exports: [SettingsService] })
class SettingsModule {}

@Injectable()
class OptionsFactory implements OpenPlatformOptionsFactory {
  createOpenPlatformOptions(): OpenPlatformModuleOptions {
    return valid;
  }
}

async function boot(imports: unknown[], probe?: (app: import('@nestjs/common').INestApplication) => Promise<void>) {
  const moduleRef = await Test.createTestingModule({ imports: imports as never[] }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.listen(0, '127.0.0.1');
  try {
    await probe?.(app);
  } finally {
    await app.close();
  }
}

async function bootError(options: unknown): Promise<OpenPlatformError> {
  const err = await boot([OpenPlatformModule.forRoot(options as OpenPlatformModuleOptions)]).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(OpenPlatformError);
  expect((err as OpenPlatformError).code).toBe(OpenPlatformErrorCode.INVALID_OPTIONS);
  return err as OpenPlatformError;
}

async function routeStatus(app: import('@nestjs/common').INestApplication, path: string): Promise<number> {
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return (await fetch(url + path, { method: 'POST', body: '' })).status;
}

describe('OpenPlatformModule registration', () => {
  it('forRoot provides TokenService and mounts the events route under the default prefix', async () => {
    await boot([OpenPlatformModule.forRoot(valid)], async (app) => {
      expect(app.get(TokenService)).toBeInstanceOf(TokenService);
      expect(await routeStatus(app, `/open-platform/${COMPONENT_A.appId}/events`)).toBe(400);
      expect(await routeStatus(app, `/open-platform/wx_unknown/events`)).toBe(404);
    });
  });

  it('forRootAsync with useFactory + inject (ConfigService style), prefix from config', async () => {
    const module = OpenPlatformModule.forRootAsync({
      imports: [SettingsModule],
      inject: [SettingsService],
      useFactory: (s: SettingsService) => ({
        components: [
          {
            platform: 'wechat',
            appId: s.get('APPID'),
            appSecret: s.get('SECRET'),
            token: s.get('TOKEN'),
            encodingAesKey: s.get('AES'),
          },
        ],
        routePrefix: s.get('PREFIX'),
      }),
    });
    await boot([module], async (app) => {
      expect(app.get(TokenService)).toBeInstanceOf(TokenService);
      expect(await routeStatus(app, `/from-config/${COMPONENT_A.appId}/events`)).toBe(400);
      expect(await routeStatus(app, `/open-platform/${COMPONENT_A.appId}/events`)).toBe(404);
    });
  });

  it('forRootAsync with useClass', async () => {
    await boot([OpenPlatformModule.forRootAsync({ useClass: OptionsFactory })], async (app) => {
      expect(app.get(TokenService)).toBeInstanceOf(TokenService);
    });
  });

  it('forRootAsync with useExisting (a factory provided by an imported module)', async () => {
    @Module({ providers: [OptionsFactory], exports: [OptionsFactory] })
    class FactoryModule {}
    await boot(
      [OpenPlatformModule.forRootAsync({ imports: [FactoryModule], useExisting: OptionsFactory })],
      async (app) => {
        expect(app.get(TokenService)).toBeInstanceOf(TokenService);
        expect(await routeStatus(app, `/open-platform/${COMPONENT_A.appId}/events`)).toBe(400);
      },
    );
  });

  it('isGlobal makes TokenService injectable in modules that do not import it', async () => {
    @Injectable()
    class Consumer {
      constructor(readonly tokens: TokenService) {}
    }
    @Module({ providers: [Consumer] })
    class FeatureModule {}
    await boot([OpenPlatformModule.forRoot({ ...valid, isGlobal: true }), FeatureModule], async (app) => {
      expect(app.get(Consumer).tokens).toBeInstanceOf(TokenService);
    });
    const err = await boot([OpenPlatformModule.forRoot(valid), FeatureModule]).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(String(err)).toMatch(/TokenService/);
  });

  it('isGlobal works with forRootAsync too', async () => {
    @Injectable()
    class Consumer {
      constructor(readonly tokens: TokenService) {}
    }
    @Module({ providers: [Consumer] })
    class FeatureModule {}
    await boot(
      [OpenPlatformModule.forRootAsync({ useFactory: () => valid, isGlobal: true }), FeatureModule],
      async (app) => {
        expect(app.get(Consumer).tokens).toBeInstanceOf(TokenService);
      },
    );
  });

  describe('refuses to start on invalid options, naming the field, never the secret', () => {
    const component = valid.components[0];
    it.each([
      ['missing appSecret', { components: [{ ...component, appSecret: undefined }] }, 'components[0].appSecret'],
      ['short key', { components: [{ ...component, encodingAesKey: 'x'.repeat(42) }] }, 'components[0].encodingAesKey'],
      ['duplicate appId', { components: [component, { ...component }] }, 'components[1].appId'],
      ['unknown platform', { components: [{ ...component, platform: 'alipay' }] }, 'components[0].platform'],
      ['no components', { components: [] }, 'components'],
      ['bad routePrefix', { ...valid, routePrefix: '/leading' }, 'routePrefix'],
      ['unknown option', { ...valid, colour: 'blue' }, 'colour'],
    ])('%s', async (_name, options, field) => {
      const err = await bootError(options);
      expect(err.message).toContain(field);
      expect(err.message).not.toContain(COMPONENT_A.appSecret);
      expect(err.message).not.toContain(COMPONENT_A.encodingAesKey);
      expect(err.message).not.toContain(COMPONENT_A.token);
    });

    it('from forRootAsync as well', async () => {
      const err = await boot([
        OpenPlatformModule.forRootAsync({
          useFactory: () => ({ components: [{ ...component, encodingAesKey: 'short' }] }),
        }),
      ]).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(OpenPlatformError);
      expect((err as Error).message).toContain('components[0].encodingAesKey');
    });

    it('refresh.enabled: true in an app without ScheduleModule.forRoot() is refused, naming the fix', async () => {
      const err = await bootError({ ...valid, refresh: { enabled: true } });
      expect(err.message).toContain('refresh.enabled: true requires');
      expect(err.message).toContain('ScheduleModule.forRoot()');
    });
  });
});
