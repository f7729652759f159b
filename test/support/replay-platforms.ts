// One face over both emulators, so the replay suite states each rule once and runs it on WeChat,
// Douyin V2 and Douyin V1, on Express and on Fastify.
import { OpenPlatformEvents, type OpenPlatformEvent } from '../../lib/index.js';
import { DurableStore } from '../../lib/store/durable-store.js';
import { StoreKeys } from '../../lib/store/store-keys.js';
import type { FakeDouyinBuiltPush } from '../../lib/testing/index.js';
import { douyinDateTime, ticketMessage } from '../../lib/testing/douyin/douyin-push.js';
import { authorizationMessageXml, ticketMessageXml } from '../../lib/testing/wechat/wechat-push.js';
import type { FakeWeChatBuiltPush } from '../../lib/testing/wechat/fake-wechat.types.js';
import type { TicketRecord } from '../../lib/tickets/ticket.store.js';
import type { ManualClock } from './manual-clock.js';
import { DOUYIN_COMPONENT, startDouyinHarness } from './douyin-harness.js';
import { COMPONENT_A, DOUYIN_ENDPOINTS, WECHAT_ENDPOINTS } from './fixtures.js';
import { startHarness, type HttpAdapterName } from './harness.js';
import type { TokenService } from '../../lib/index.js';

/** A push as the platform sent it: the exact bytes, ready to be sent again. */
export type CapturedPush =
  { platform: 'wechat'; push: FakeWeChatBuiltPush } | { platform: 'douyin'; push: FakeDouyinBuiltPush };

export type Variant = 'wechat' | 'douyin-v2' | 'douyin-v1';

export interface ReplayPlatform {
  readonly variant: Variant;
  readonly componentAppId: string;
  readonly clock: ManualClock;
  readonly tokens: TokenService;
  /** Every event the module emitted since start. */
  readonly events: OpenPlatformEvent[];
  /** The platform clock, epoch seconds. */
  nowS(): number;
  /** Issues a ticket in the emulator (so its token endpoint accepts it) and builds its push, unsent. */
  ticketPush(createTimeS: number): { ticket: string; captured: CapturedPush };
  /** Builds an authorization push, unsent. `code` for authorized only. */
  authorizationPush(
    kind: 'authorized' | 'unauthorized',
    authorizerAppId: string,
    createTimeS: number,
    code?: string,
  ): CapturedPush;
  /** Builds a push of a kind the module only forwards (as a `push` event), unsent. */
  otherPush(createTimeS: number): CapturedPush;
  /** POSTs a captured push to the app's events route, byte for byte. */
  send(captured: CapturedPush): Promise<{ status: number; body: string }>;
  /** A merchant consents on the platform; nothing is pushed. Returns the authorization code. */
  consent(authorizerAppId: string): Promise<string>;
  /** A merchant revokes on the platform; nothing is pushed. */
  revokeUpstream(authorizerAppId: string): Promise<void>;
  /** The browser's redirect back to the app's …/authorized with `code`. */
  redirect(code: string): Promise<{ status: number; body: string }>;
  /** The next code exchange is refused with a permanent error that is not about the code. */
  failNextExchange(): void;
  /** Calls to the platform's code-exchange endpoint (which also serves refreshes on Douyin: none happen here). */
  exchangeCalls(): number;
  /** Calls to every platform endpoint. */
  upstreamCalls(): number;
  storedTicket(): Promise<TicketRecord | undefined>;
  /** Whether the platform accepts `token` as an authorizer access token now. */
  tokenWorks(token: string): boolean;
  close(): Promise<void>;
}

export async function startReplayPlatform(variant: Variant, adapter: HttpAdapterName): Promise<ReplayPlatform> {
  return variant === 'wechat' ? startWeChat(adapter) : startDouyin(variant === 'douyin-v1' ? 'v1' : 'v2', adapter);
}

function collect(app: { get: (t: typeof OpenPlatformEvents) => OpenPlatformEvents }): {
  events: OpenPlatformEvent[];
  stop: () => void;
} {
  const events: OpenPlatformEvent[] = [];
  const sub = app.get(OpenPlatformEvents).events$.subscribe((e) => events.push(e));
  return { events, stop: () => sub.unsubscribe() };
}

