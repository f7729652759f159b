// A CommonJS Nest app importing the built package by name (resolved through package.json "exports").
require('reflect-metadata');
const { Module } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');
const { OpenPlatformModule, TokenService, MessageCrypto } = require('nest-open-platform');
const { FakeWeChatPlatform } = require('nest-open-platform/testing');
const { componentOptions } = require('./fixture.cjs');

async function main() {
  class AppModule {}
  Module({ imports: [OpenPlatformModule.forRoot({ components: [componentOptions] })] })(AppModule);
  const app = await NestFactory.create(AppModule, { logger: false });
  await app.init();
  const tokens = app.get(TokenService);
  await app.close();
  process.stdout.write(
    JSON.stringify({
      format: 'cjs',
      module: typeof OpenPlatformModule.forRoot,
      tokenService: typeof tokens.getComponentAccessToken,
      crypto: typeof MessageCrypto,
      emulator: typeof FakeWeChatPlatform,
    }),
  );
}
main().catch((err) => {
  console.error(err);
  process.exit(1);
});
