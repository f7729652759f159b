// An ESM Nest app importing the built package by name (resolved through package.json "exports").
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { OpenPlatformModule, TokenService, MessageCrypto } from 'nest-open-platform';
import { FakeWeChatPlatform } from 'nest-open-platform/testing';
import fixture from './fixture.cjs';

class AppModule {}
Module({ imports: [OpenPlatformModule.forRoot({ components: [fixture.componentOptions] })] })(AppModule);
const app = await NestFactory.create(AppModule, { logger: false });
await app.init();
const tokens = app.get(TokenService);
await app.close();
process.stdout.write(
  JSON.stringify({
    format: 'esm',
    module: typeof OpenPlatformModule.forRoot,
    tokenService: typeof tokens.getComponentAccessToken,
    crypto: typeof MessageCrypto,
    emulator: typeof FakeWeChatPlatform,
  }),
);
