// A TypeScript 5 app compiled as CommonJS with classic "node" module resolution (which ignores
// package.json "exports"): both entry points and the axios config augmentation must type-check.
import { Injectable, Module } from '@nestjs/common';
import {
  AsAuthorizer,
  OpenPlatformError,
  OpenPlatformHttpService,
  OpenPlatformModule,
  TokenService,
  type AuthorizerInfo,
  type OpenPlatformModuleOptions,
} from 'nest-open-platform';
import { FakeWeChatPlatform } from 'nest-open-platform/testing';

const options: OpenPlatformModuleOptions = {
  components: [
    {
      platform: 'wechat',
      appId: 'wx_component',
      appSecret: 'secret',
      token: 'token',
      encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
    },
  ],
};

@Injectable()
export class ShopService {
  constructor(
    private readonly tokens: TokenService,
    private readonly http: OpenPlatformHttpService,
  ) {}

  async info(appId: string): Promise<AuthorizerInfo | undefined> {
    return this.tokens.getAuthorizer(appId);
  }

  @AsAuthorizer((appId: string) => appId)
  async basic(appId: string): Promise<unknown> {
    const res = await this.http.axiosRef.get('https://api.weixin.qq.com/cgi-bin/account/getaccountbasicinfo', {
      authorizerAppId: appId,
    });
    return res.data;
  }
}

@Module({ imports: [OpenPlatformModule.forRoot(options)], providers: [ShopService] })
export class AppModule {}

export const emulator: FakeWeChatPlatform = new FakeWeChatPlatform({ components: [options.components[0]] });
export const isLibraryError = (e: unknown): boolean => e instanceof OpenPlatformError;
