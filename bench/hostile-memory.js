// Memory under hostile load: the e2e suites' hostile requests (both platforms' events routes and
// their authorize routes; bench/hostile-cases.js) in rounds against an app in a child process
// (bench/hostile-app.js), whose RSS and heap after a full GC are read before and after each round.
// A bounded app plateaus after the first round: what round 3 adds over round 2 is noise.
import { fork } from 'node:child_process';
import { loadHostileSupport } from './hostile-cases.js';
import { printTable } from './measure.js';

const MiB = 2 ** 20;

function startApp(components, nowMs) {
  const child = fork(new URL('./hostile-app.js', import.meta.url), {
    execArgv: ['--expose-gc'],
    env: { ...process.env, BENCH_HOSTILE: JSON.stringify({ components, nowMs }) },
  });
  let next = 0;
  const pending = new Map();
  let onReady;
  const ready = new Promise((r) => (onReady = r));
  child.on('exit', (code) => {
    if (code) throw new Error(`the hostile-load app exited with ${code}`);
  });
  child.on('message', (m) => {
    if (m.ready) return onReady(m.ready);
    pending.get(m.id)?.(m.result);
    pending.delete(m.id);
  });
  const call = (op) =>
    new Promise((resolve) => {
      const id = next++;
      pending.set(id, resolve);
      child.send({ id, op });
    });
  return { ready, call };
}

/** One round's requests: the suites' generated push cases for each platform, then the route cases. */
function roundCases(s, routesUrl, perPlatform, nowS) {
  const wechat = s.generateCases({ rng: new s.Prng(0x5eed2024), nowS, routesUrl }, perPlatform);
  const douyin = s.generateDouyinCases({ rng: new s.Prng(0xd0071e), nowS, routesUrl, adapter: 'express' }, perPlatform);
  const routes = [
    ...s.routeQueryCases('auth_code', 'wx').map(([route, , query]) => [s.COMPONENT_A.appId, route, query]),
    ...s
      .routeQueryCases('authorization_code', 'tt')
      .map(([route, , query]) => [s.DOUYIN_COMPONENT.appId, route, query]),
  ].map(([appId, route, query]) => ({
    name: `GET ${route}`,
    request: { url: `${routesUrl}/${appId}/${route}?${query}`, method: 'GET' },
    expect: [400, 404, 414, 431],
  }));
  return [...wechat, ...douyin, ...routes];
}

export async function hostileMemoryBenchmarks({ rounds = 3, perPlatform = 2_200, concurrency = 16 } = {}) {
  const s = await loadHostileSupport();
  const components = [
    { platform: 'wechat', ...s.COMPONENT_A },
    { platform: 'wechat', ...s.COMPONENT_B },
    { platform: 'douyin', apiVersion: 'v2', ...s.DOUYIN_COMPONENT },
  ];
  const nowS = Math.floor(Date.now() / 1000);
  const app = startApp(components, nowS * 1000);
  const routesUrl = await app.ready;
  const cases = roundCases(s, routesUrl, perPlatform, nowS);
  const idle = await app.call('memory');
  const memory = [];
  let unexpected = 0;
  for (let round = 1; round <= rounds; round++) {
    const failures = await s.runHostileRound(cases, { seed: 0, round, concurrency });
    // Only answers that are not a refusal count here: which 4xx a case gets is the suites' business.
    unexpected += failures.filter((f) => !(f.status >= 400 && f.status < 500)).length;
    memory.push(await app.call('memory'));
    // A heap snapshot per round (in .tmp/) shows what is retained, if anything.
    if (process.env.BENCH_HOSTILE_SNAPSHOTS) console.error(`round ${round}: ${await app.call('snapshot')}`);
  }
  await app.call('stop');
  const mib = (values) => values.map((v) => (v / MiB).toFixed(0)).join(' → ');
  const growth = memory[rounds - 1].rss - memory[rounds - 2].rss;
  return [
    {
      name: `hostile load: RSS per round, ${rounds} rounds`,
      reading:
        `RSS ${mib([idle.rss])} idle, then ${mib(memory.map((m) => m.rss))} MiB (heap ${mib([idle.heapUsed])}, ` +
        `then ${mib(memory.map((m) => m.heapUsed))} MiB); round ${rounds - 1}→${rounds} ` +
        `${growth >= 0 ? '+' : ''}${(growth / MiB).toFixed(1)} MiB; ${(rounds * cases.length).toLocaleString('en')} ` +
        `requests, ${unexpected} not refused with a 4xx`,
      target: `round ${rounds - 1}→${rounds} ≤ 5 MiB, every answer a 4xx`,
      met: growth <= 5 * MiB && unexpected === 0,
    },
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  printTable(await hostileMemoryBenchmarks());
  process.exit(0);
}
