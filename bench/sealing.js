// Sealed at rest (storage.encryptionKey): the warm path of a sealed app against a plain one, and
// what sealing adds to a refresh (one AES-256-GCM open of the stored refresh token and one seal of
// the new record) against the refresh itself, both measured in this run.
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { randomBytes } from 'node:crypto';
import { MemoryDurableStore, OpenPlatformModule, SealedDurableStore, TokenService } from 'nest-open-platform';
import { FakeWeChatPlatform } from 'nest-open-platform/testing';
import { compare } from './measure.js';

const components = ['wx_bench_plain', 'wx_bench_sealed'].map((appId) => ({
  appId,
  appSecret: 'bench-secret',
  token: 'bench-token',
  encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
}));

async function start(fake, component, storage) {
  class AppModule {}
  Module({
    imports: [
      OpenPlatformModule.forRoot({
        components: [{ platform: 'wechat', ...component, apiBaseUrl: fake.baseUrl }],
        refresh: { enabled: false },
        storage,
      }),
    ],
  })(AppModule);
  const app = await NestFactory.create(AppModule, { logger: false });
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  await fake.pushTicket(`${url}/open-platform/${component.appId}/events`, component.appId);
  const shop = `${component.appId}_shop`;
  const { authorizationCode } = await fake.authorize({ componentAppId: component.appId, authorizerAppId: shop });
  const tokens = app.get(TokenService);
  await tokens.exchangeAuthorizationCode(authorizationCode, component.appId);
  return { app, tokens, shop };
}

export async function sealingBenchmarks() {
  const fake = new FakeWeChatPlatform({ components });
  await fake.start();
  const encryptionKey = randomBytes(32).toString('base64');
  const plain = await start(fake, components[0], {});
  const sealed = await start(fake, components[1], { encryptionKey });
  const rows = [];

  const warm = await compare(
    () => sealed.tokens.getAuthorizerAccessToken(sealed.shop),
    () => plain.tokens.getAuthorizerAccessToken(plain.shop),
  );
  rows.push({
    name: 'warm getAuthorizerAccessToken, sealed store vs plain store',
    reading: `${(warm.ratio * 100).toFixed(0)}% (${warm.ours.toFixed(0)} vs ${warm.base.toFixed(0)} ops/s)`,
    target: '≥ 95% (tokens stay in memory: no seal on the warm path)',
    met: warm.ratio >= 0.95,
  });

  // A refresh over loopback, and the sealing work a refresh adds, measured alike.
  const refresh = await compare(
    () => sealed.tokens.getAuthorizerAccessToken(sealed.shop, { forceRefresh: true }),
    async () => undefined,
    { pairs: 11, batch: 40, warmup: 2 },
  );
  // The same write and read of a record with and without sealing: the difference is what sealing adds.
  const sealedStore = new SealedDurableStore(new MemoryDurableStore(), encryptionKey);
  const plainStore = new MemoryDurableStore();
  const record = {
    componentAppId: components[1].appId,
    authorizerAppId: sealed.shop,
    status: 'active',
    refreshToken: `refreshtoken@@@${randomBytes(24).toString('base64')}`,
    updatedAt: Date.now(),
  };
  const key = `wechat:${components[1].appId}:authorizer:${sealed.shop}`;
  const roundTrip = (store) => async () => {
    await store.set(key, record);
    await store.get(key);
  };
  const seal = await compare(roundTrip(sealedStore), roundTrip(plainStore), { pairs: 11, batch: 2000, warmup: 2 });
  const addedUs = Math.max(0, 1e6 / seal.ours - 1e6 / seal.base);
  const refreshUs = 1e6 / refresh.ours;
  const share = addedUs / refreshUs;
  rows.push({
    name: 'sealed refresh: what AES-GCM seal + open add to a refresh (loopback emulator)',
    reading: `${(share * 100).toFixed(2)}% (${addedUs.toFixed(1)} µs of ${(refreshUs / 1000).toFixed(2)} ms)`,
    target: '< 1%',
    met: share < 0.01,
  });

  await Promise.all([plain.app.close(), sealed.app.close()]);
  await fake.stop();
  return rows;
}
