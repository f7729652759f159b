import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { Controller, Get, Injectable, Module, Param } from '@nestjs/common';
import { firstValueFrom, map, type Observable } from 'rxjs';
import { AsAuthorizer, OpenPlatformHttpService } from '../lib/index.js';
import { COMPONENT_A } from './support/fixtures.js';
import { startHarness, type Harness } from './support/harness.js';

const A = COMPONENT_A.appId;
const SHOPS = ['wx_scope_0', 'wx_scope_1', 'wx_scope_2'];
type Basic = { errcode: number; appid?: string };
const basicUrl = () => `${process.env.FAKE_BASE_URL}/cgi-bin/account/getaccountbasicinfo`;
const later = () => new Promise((r) => setTimeout(r, 5));

@Injectable()
class ScopedCalls {
  constructor(private readonly http: OpenPlatformHttpService) {}

  /** Returns a cold Observable: nothing is sent until someone subscribes. */
  @AsAuthorizer((appId: string) => appId)
  basic$(_appId: string): Observable<Basic> {
    return this.http.get<Basic>(basicUrl()).pipe(map((r) => r.data));
  }

  /** Each step sends a request, with timers in between, driven by the consumer's next(). */
  @AsAuthorizer((appId: string) => appId)
  async *pages(appId: string, count: number): AsyncGenerator<Basic> {
    for (let i = 0; i < count; i++) {
      await later();
      yield (await firstValueFrom(this.http.get<Basic>(basicUrl()))).data;
    }
  }
}

@Controller('scoped')
class ScopedController {
  constructor(private readonly http: OpenPlatformHttpService) {}

  /** The idiomatic form: Nest subscribes to the Observable after the method returned. */
  @Get(':appId/basic')
  @AsAuthorizer((appId: string) => appId)
  basic(@Param('appId') _appId: string): Observable<Basic> {
    return this.http.get<Basic>(basicUrl()).pipe(map((r) => r.data));
  }
}

@Module({ controllers: [ScopedController], providers: [ScopedCalls] })
class ScopedModule {}

describe('@AsAuthorizer with Observables and async iterables (e2e over loopback HTTP)', () => {
  let h: Harness;
  let calls: ScopedCalls;

  beforeAll(async () => {
    h = await startHarness({ singleComponent: true, options: { isGlobal: true }, imports: [ScopedModule] });
    process.env.FAKE_BASE_URL = h.fake.baseUrl;
    calls = h.app.get(ScopedCalls);
    await h.fake.pushTicket(h.eventsUrl(), A);
    for (const appId of SHOPS) await h.fake.authorize({ componentAppId: A, authorizerAppId: appId });
    await h.fake.settle();
  });
  afterAll(() => h?.close());
  beforeEach(() => h.fake.resetCalls());

  /** Every business call the platform accepted was made with the token of the authorizer it named. */
  function expectCallsAs(appId: string, count: number): void {
    const made = h.fake.businessCalls();
    expect(made).toHaveLength(count);
    for (const c of made) {
      expect(c.authorizerAppId).toBe(appId);
      expect(h.fake.authorizerOfToken(c.token)).toBe(appId);
    }
  }

  it('a controller method returning this.http.get(…).pipe(…): the token is sent', async () => {
    const res = await fetch(`${h.url}/scoped/wx_scope_1/basic`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(expect.objectContaining({ errcode: 0, appid: 'wx_scope_1' }));
    expectCallsAs('wx_scope_1', 1);
  });

  it('concurrent controller requests for different authorizers each get their own token', async () => {
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        fetch(`${h.url}/scoped/${SHOPS[i % 3]}/basic`).then((r) => r.json() as Promise<Basic>),
      ),
    );
    answers.forEach((a, i) => expect(a).toMatchObject({ errcode: 0, appid: SHOPS[i % 3] }));
    expect(h.fake.calls('getaccountbasicinfo')).toBe(30);
  });

  it('a service Observable subscribed later, outside any scope, still acts as the authorizer', async () => {
    const basic$ = calls.basic$('wx_scope_2');
    expect(h.fake.calls('getaccountbasicinfo')).toBe(0); // cold: nothing sent yet
    const result = await new Promise<Basic>((resolve, reject) =>
      setTimeout(() => void firstValueFrom(basic$).then(resolve, reject), 10),
    );
    expect(result).toMatchObject({ errcode: 0, appid: 'wx_scope_2' });
    // Subscribed again: a second request, in the same scope.
    expect(await firstValueFrom(basic$)).toMatchObject({ errcode: 0, appid: 'wx_scope_2' });
    expectCallsAs('wx_scope_2', 2);
  });

  it('an async generator method: every step acts as the authorizer', async () => {
    const pages = calls.pages('wx_scope_0', 3);
    await later(); // consumed outside any scope, after a timer
    const got: Basic[] = [];
    for await (const page of pages) got.push(page);
    expect(got).toEqual(Array(3).fill(expect.objectContaining({ errcode: 0, appid: 'wx_scope_0' })));
    expectCallsAs('wx_scope_0', 3);
  });

  it('async generators for several authorizers, interleaved by hand, stay apart', async () => {
    const iterators = SHOPS.map((appId) => calls.pages(appId, 2));
    const got: Array<Basic | undefined> = [];
    for (let step = 0; step < 2; step++)
      for (const it of iterators) got.push((await it.next()).value as Basic | undefined);
    expect(got.map((b) => b?.appid)).toEqual([...SHOPS, ...SHOPS]);
    for (const it of iterators) expect(await it.next()).toEqual({ done: true, value: undefined });
  });

  it('breaking out of the loop early ends the generator cleanly', async () => {
    for await (const page of calls.pages('wx_scope_1', 5)) {
      expect(page).toMatchObject({ errcode: 0 });
      break;
    }
    expectCallsAs('wx_scope_1', 1);
  });
});
