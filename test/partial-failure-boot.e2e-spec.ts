import { describe, expect, it } from '@jest/globals';
import { MemoryDurableStore } from '../lib/index.js';
import { CapturingLogger } from './support/capturing-logger.js';
import { startHarness, type HarnessOptions } from './support/harness.js';

// Issue #16 item 18: a durable store shared by several processes without `redis` gets per-process
// locks and caches; the module says so at boot, with the fix.

const WARNING = 'storage.durable is set without redis';

async function bootLines(options: HarnessOptions['options']): Promise<string[]> {
  const logger = new CapturingLogger();
  const h = await startHarness({ logger, options });
  await h.close();
  return logger.lines.filter((l) => l.level === 'warn').map((l) => l.message);
}

describe('boot warning: per-process locks with a shared durable store (e2e)', () => {
  it('storage.durable without redis: one warning naming the fix', async () => {
    const warnings = (await bootLines({ storage: { durable: new MemoryDurableStore() } })).filter((m) =>
      m.includes(WARNING),
    );
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('set redis');
  });

  it('no durable store of the app (memory only): no warning', async () => {
    expect((await bootLines({})).some((m) => m.includes(WARNING))).toBe(false);
  });

  it('storage.durable with redis: no warning', async () => {
    const redis = { url: 'redis://127.0.0.1:6379', keyPrefix: `pf-boot-${process.pid}` };
    expect(
      (await bootLines({ storage: { durable: new MemoryDurableStore() }, redis })).some((m) => m.includes(WARNING)),
    ).toBe(false);
  });
});
