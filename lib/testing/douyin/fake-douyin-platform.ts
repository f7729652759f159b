import type { FakeReply, FakeRequest, FakeRouteHandler } from '../core/fake-http-server.js';
import { MerchantQueue } from '../core/merchant-queue.js';
import { positive } from '../core/options.js';
import { PushTracker } from '../core/push-tracker.js';
import { guardedHandler, UserRoutes } from '../core/user-routes.js';
import { DouyinCodeBook } from './authorization-codes.js';
import { AUTHORIZATION_PAGE } from './authorization-page.js';
import { DouyinAuthorizerBook } from './authorizer-book.js';
import { checkAuthorizerToken, type FakeDouyinTokenCheck } from './business-endpoints.js';
import { authorizationLink } from './douyin-operations.js';
import { authorizationMessage, douyinDateTime } from './douyin-push.js';
import { registerDouyinRoutes } from './douyin-routes.js';
import type { DouyinState } from './douyin-state.js';
import { FakeDouyinPlatformCore } from './fake-douyin-core.js';
import type {
  FakeDouyinAuthorizationEvent,
  FakeDouyinAuthorizationPushRecord,
  FakeDouyinAuthorizeOptions,
  FakeDouyinAuthorizeResult,
  FakeDouyinAuthorizerState,
  FakeDouyinBusinessCall,
  FakeDouyinCaller,
  FakeDouyinEventPushOutcome,
  FakeDouyinPlatformOptions,
  FakeDouyinPushOptions,
  FakeDouyinPushResult,
  FakeDouyinQueuedMerchant,
} from './fake-douyin.types.js';

/**
 * A loopback emulator of the Douyin third-party mini-program platform, one API generation per
 * instance (`apiVersion`, default `'v2'`): component tokens with each generation's reuse rule,
 * pre-auth codes and the authorization page, code exchange and **single-use rotating refresh
 * tokens** (reuse answered 40021 and counted), code retrieval with its push, the app list, a
 * business endpoint that checks authorizer tokens, encrypted JSON pushes (32-byte prefix), call
 * counters and fault injection. Point the generation's `apiBaseUrl` at {@link FakeDouyinPlatform.baseUrl}.
 *
 * @example
 * const douyin = new FakeDouyinPlatform({ components: [component], apiVersion: 'v2' });
 * await douyin.start();
 * douyin.setEventsUrl(component.appId, eventsUrl);
 * await douyin.pushTicket(eventsUrl, component.appId);
 * douyin.queueMerchant({ authorizerAppId: 'tt_merchant' });
 * // ... exercise the app ...
 * expect(douyin.refreshTokenReuses()).toBe(0);
 * await douyin.stop();
 */
export class FakeDouyinPlatform extends FakeDouyinPlatformCore {
  private readonly authorizers: DouyinAuthorizerBook;
  private readonly codes: DouyinCodeBook;
  private readonly merchants = new MerchantQueue<FakeDouyinQueuedMerchant>();
  private readonly eventsUrls = new Map<string, string>();
  private readonly messagesUrls = new Map<string, string>();
  private readonly pushes = new PushTracker<
    Omit<FakeDouyinAuthorizationPushRecord, 'result' | 'error'>,
    FakeDouyinPushResult
  >();
  private readonly business: FakeDouyinBusinessCall[] = [];
  private readonly userRoutes = new UserRoutes(this.server, 'FakeDouyinPlatform');
  private readonly state: DouyinState;
  private lostRefreshes = 0;
  private lastPageQuery?: Record<string, string>;

