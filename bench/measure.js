import { createClient } from '@keyv/redis';

/**
 * Measures `ours` against `baseline` in alternating batches (ours, baseline, ours, …) so that
 * drift on a shared machine hits both alike. Each batch awaits `batch` sequential calls.
 * Returns the median ops/s of each side, the median of the per-pair ratios and their quartiles.
 */
export async function compare(ours, baseline, { pairs = 31, batch = 2000, warmup = 3 } = {}) {
  const rate = async (fn) => {
    const start = process.hrtime.bigint();
    for (let j = 0; j < batch; j++) await fn();
    return (batch * 1e9) / Number(process.hrtime.bigint() - start);
  };
  const o = [];
  const b = [];
  const ratios = [];
  for (let i = 0; i < warmup + pairs; i++) {
    const ro = await rate(ours);
    const rb = await rate(baseline);
    if (i < warmup) continue;
    o.push(ro);
    b.push(rb);
    ratios.push(ro / rb);
  }
  // The spread: the quartiles of the per-pair ratios.
  return {
    ours: median(o),
    base: median(b),
    ratio: median(ratios),
    p25: quantile(ratios, 0.25),
    p75: quantile(ratios, 0.75),
  };
}

function median(values) {
  return quantile(values, 0.5);
}

function quantile(values, q) {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor((sorted.length - 1) * q + 0.5)];
}

/** One table: every row is { name, reading, target, met }. */
export function printTable(rows) {
  const lines = [['benchmark', 'reading', 'target', 'met']];
  for (const r of rows) lines.push([r.name, r.reading, r.target, r.met ? 'yes' : 'NO']);
  const widths = lines[0].map((_, i) => Math.max(...lines.map((l) => String(l[i]).length)));
  for (const [i, l] of lines.entries()) {
    console.log(l.map((c, j) => String(c).padEnd(widths[j])).join('  '));
    if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  }
}

/** Deletes a bench's keys (every key starting with `keyPrefix`) from the Redis at `url`. */
export async function deleteRedisKeys(url, keyPrefix) {
  const raw = createClient({ url });
  await raw.connect();
  const keys = [];
  for await (const key of raw.scanIterator({ MATCH: `${keyPrefix}*`, COUNT: 1000 })) keys.push(...[key].flat());
  if (keys.length) await raw.del(keys);
  raw.destroy();
}
