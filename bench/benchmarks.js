/** Each benchmark: our path against a bare baseline doing the same job, in one run. */
export const benchmarks = [
  (() => {
    const map = new Map();
    const lookup = async (key) => map.get(key);
    return {
      name: 'warm getComponentAccessToken',
      baselineName: 'async Map.get',
      target: 'reported (≥ 0.25 for authorizer tokens, issue #4)',
      setup: async ({ tokens, component }) => map.set(component.appId, await tokens.getComponentAccessToken(component.appId)),
      ours: ({ tokens, component }) => tokens.getComponentAccessToken(component.appId),
      baseline: ({ component }) => lookup(component.appId),
    };
  })(),
];