async function startWeChat(adapter: HttpAdapterName): Promise<ReplayPlatform> {
  const h = await startHarness({ adapter, singleComponent: true });
  const A = COMPONENT_A.appId;
  const { events, stop } = collect(h.app);
  const nowS = () => Math.floor(h.clock.now() / 1000);
  return {
    variant: 'wechat',
    componentAppId: A,
    clock: h.clock,
    tokens: h.tokens,
    events,
    nowS,
    ticketPush(createTimeS) {
      const ticket = h.fake.issueTicket(A);
      return {
        ticket,
        captured: { platform: 'wechat', push: h.fake.buildPush(A, ticketMessageXml(A, ticket, createTimeS)) },
      };
    },
    authorizationPush(kind, authorizerAppId, createTimeS, code = '') {
      const xml = authorizationMessageXml(A, {
        infoType: kind,
        authorizerAppId,
        createTime: createTimeS,
        authorizationCode: code,
        authorizationCodeExpiredTime: createTimeS + 600,
        preAuthCode: '',
      });
      return { platform: 'wechat', push: h.fake.buildPush(A, xml) };
    },
    otherPush: (createTimeS) => ({
      platform: 'wechat',
      push: h.fake.buildPush(
        A,
        `<xml><AppId><![CDATA[${A}]]></AppId><CreateTime>${createTimeS}</CreateTime>` +
          `<InfoType><![CDATA[notify_third_fasteregister]]></InfoType><appid>wx_new_${createTimeS}</appid></xml>`,
      ),
    }),
    send: (c) => h.fake.sendPush(h.eventsUrl(), (c as { push: FakeWeChatBuiltPush }).push),
    consent: async (authorizerAppId) =>
      (await h.fake.authorize({ componentAppId: A, authorizerAppId, push: false })).authorizationCode,
    revokeUpstream: async (authorizerAppId) => {
      await h.fake.revoke(A, authorizerAppId, { push: false });
    },
    redirect: async (code) => {
      const res = await fetch(`${h.routesUrl}/${A}/authorized?auth_code=${encodeURIComponent(code)}`);
      return { status: res.status, body: await res.text() };
    },
    failNextExchange: () => h.fake.failNext('api_query_auth', { errcode: 61004 }), // IP not whitelisted
    exchangeCalls: () => h.fake.calls('api_query_auth'),
    upstreamCalls: () => WECHAT_ENDPOINTS.reduce((n, e) => n + h.fake.calls(e), 0),
    storedTicket: () => h.app.get(DurableStore).get<TicketRecord>(StoreKeys.ticket('wechat', A)),
    tokenWorks: (token) => h.fake.isAuthorizerTokenValid(token),
    close: async () => {
      stop();
      await h.close();
    },
  };
}

async function startDouyin(apiVersion: 'v1' | 'v2', adapter: HttpAdapterName): Promise<ReplayPlatform> {
  const h = await startDouyinHarness(apiVersion, { adapter });
  const C = DOUYIN_COMPONENT.appId;
  const { events, stop } = collect(h.app);
  return {
    variant: apiVersion === 'v1' ? 'douyin-v1' : 'douyin-v2',
    componentAppId: C,
    clock: h.clock,
    tokens: h.tokens,
    events,
    nowS: () => Math.floor(h.clock.now() / 1000),
    ticketPush(createTimeS) {
      const ticket = h.fake.issueTicket(C);
      const message = ticketMessage(ticket, douyinDateTime(createTimeS * 1000));
      return { ticket, captured: { platform: 'douyin', push: h.fake.buildPush(C, message) } };
    },
    authorizationPush(kind, authorizerAppId, createTimeS, code) {
      const message: Record<string, unknown> = {
        AppId: authorizerAppId,
        TpAppId: C,
        EventTime: douyinDateTime(createTimeS * 1000),
        Event: kind === 'authorized' ? 'AUTHORIZED' : 'UNAUTHORIZED',
        ...(kind === 'authorized' ? { AuthorizationCode: code ?? '', AuthorizationCodeExpiresIn: 3600 } : {}),
      };
      return { platform: 'douyin', push: h.fake.buildPush(C, message) };
    },
    otherPush: (createTimeS) => ({
      platform: 'douyin',
      push: h.fake.buildPush(C, {
        AppId: `tt_shop_${createTimeS}`,
        TpAppId: C,
        EventTime: douyinDateTime(createTimeS * 1000),
        Event: 'PACKAGE_AUDIT',
        Status: 1,
      }),
    }),
    send: (c) => h.fake.sendPush(h.eventsUrl, (c as { push: FakeDouyinBuiltPush }).push),
    consent: async (authorizerAppId) =>
      (await h.fake.authorize({ componentAppId: C, authorizerAppId, push: false })).authorizationCode,
    revokeUpstream: async (authorizerAppId) => {
      await h.fake.revoke(C, authorizerAppId, { push: false });
    },
    redirect: async (code) => {
      const res = await fetch(`${h.url}/open-platform/${C}/authorized?authorization_code=${encodeURIComponent(code)}`);
      return { status: res.status, body: await res.text() };
    },
    failNextExchange: () => h.fake.failNext('auth_token', { code: 40002 }), // missing parameter
    exchangeCalls: () => h.fake.calls('auth_token'),
    upstreamCalls: () => DOUYIN_ENDPOINTS.reduce((n, e) => n + h.fake.calls(e), 0),
    storedTicket: () => h.app.get(DurableStore).get<TicketRecord>(StoreKeys.ticket('douyin', C)),
    tokenWorks: (token) => h.fake.isAuthorizerTokenValid(token),
    close: async () => {
      stop();
      await h.close();
    },
  };
}
