import { Global, Module, type OnModuleDestroy } from '@nestjs/common';
import { FakeWeChatPlatform } from 'nest-open-platform/testing';

/** The component the sample runs when no real platform is configured. */
export const SAMPLE_COMPONENT = {
  appId: 'wx_sample_component',
  appSecret: 'sample-secret',
  token: 'sample-token',
  encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
};

class EmulatorLifecycle implements OnModuleDestroy {
  constructor(private readonly fake: FakeWeChatPlatform) {}
  async onModuleDestroy(): Promise<void> {
    await this.fake.stop();
  }
}

/** Starts the WeChat emulator in process, on a free loopback port. */
@Global()
@Module({
  providers: [
    {
      provide: FakeWeChatPlatform,
      useFactory: async () => {
        const fake = new FakeWeChatPlatform({ components: [SAMPLE_COMPONENT] });
        await fake.start();
        return fake;
      },
    },
    {
      provide: EmulatorLifecycle,
      inject: [FakeWeChatPlatform],
      useFactory: (f: FakeWeChatPlatform) => new EmulatorLifecycle(f),
    },
  ],
  exports: [FakeWeChatPlatform],
})
export class EmulatorModule {}
