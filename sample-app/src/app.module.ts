import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { OpenPlatformModule } from 'nest-open-platform';
import { FakeDouyinPlatform, FakeWeChatPlatform } from 'nest-open-platform/testing';
import { EmulatorModule, SAMPLE_COMPONENT, SAMPLE_DOUYIN_COMPONENT } from './emulator.module.js';

/**
 * With WECHAT_COMPONENT_APPID (and _SECRET, _TOKEN, _AES_KEY) set, the sample runs that real
 * component; without, it runs against the in-process emulator.
 */
export function useEmulator(): boolean {
  return !process.env.WECHAT_COMPONENT_APPID;
}

@Module({
  imports: [
    // The app owns the scheduler; the module registers its renewal interval in it.
    ScheduleModule.forRoot(),
    OpenPlatformModule.forRootAsync({
      imports: useEmulator() ? [EmulatorModule] : [],
      inject: useEmulator() ? [FakeWeChatPlatform, FakeDouyinPlatform] : [],
      useFactory: (fake?: FakeWeChatPlatform, douyin?: FakeDouyinPlatform) => ({
        components: [
          ...(douyin
            ? [
                {
                  platform: 'douyin' as const,
                  ...SAMPLE_DOUYIN_COMPONENT,
                  apiBaseUrl: douyin.baseUrl,
                  authorizePageUrl: douyin.authorizePageUrl,
                },
              ]
            : []),
          fake
            ? {
                platform: 'wechat' as const,
                ...SAMPLE_COMPONENT,
                apiBaseUrl: fake.baseUrl,
                authorizePageUrl: fake.authorizePageUrl,
              }
            : {
                platform: 'wechat' as const,
                appId: process.env.WECHAT_COMPONENT_APPID ?? '',
                appSecret: process.env.WECHAT_COMPONENT_SECRET ?? '',
                token: process.env.WECHAT_COMPONENT_TOKEN ?? '',
                encodingAesKey: process.env.WECHAT_COMPONENT_AES_KEY ?? '',
              },
        ],
        publicBaseUrl: process.env.PUBLIC_BASE_URL,
        // The emulator's tokens live seconds (see EmulatorModule): tick every second to show renewal.
        refresh: useEmulator() ? { enabled: true, intervalMs: 1000 } : { enabled: true },
      }),
    }),
  ],
})
export class AppModule {}