  /** Creates a stopped emulator; call {@link FakeDouyinPlatform.start} before use. */
  constructor(options: FakeDouyinPlatformOptions = {}) {
    super(options);
    this.authorizers = new DouyinAuthorizerBook(this.now, this.apiVersion);
    this.codes = new DouyinCodeBook(
      this.now,
      positive('preAuthCodeExpiresIn', options.preAuthCodeExpiresIn ?? 600),
      positive('authCodeExpiresIn', options.authCodeExpiresIn ?? 3600),
    );
    this.state = {
      ...this.componentState,
      authorizers: this.authorizers,
      codes: this.codes,
      merchants: this.merchants,
      takeLostRefresh: () => this.lostRefreshes > 0 && this.lostRefreshes-- > 0,
      codePush: (componentAppId, authorizerAppId, authorizationCode, event) => {
        const url = this.eventsUrls.get(componentAppId);
        return url ? () => this.deliver(componentAppId, url, { event, authorizerAppId, authorizationCode }) : undefined;
      },
      recordCall: (call) => this.business.push(call),
      recordPageQuery: (query) => (this.lastPageQuery = query),
    };
    registerDouyinRoutes(this.server, this.state);
  }

  /** Waits for pushes in flight ({@link FakeDouyinPlatform.settle}), then closes the server and every socket. */
  override async stop(): Promise<void> {
    await this.settle();
    await super.stop();
  }

  /** Sets counters back to zero and forgets business calls and authorization pushes (not reuse counts). */
  override resetCalls(): void {
    super.resetCalls();
    this.business.length = 0;
    this.pushes.reset();
  }

  /** The authorization page (`…/mappconsole/tp/authorization`), the emulator's `open.microapp.bytedance.com`. */
  get authorizePageUrl(): string {
    return `${this.baseUrl}${AUTHORIZATION_PAGE}`;
  }

  /** A ready link to the authorization page with a fresh pre-auth code, as a V1 app would build it. */
  authorizationLink(componentAppId: string, redirectUri: string): string {
    this.component(componentAppId);
    return authorizationLink(this.state, componentAppId, this.codes.createPreAuthCode(componentAppId), redirectUri);
  }

  /** `expires_in` (seconds) of authorizer access tokens issued from now on. */
  get authorizerTokenExpiresIn(): number {
    return this.lifetimes.accessToken;
  }

  set authorizerTokenExpiresIn(seconds: number) {
    this.lifetimes.accessToken = positive('authorizerTokenExpiresIn', seconds);
  }

  /** `refresh_expires_in` (seconds) of refresh tokens issued from now on. */
  get refreshTokenExpiresIn(): number {
    return this.lifetimes.refreshToken;
  }

  set refreshTokenExpiresIn(seconds: number) {
    this.lifetimes.refreshToken = positive('refreshTokenExpiresIn', seconds);
  }

  /** Sets (or with `undefined` clears) the component's authorization-event URL. */
  setEventsUrl(componentAppId: string, url: string | undefined): void {
    this.component(componentAppId);
    if (url === undefined) this.eventsUrls.delete(componentAppId);
    else this.eventsUrls.set(componentAppId, url);
  }

  /**
   * Sets (or with `undefined` clears) the component's message and event URL (消息与事件接收 URL);
   * `$APPID$` in it stands for the authorizer's appid (how Douyin itself names the authorizer in
   * that URL is unconfirmed: the notice also carries it in `AppId`).
   */
  setMessagesUrl(componentAppId: string, urlTemplate: string | undefined): void {
    this.component(componentAppId);
    if (urlTemplate === undefined) this.messagesUrls.delete(componentAppId);
    else this.messagesUrls.set(componentAppId, urlTemplate);
  }

