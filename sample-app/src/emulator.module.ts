import { Global, Module, type OnModuleDestroy } from '@nestjs/common';
import { FakeDouyinPlatform, FakeWeChatPlatform } from 'nest-open-platform/testing';

/** The component the sample runs when no real platform is configured. */
export const SAMPLE_COMPONENT = {
  appId: 'wx_sample_component',
  appSecret: 'sample-secret',
  token: 'sample-token',
  encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
};

/** Token lifetimes of the emulators, in seconds: short, so the demo shows scheduled renewal. */
export const DEMO_TOKEN_SECONDS = 12;

/** The Douyin component the sample runs beside the WeChat one (API V2). */
export const SAMPLE_DOUYIN_COMPONENT = {
  appId: 'tt_sample_component',
  appSecret: 'sample-douyin-secret',
  token: 'sample-douyin-token',
  encodingAesKey: 'kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR',
};

class EmulatorLifecycle implements OnModuleDestroy {
  constructor(private readonly fakes: Array<{ stop(): Promise<void> }>) {}
  async onModuleDestroy(): Promise<void> {
    await Promise.all(this.fakes.map((f) => f.stop()));
  }
}

/** Starts the WeChat and Douyin emulators in process, each on a free loopback port. */
@Global()
@Module({
  providers: [
    {
      provide: FakeWeChatPlatform,
      useFactory: async () => {
        const fake = new FakeWeChatPlatform({
          components: [SAMPLE_COMPONENT],
          componentTokenExpiresIn: DEMO_TOKEN_SECONDS,
          authorizerTokenExpiresIn: DEMO_TOKEN_SECONDS,
        });
        await fake.start();
        return fake;
      },
    },
    {
      provide: FakeDouyinPlatform,
      useFactory: async () => {
        const fake = new FakeDouyinPlatform({
          apiVersion: 'v2',
          components: [SAMPLE_DOUYIN_COMPONENT],
          componentTokenExpiresIn: DEMO_TOKEN_SECONDS,
          authorizerTokenExpiresIn: DEMO_TOKEN_SECONDS,
        });
        await fake.start();
        return fake;
      },
    },
    {
      provide: EmulatorLifecycle,
      inject: [FakeWeChatPlatform, FakeDouyinPlatform],
      useFactory: (wechat: FakeWeChatPlatform, douyin: FakeDouyinPlatform) => new EmulatorLifecycle([wechat, douyin]),
    },
  ],
  exports: [FakeWeChatPlatform, FakeDouyinPlatform],
})
export class EmulatorModule {}
