import { randomBytes } from 'node:crypto';
import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import {
  hashAdminPassword,
  OpenPlatformExceptionFilter,
  OpenPlatformModule,
  type ComponentOptions,
} from 'nest-open-platform';
import { FakeDouyinPlatform, FakeWeChatPlatform } from 'nest-open-platform/testing';
import { EmulatorModule, SAMPLE_COMPONENT, SAMPLE_DOUYIN_COMPONENT } from './emulator.module.js';
import { BusinessApis, ShopsController, ShopsService } from './shops.controller.js';
import { ShopBot } from './shop-bot.service.js';

const env = process.env;

/** A real component from the environment (`WECHAT_…` / `DOUYIN_…`), or undefined to use the emulator. */
function realComponent(platform: 'wechat' | 'douyin'): ComponentOptions | undefined {
  const prefix = platform.toUpperCase();
  const appId = env[`${prefix}_COMPONENT_APPID`];
  if (!appId) return undefined;
  return {
    platform,
    appId,
    appSecret: env[`${prefix}_COMPONENT_SECRET`] ?? '',
    token: env[`${prefix}_COMPONENT_TOKEN`] ?? '',
    encodingAesKey: env[`${prefix}_COMPONENT_AES_KEY`] ?? '',
  };
}

/** Whether the sample runs that platform against the in-process emulator (no real component set). */
export function useEmulator(platform: 'wechat' | 'douyin' = 'wechat'): boolean {
  return !realComponent(platform);
}

const emulated = useEmulator('wechat') || useEmulator('douyin');

/**
 * The operator console's login: basic auth with a password made at each start (main.ts prints it
 * once with the console's URL). A real app keeps only a scrypt hash in its configuration.
 */
export const CONSOLE_LOGIN = { username: 'ops', password: randomBytes(15).toString('base64url') };

@Module({
  imports: [
    // The app owns the scheduler; the module registers its renewal interval in it.
    ScheduleModule.forRoot(),
    OpenPlatformModule.forRootAsync({
      imports: emulated ? [EmulatorModule] : [],
      inject: emulated ? [FakeWeChatPlatform, FakeDouyinPlatform] : [],
      useFactory: async (wechat?: FakeWeChatPlatform, douyin?: FakeDouyinPlatform) => ({
        components: [
          realComponent('wechat') ?? {
            platform: 'wechat' as const,
            ...SAMPLE_COMPONENT,
            apiBaseUrl: wechat!.baseUrl,
            authorizePageUrl: wechat!.authorizePageUrl,
          },
          realComponent('douyin') ?? {
            platform: 'douyin' as const,
            ...SAMPLE_DOUYIN_COMPONENT,
            apiBaseUrl: douyin!.baseUrl,
            authorizePageUrl: douyin!.authorizePageUrl,
          },
        ],
        publicBaseUrl: env.PUBLIC_BASE_URL,
        // The emulators' tokens live seconds (see EmulatorModule): tick every second to show renewal.
        refresh: emulated ? { enabled: true, intervalMs: 1000 } : { enabled: true },
        // The admin API and the console at /open-platform/console, behind basic auth.
        admin: {
          enabled: true,
          basicAuth: {
            username: CONSOLE_LOGIN.username,
            passwordHash: await hashAdminPassword(CONSOLE_LOGIN.password),
          },
        },
      }),
    }),
  ],
  controllers: [ShopsController],
  providers: [
    ShopsService,
    ShopBot,
    { provide: APP_FILTER, useClass: OpenPlatformExceptionFilter },
    {
      provide: BusinessApis,
      inject: emulated ? [FakeWeChatPlatform, FakeDouyinPlatform] : [],
      useFactory: (wechat?: FakeWeChatPlatform, douyin?: FakeDouyinPlatform): BusinessApis => ({
        wechat: useEmulator('wechat') ? wechat!.baseUrl : 'https://api.weixin.qq.com',
        douyin: useEmulator('douyin') ? douyin!.baseUrl : 'https://open.douyin.com',
      }),
    },
  ],
})
export class AppModule {}
