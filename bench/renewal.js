// Scheduled renewal benchmarks: the sweep (10,000 authorizers renewed by one tick) and the cost of
// a tick with nothing due at 100 vs 100,000 authorizers. The emulator runs in a child process.
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { fork } from 'node:child_process';
import { OpenPlatformModule, TokenService } from 'nest-open-platform';
// Internals, reached by path (not part of the package's exports): the tick and the index.
import { AuthorizerRenewals } from '../dist/authorizers/authorizer-renewals.js';
import { RenewalSweep } from '../dist/refresh/renewal-sweep.service.js';
import { compare, printTable } from './measure.js';

const component = {
  appId: 'wx_bench_renewal',
  appSecret: 'bench-secret',
  token: 'bench-token',
  encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
};

function startEmulator() {
  const child = fork(new URL('./emulator-process.js', import.meta.url), {
    env: { ...process.env, BENCH_COMPONENT: JSON.stringify(component) },
  });
  let next = 0;
  const pending = new Map();
  let onReady;
  const ready = new Promise((r) => (onReady = r));
  child.on('message', (m) => {
    if (m.ready) return onReady(m.ready);
    pending.get(m.id)?.(m.result);
    pending.delete(m.id);
  });
  const call = (op, args = {}) =>
    new Promise((resolve) => {
      const id = next++;
      pending.set(id, resolve);
      child.send({ id, op, args });
    });
  return { ready, call };
}

async function startApp(baseUrl) {
  class AppModule {}
  Module({
    imports: [
      ScheduleModule.forRoot(),
      OpenPlatformModule.forRoot({
        components: [{ platform: 'wechat', ...component, apiBaseUrl: baseUrl }],
        // The longest interval: its tick looks an hour ahead, so every 1 h token is due now. The
        // interval itself never fires during the run; the benchmark runs ticks itself.
        refresh: { enabled: true, intervalMs: 3_600_000 },
      }),
    ],
  })(AppModule);
  const app = await NestFactory.create(AppModule, { logger: false });
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return { app, eventsUrl: `${url}/open-platform/${component.appId}/events`, sweep: app.get(RenewalSweep) };
}

/** Runs a tick, waiting out the boot tick if it still runs. */
async function tick(sweep) {
  for (;;) {
    const report = await sweep.tick();
    if (report) return report;
    await new Promise((r) => setTimeout(r, 5));
  }
}

function heapAfterGc() {
  globalThis.gc?.();
  globalThis.gc?.();
  return process.memoryUsage().heapUsed;
}

/** Exchanges `count` authorization codes with bounded concurrency. */
async function onboard(emulator, tokens, prefix, count) {
  const codes = await emulator.call('codes', { prefix, count });
  let i = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (i < codes.length) await tokens.exchangeAuthorizationCode(codes[i++]);
    }),
  );
}

export async function renewalBenchmarks({ authorizers = 10_000, large = 100_000, small = 100 } = {}) {
  const emulator = startEmulator();
  const baseUrl = await emulator.ready;
  const rows = [];

  // The sweep: one tick renews every authorizer, against the emulator over loopback HTTP.
  const { app, eventsUrl, sweep } = await startApp(baseUrl);
  await emulator.call('ticket', { url: eventsUrl });
  const tokens = app.get(TokenService);
  await tokens.getComponentAccessToken();
  await tick(sweep);
  const heapBefore = heapAfterGc();
  const rssBefore = process.memoryUsage().rss;
  await onboard(emulator, tokens, 'wx_sweep_', authorizers);
  const heapOnboarded = heapAfterGc();
  const callsBefore = await emulator.call('calls', { endpoint: 'api_authorizer_token' });
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
  const started = process.hrtime.bigint();
  const report = await tick(sweep);
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  clearInterval(sampler);
  const upstream = (await emulator.call('calls', { endpoint: 'api_authorizer_token' })) - callsBefore;
  const heapAfter = heapAfterGc();
  const perAuthorizer = (Math.max(heapOnboarded, heapAfter) - heapBefore) / authorizers;
  rows.push(
    [
      'sweep: authorizers renewed by one tick',
      `${report.authorizers} (${report.failed} failed)`,
      `= ${authorizers}`,
      report.authorizers === authorizers && report.failed === 0,
    ],
    ['sweep: upstream refresh calls', String(upstream), `= ${authorizers}`, upstream === authorizers],
    [
      'sweep: wall time (concurrency 8)',
      `${(wallMs / 1000).toFixed(1)} s (${Math.round((authorizers / wallMs) * 1000)}/s)`,
      'measured',
      true,
    ],
    [
      'sweep: peak RSS',
      `${(peakRss / 2 ** 20).toFixed(0)} MiB (${((peakRss - rssBefore) / 2 ** 20).toFixed(0)} MiB over the idle app)`,
      'measured',
      true,
    ],
    [
      'sweep: memory per authorizer (heap, after GC)',
      `${(perAuthorizer / 1024).toFixed(2)} KB`,
      '< 2 KB',
      perAuthorizer < 2048,
    ],
  );
  await app.close();

  // An empty tick at 100 vs 100,000 indexed authorizers: their records and index entries are
  // written directly (due in two hours), so only the tick's own cost differs.
  const worlds = [];
  for (const count of [small, large]) {
    const world = await startApp(baseUrl);
    await emulator.call('ticket', { url: world.eventsUrl });
    await world.app.get(TokenService).getComponentAccessToken();
    const renewals = world.app.get(AuthorizerRenewals);
    const resolved = { ...component, platform: 'wechat' };
    const now = Date.now();
    for (let i = 0; i < count; i++) {
      const record = {
        componentAppId: component.appId,
        authorizerAppId: `wx_idle_${i}`,
        platform: 'wechat',
        status: 'active',
        permissions: [1],
        authorizedAt: now,
        updatedAt: now,
        refreshToken: `rt-${i}`,
      };
      await renewals.track(resolved, record, {
        accessToken: `at-${i}`,
        expiresIn: 7200,
        expiresAt: now + 7_200_000 + i,
      });
    }
    await tick(world.sweep); // the boot tick's component token work is done
    worlds.push(world);
  }
  const [few, many] = worlds;
  const r = await compare(
    () => tick(many.sweep),
    () => tick(few.sweep),
    { batch: 50, pairs: 31 },
  );
  rows.push([
    `empty tick: ${large.toLocaleString('en')} vs ${small} authorizers`,
    `${(1 / r.ratio).toFixed(2)}× the time (${(1e6 / r.ours).toFixed(0)} vs ${(1e6 / r.base).toFixed(0)} µs)`,
    '≈ 1',
    1 / r.ratio < 1.5,
  ]);
  for (const w of worlds) await w.app.close();
  await emulator.call('stop');
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  printTable((await renewalBenchmarks()).map(([name, reading, target, met]) => ({ name, reading, target, met })));
  process.exit(0);
}
