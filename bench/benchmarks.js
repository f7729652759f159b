import axios from 'axios';
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
  {
    name: 'GET via OpenPlatformHttpService (token injected)',
    baselineName: 'bare axios, token in params',
    // The overhead is a few percent of a loopback round trip, within the noise of a few pairs:
    // many pairs, and the spread (quartiles of the per-pair figures) printed with the median.
    options: { batch: 200, pairs: 101 },
    setup: async (ctx) => {
      ctx.bare = axios.create();
      ctx.token = await ctx.tokens.getAuthorizerAccessToken(ctx.authorizer);
    },
    ours: (ctx) => ctx.http.axiosRef.get(ctx.echoUrl, { authorizerAppId: ctx.authorizer }),
    baseline: (ctx) => ctx.bare.get(ctx.echoUrl, { params: { access_token: ctx.token } }),
    judge: (ratio, r) => {
      const added = (x) => ((1 / x - 1) * 100).toFixed(1); // extra time per call relative to the bare call
      return {
        reading: `interceptor adds ${added(ratio)}% per call [quartiles ${added(r.p75)}% – ${added(r.p25)}%, 101 pairs]`,
        target: '< 5%',
        met: 1 / ratio - 1 < 0.05,
      };
    },
  },
];

benchmarks.push(...cryptoBenchmarks);
