import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { firstValueFrom } from 'rxjs';
import { OpenPlatformError, OpenPlatformErrorCode, OpenPlatformHttpService } from '../lib/index.js';
import { COMPONENT_A } from './support/fixtures.js';
import { startHarness, type Harness } from './support/harness.js';

const A = COMPONENT_A.appId;
const SHOP = 'wx_shop_shutdown';
/** Far longer than any test: the answer only comes if nothing aborts the call. */
const HOLD_MS = 60_000;

/** Waits (without a deadline of its own: jest's bounds it) until `condition` holds. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 5));
}

/** Records when `promise` settles, in the shared `order`, and keeps its rejection. */
function track(promise: Promise<unknown>, order: string[], name: string): Promise<unknown> {
  return promise.then(
    () => {
      order.push(`${name} resolved`);
      return undefined;
    },
    (err: unknown) => {
      order.push(`${name} rejected`);
      return err;
    },
  );
}

function expectShutdownError(err: unknown): void {
  expect(err).toBeInstanceOf(OpenPlatformError);
  expect(err).toMatchObject({ code: OpenPlatformErrorCode.TRANSPORT });
  expect((err as Error).message).toContain('shutting down');
}

describe('app.close() aborts upstream calls in flight (e2e over loopback HTTP)', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await startHarness({ singleComponent: true });
    await h.fake.pushTicket(h.eventsUrl(), A);
    await h.fake.authorize({ componentAppId: A, authorizerAppId: SHOP });
    await h.fake.settle();
  });
  afterEach(() => h.fake.stop()); // the app was closed by the test itself

  it('200 concurrent calls go through, then shutdown ends 20 held ones at once', async () => {
    {
      const http = h.app.get(OpenPlatformHttpService);
      const url = `${h.fake.baseUrl}/cgi-bin/account/getaccountbasicinfo`;
      const done = await Promise.all(
        Array.from({ length: 200 }, () => firstValueFrom(http.get(url, { authorizerAppId: SHOP }))),
      );
      expect(done.every((r) => (r.data as { errcode: number }).errcode === 0)).toBe(true);
      h.fake.delayNext('getaccountbasicinfo', HOLD_MS, 20);
      const held = Array.from({ length: 20 }, () =>
        firstValueFrom(http.get(url, { authorizerAppId: SHOP })).catch((e: unknown) => e),
      );
      await until(() => h.fake.calls('getaccountbasicinfo') === 220);
      await h.app.close();
      for (const err of await Promise.all(held)) expectShutdownError(err);
    }
  });

  it('a component token request held by the platform is rejected before close() resolves', async () => {
    h.fake.delayNext('api_component_token', HOLD_MS);
    h.fake.resetCalls();
    const order: string[] = [];
    const call = track(h.tokens.getComponentAccessToken(undefined, { forceRefresh: true }), order, 'call');
    await until(() => h.fake.calls('api_component_token') === 1); // in flight at the platform

    await h.app.close();
    order.push('closed');

    expect(order).toEqual(['call rejected', 'closed']);
    expectShutdownError(await call);
    // Afterwards, new calls fail the same way without reaching the platform.
    expectShutdownError(await track(h.tokens.getComponentAccessToken(undefined, { forceRefresh: true }), [], 'x'));
    expect(h.fake.calls('api_component_token')).toBe(1);
  });

  it('a business call through OpenPlatformHttpService is rejected before close() resolves', async () => {
    const http = h.app.get(OpenPlatformHttpService);
    const url = `${h.fake.baseUrl}/cgi-bin/account/getaccountbasicinfo`;
    h.fake.delayNext('getaccountbasicinfo', HOLD_MS, 2);
    h.fake.resetCalls();
    const order: string[] = [];
    const own = new AbortController(); // combined with the module's signal, not replaced by it
    const call = track(firstValueFrom(http.get(url, { authorizerAppId: SHOP, signal: own.signal })), order, 'call');
    const viaAxios = track(http.axiosRef.get(url, { authorizerAppId: SHOP }), order, 'axiosRef');
    await until(() => h.fake.calls('getaccountbasicinfo') === 2);

    await h.app.close();
    order.push('closed');

    expect(order.slice(-1)).toEqual(['closed']);
    expect(order.sort()).toEqual(['axiosRef rejected', 'call rejected', 'closed']);
    expectShutdownError(await call);
    expectShutdownError(await viaAxios);
    const after = await track(firstValueFrom(http.get(url, { authorizerAppId: SHOP })), [], 'after');
    expectShutdownError(after);
    expect(h.fake.calls('getaccountbasicinfo')).toBe(2);
  });

  it("the caller's own signal still cancels its request (not reported as a shutdown)", async () => {
    const http = h.app.get(OpenPlatformHttpService);
    h.fake.delayNext('getaccountbasicinfo', HOLD_MS);
    const own = new AbortController();
    const call = track(
      http.axiosRef.get(`${h.fake.baseUrl}/cgi-bin/account/getaccountbasicinfo`, {
        authorizerAppId: SHOP,
        signal: own.signal,
      }),
      [],
      'call',
    );
    await until(() => h.fake.calls('getaccountbasicinfo') === 1);
    own.abort();
    const err = await call;
    expect(err).toBeInstanceOf(OpenPlatformError);
    expect(err).toMatchObject({ code: OpenPlatformErrorCode.TRANSPORT, retryable: false });
    expect((err as Error).message).toContain('cancelled');
    await h.app.close();
  });
});
