import { cryptoBenchmarks } from './crypto.js';

/**
 * Each benchmark runs our path against a bare baseline doing the same job, in one run.
 * `judge(ratio)` turns the ratio into a reading and says whether the target is met.
 */
export const benchmarks = [
  {
    name: 'warm getAuthorizerAccessToken',
    baselineName: 'async Map.get',
    options: { batch: 5000 },
    setup: async (ctx) => {
      ctx.map = new Map([[ctx.authorizer, await ctx.tokens.getAuthorizerAccessToken(ctx.authorizer)]]);
      ctx.lookup = async (key) => ctx.map.get(key);
    },
    ours: (ctx) => ctx.tokens.getAuthorizerAccessToken(ctx.authorizer),
    baseline: (ctx) => ctx.lookup(ctx.authorizer),
    judge: (ratio) => ({
      reading: `${(ratio * 100).toFixed(0)}% of baseline rate`,
      target: '≥ 25%',
      met: ratio >= 0.25,
    }),
  },
  {
    name: 'warm getComponentAccessToken',
    baselineName: 'async Map.get',
    options: { batch: 5000 },
    setup: async (ctx) => {
      ctx.cmap = new Map([[ctx.component.appId, await ctx.tokens.getComponentAccessToken()]]);
      ctx.clookup = async (key) => ctx.cmap.get(key);
    },
    ours: (ctx) => ctx.tokens.getComponentAccessToken(),
    baseline: (ctx) => ctx.clookup(ctx.component.appId),
    judge: (ratio) => ({
      reading: `${(ratio * 100).toFixed(0)}% of baseline rate`,
      target: '≥ 25%',
      met: ratio >= 0.25,
    }),
  },
];

benchmarks.push(...cryptoBenchmarks);
