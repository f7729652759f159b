import { afterEach, describe, expect, it } from '@jest/globals';
import { getManual, merchantAuthorizes } from './support/authorize-flow.js';
import { COMPONENT_A } from './support/fixtures.js';
import { ADAPTERS, startHarness, type Harness, type HttpAdapterName } from './support/harness.js';
import { PathProxy } from './support/path-proxy.js';

const A = COMPONENT_A.appId;

interface Case {
  adapter: HttpAdapterName;
  globalPrefix?: string;
  /** Serve the app behind a reverse proxy at this path and configure `publicBaseUrl` to it. */
  proxyPath?: string;
}

const cases: Case[] = ADAPTERS.flatMap((adapter) => [
  { adapter },
  { adapter, globalPrefix: 'api' },
  { adapter, globalPrefix: 'api/v2' },
  { adapter, globalPrefix: 'api', proxyPath: '/edge' },
  { adapter, proxyPath: '/gateway/app' },
]);

describe.each(cases)('authorize flow: %o', ({ adapter, globalPrefix, proxyPath }) => {
  let h: Harness | undefined;
  let proxy: PathProxy | undefined;
  afterEach(async () => {
    await h?.fake.settle();
    await h?.close();
    await proxy?.stop();
    h = proxy = undefined;
  });

  async function start(): Promise<Harness> {
    if (proxyPath) {
      proxy = new PathProxy(proxyPath);
      await proxy.start();
    }
    h = await startHarness({
      adapter,
      globalPrefix,
      singleComponent: true,
      options: proxy ? { publicBaseUrl: proxy.url } : {},
    });
    if (proxy) proxy.target = h.url;
    await h.fake.pushTicket(h.eventsUrl(), A);
    return h;
  }

  it('…/authorize → platform page → …/authorized 200 JSON; redirect_uri is the path the app serves', async () => {
    const h = await start();
    const flow = await merchantAuthorizes(h, 'wx_merchant_prefix');
    expect(flow).toMatchObject({ status: 200, body: { authorizerAppId: 'wx_merchant_prefix', status: 'active' } });
    const servedPath = `${globalPrefix ? `/${globalPrefix}` : ''}/open-platform/${A}/authorized`;
    const expected = proxy ? `${proxy.url}${servedPath}` : `${h.url}${servedPath}`;
    expect(new URL(flow.pageUrl).searchParams.get('redirect_uri')).toBe(expected);
    expect(flow.redirectedTo.startsWith(`${expected}?`)).toBe(true);
    expect(h.fake.calls('api_query_auth')).toBe(1);
  });

  it('the query of …/authorize never leaks into redirect_uri', async () => {
    const h = await start();
    const start302 = await getManual(`${h.routesUrl}/${A}/authorize?auth_type=1&x=/evil#frag`);
    expect(start302.status).toBe(302);
    const redirectUri = new URL(start302.location!).searchParams.get('redirect_uri')!;
    expect(redirectUri.endsWith(`/open-platform/${A}/authorized`)).toBe(true);
    expect(redirectUri).not.toContain('evil');
  });
});
