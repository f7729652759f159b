/**
 * Runs `fn` in batches and returns the median ops/s over the batches. Each batch awaits `batch`
 * sequential calls; medians of many batches resist the noise of a shared machine.
 */
export async function measure(fn, { batches = 31, batch = 2000, warmup = 3 } = {}) {
  const rates = [];
  for (let i = 0; i < warmup + batches; i++) {
    const start = process.hrtime.bigint();
    for (let j = 0; j < batch; j++) await fn();
    const ns = Number(process.hrtime.bigint() - start);
    if (i >= warmup) rates.push((batch * 1e9) / ns);
  }
  rates.sort((a, b) => a - b);
  return rates[Math.floor(rates.length / 2)];
}

export function printTable(rows) {
  const lines = [['benchmark', 'ours ops/s', 'baseline', 'baseline ops/s', 'ratio', 'target']];
  for (const r of rows) {
    lines.push([r.name, r.ours.toFixed(0), r.baseline, r.base.toFixed(0), (r.ours / r.base).toFixed(3), r.target ?? '']);
  }
  const widths = lines[0].map((_, i) => Math.max(...lines.map((l) => String(l[i]).length)));
  for (const [i, l] of lines.entries()) {
    console.log(l.map((c, j) => String(c).padEnd(widths[j])).join('  '));
    if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  }
}