  /**
   * Pushes a notice about an authorized mini program to the component's message URL, encrypted
   * and signed like the authorization events: `{AppId, TpAppId, EventTime, Event, EventContent}`
   * (e.g. `PUBLISH_APP_CATEGORY_AUDIT_RESULT`). Resolves with the app's answer.
   */
  sendMessage(
    authorizerAppId: string,
    notice: {
      event: string;
      eventContent?: Record<string, unknown>;
      eventTime?: string;
      extra?: Record<string, unknown>;
    },
    options: FakeDouyinPushOptions & { componentAppId?: string } = {},
  ): Promise<FakeDouyinPushResult> {
    const { componentAppId: given, ...push } = options;
    const componentAppId = given ?? [...this.messagesUrls.keys()][0];
    const template = componentAppId === undefined ? undefined : this.messagesUrls.get(componentAppId);
    if (!template) throw new Error('FakeDouyinPlatform: no message URL is set; call setMessagesUrl');
    const message = {
      AppId: authorizerAppId,
      TpAppId: componentAppId,
      EventTime: notice.eventTime ?? douyinDateTime(this.now()),
      Event: notice.event,
      ...(notice.eventContent ? { EventContent: notice.eventContent } : {}),
      ...notice.extra,
    };
    return this.pushMessage(
      template.replaceAll('$APPID$', encodeURIComponent(authorizerAppId)),
      componentAppId,
      message,
      push,
    );
  }

  /** Queues a merchant who consents on the next visit of the authorization page (FIFO). */
  queueMerchant(merchant: FakeDouyinQueuedMerchant): void {
    this.merchants.add(merchant);
  }

  /**
   * A merchant consents without the page: issues an authorization code and pushes `AUTHORIZED`
   * with it (when an events URL is set, or rejects if `push` is true without one).
   */
  async authorize(options: FakeDouyinAuthorizeOptions): Promise<FakeDouyinAuthorizeResult> {
    const { componentAppId, push, ...merchant } = options;
    const url = this.pushTarget(componentAppId, push);
    const record = this.authorizers.consent(componentAppId, merchant);
    const authorizationCode = this.codes.issueAuthCode(componentAppId, record.authorizerAppId, record.generation);
    if (!url) return { authorizationCode };
    const outcome = await this.deliver(componentAppId, url, {
      event: 'AUTHORIZED',
      authorizerAppId: record.authorizerAppId,
      authorizationCode,
    });
    return { authorizationCode, ...outcome };
  }

  /** De-authorization (rejects unless authorized): refresh and access tokens die at once; pushes `UNAUTHORIZED`. */
  async revoke(
    componentAppId: string,
    authorizerAppId: string,
    options: { push?: boolean } = {},
  ): Promise<FakeDouyinEventPushOutcome> {
    const url = this.pushTarget(componentAppId, options.push);
    this.authorizers.revoke(componentAppId, authorizerAppId);
    return url ? this.deliver(componentAppId, url, { event: 'UNAUTHORIZED', authorizerAppId }) : {};
  }

  /** Low-level: encrypts and POSTs one authorization event to `url`, changing no state and not tracked. */
  pushAuthorizationEvent(
    url: string,
    componentAppId: string,
    event: FakeDouyinAuthorizationEvent,
    options: FakeDouyinPushOptions = {},
  ): Promise<FakeDouyinPushResult> {
    const message = authorizationMessage(componentAppId, event, {
      eventTime: douyinDateTime(this.now()),
      codeExpiresIn: this.codes.authCodeExpiresIn,
    });
    return this.pushMessage(url, componentAppId, message, options);
  }

  /** Every authorization push made by the page, the retrieve endpoint or the control methods since the last reset. */
  authorizationPushes(): FakeDouyinAuthorizationPushRecord[] {
    return this.pushes.records();
  }

  /** Resolves once every authorization push in flight has completed. */
  settle(): Promise<void> {
    return this.pushes.settle();
  }

  /**
   * Presentations of already-spent refresh tokens (answered 40021): of one authorizer, or in total.
   * Each is a refresh race or a lost answer the client did not recover from properly.
   */
  refreshTokenReuses(authorizerAppId?: string): number {
    return this.authorizers.reuses(authorizerAppId);
  }

  /** What the emulator knows of an authorizer, or undefined if it never authorized the component. */
  authorizerState(componentAppId: string, authorizerAppId: string): FakeDouyinAuthorizerState | undefined {
    return this.authorizers.snapshot(componentAppId, authorizerAppId);
  }

