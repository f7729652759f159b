// The app under hostile load, alone in its process so that its RSS is the module's (the load
// generator and its case tables live in the parent). Driven over IPC by bench/hostile-memory.js.
import 'reflect-metadata';
import { Test } from '@nestjs/testing';
import { writeHeapSnapshot } from 'node:v8';
import { OpenPlatformModule } from 'nest-open-platform';
// The module's clock, reached by path (not part of the package's exports).
import { Clock } from '../dist/clock/clock.js';

const { components, nowMs } = JSON.parse(process.env.BENCH_HOSTILE);
const moduleRef = await Test.createTestingModule({
  imports: [
    OpenPlatformModule.forRoot({
      // Hostile requests must not reach any platform: an address that answers nothing would show.
      components: components.map((c) => ({ ...c, apiBaseUrl: 'http://127.0.0.1:9' })),
      refresh: { enabled: false },
    }),
  ],
})
  // The cases are timed against one instant, as in the suites (whose clock stands still): replays
  // just outside the replay window must stay outside it however long the rounds take.
  .overrideProvider(Clock)
  .useValue({ now: () => nowMs })
  .compile();
const app = moduleRef.createNestApplication({ logger: false });
await app.listen(0, '127.0.0.1');
const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');

process.on('message', async ({ id, op }) => {
  let result;
  if (op === 'memory') {
    // Collected, then a pause: V8 unmaps freed pages on a background thread.
    globalThis.gc?.();
    await new Promise((r) => setTimeout(r, 500));
    globalThis.gc?.();
    await new Promise((r) => setTimeout(r, 500));
    result = process.memoryUsage();
  } else if (op === 'snapshot') {
    globalThis.gc?.();
    result = writeHeapSnapshot(`.tmp/hostile-${Date.now()}.heapsnapshot`);
  } else if (op === 'stop') {
    await app.close();
    process.send({ id, result: true }, () => process.exit(0));
    return;
  }
  process.send({ id, result });
});
process.send({ ready: `${url}/open-platform` });