  /** Whether `token` is an authorizer access token the business endpoints accept now. */
  isAuthorizerTokenValid(token: string): boolean {
    const checked = this.authorizers.checkAccessToken(token);
    return (
      checked.status === 'valid' &&
      this.authorizers.get(checked.owner.componentAppId, checked.owner.authorizerAppId)?.status === 'authorized'
    );
  }

  /** Accepted business calls since start or the last {@link FakeDouyinPlatform.resetCalls}. */
  businessCalls(): FakeDouyinBusinessCall[] {
    return this.business.map((call) => ({ ...call }));
  }

  /** Query parameters of the latest authorization-page request, decoded. */
  lastAuthorizePageQuery(): Record<string, string> | undefined {
    return this.lastPageQuery && { ...this.lastPageQuery };
  }

  /**
   * Adds an endpoint, so any platform API your app calls can be emulated; wrap the handler in
   * {@link FakeDouyinPlatform.requireAuthorizer} to accept only a valid authorizer token. Calls are
   * counted and faults apply under `options.endpoint` (default: the path). The emulator's own
   * endpoints cannot be replaced.
   *
   * @example
   * douyin.route('POST', '/api/apps/v2/qrcode/create/', douyin.requireAuthorizer((req, caller) => ({
   *   body: { err_no: 0, err_msg: '', log_id: 'x', data: { app_id: caller.authorizerAppId } },
   * })));
   */
  route(method: string, path: string, handler: FakeRouteHandler, options: { endpoint?: string } = {}): void {
    this.userRoutes.add(method, path, handler, options.endpoint);
  }

  /**
   * Wraps a handler so it runs only with a valid authorizer token, answering like the generation's
   * business APIs otherwise (see {@link FakeDouyinPlatform.checkAuthorizerToken}).
   */
  requireAuthorizer(
    handler: (request: FakeRequest, caller: FakeDouyinCaller) => FakeReply | Promise<FakeReply>,
  ): FakeRouteHandler {
    return guardedHandler((request) => this.checkAuthorizerToken(request), handler);
  }

  /**
   * Checks a request's authorizer token the platform's way and records accepted calls. V2 (header
   * `access-token`): missing 40002, unknown/rotated/revoked 28001003, expired 28001008. V1 (query
   * `component_appid` + `authorizer_access_token`): missing 40002, unknown component 40003, any
   * unusable token 40020.
   */
  checkAuthorizerToken(request: FakeRequest): FakeDouyinTokenCheck {
    return checkAuthorizerToken(this.state, request);
  }

  /**
   * The next `times` (default 1) **successful refreshes** are processed — the old refresh and access
   * tokens are spent, a new pair is issued — but the socket is destroyed before the answer is sent.
   * Failed refreshes and code exchanges are answered normally and do not use up the count.
   */
  rotateThenDropNext(times = 1): void {
    positive('times', times);
    this.lostRefreshes += times;
  }

  /** Drops every scheduled fault, the refresh-answer losses included. */
  override clearFaults(): void {
    super.clearFaults();
    this.lostRefreshes = 0;
  }

  /** Sends one authorization event to the events URL, tracked by {@link FakeDouyinPlatform.settle}. */
  private deliver(
    componentAppId: string,
    url: string,
    event: FakeDouyinAuthorizationEvent,
  ): Promise<FakeDouyinEventPushOutcome> {
    const { event: type, authorizerAppId, authorizationCode } = event;
    const fields = { componentAppId, url, event: type, authorizerAppId, authorizationCode };
    return this.pushes.track(fields, () => this.pushAuthorizationEvent(url, componentAppId, event));
  }

  /** The events URL to push to, honouring an explicit `push` flag. */
  private pushTarget(componentAppId: string, push: boolean | undefined): string | undefined {
    this.component(componentAppId);
    const url = this.eventsUrls.get(componentAppId);
    if (push === true && !url) {
      throw new Error(`FakeDouyinPlatform: push requested but no events URL is set for ${componentAppId}`);
    }
    return push === false ? undefined : url;
  }
}
