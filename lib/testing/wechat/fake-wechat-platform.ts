import type { FakeReply, FakeRequest, FakeRouteHandler } from '../core/fake-http-server.js';
import { MerchantQueue } from '../core/merchant-queue.js';
import { nonNegative, positive } from '../core/options.js';
import { PushTracker } from '../core/push-tracker.js';
import { guardedHandler, UserRoutes } from '../core/user-routes.js';
import { AuthorizationCodeBook } from './authorization-codes.js';
import { AuthorizerBook } from './authorizer-book.js';
import { H5_AUTHORIZE_PAGE, PC_AUTHORIZE_PAGE, registerAuthorizerRoutes } from './authorizer-routes.js';
import {
  checkAuthorizerToken,
  type BusinessEndpointState,
  type FakeWeChatCaller,
  type FakeWeChatTokenCheck,
} from './business-endpoints.js';
import { FakeWeChatPlatformCore } from './fake-wechat-core.js';
import type {
  FakeWeChatAuthorizationEvent,
  FakeWeChatAuthorizationPushOptions,
  FakeWeChatAuthorizationPushRecord,
  FakeWeChatAuthorizeOptions,
  FakeWeChatAuthorizeResult,
  FakeWeChatAuthorizerState,
  FakeWeChatBusinessCall,
  FakeWeChatEventPushOutcome,
  FakeWeChatMerchant,
  FakeWeChatQueuedMerchant,
  FakeWeChatReauthorizeOptions,
  FakeWeChatRevokeOptions,
} from './fake-wechat-authorization.types.js';
import type { FakeWeChatPlatformOptions, FakeWeChatPushResult } from './fake-wechat.types.js';
import { authorizationMessageXml, resolveAuthorizationMessage } from './wechat-push.js';

/**
 * A loopback emulator of the WeChat Open Platform: the component endpoints with the platform's
 * semantics — tickets, component tokens, pre-auth codes, the authorization pages,
 * authorization codes, authorizer tokens, authorizer info and list — a business endpoint that
 * checks authorizer tokens, encrypted pushes to the app's event route, call counters and fault
 * injection. Point the library's `apiBaseUrl` at {@link FakeWeChatPlatform.baseUrl}.
 *
 * @example
 * const wechat = new FakeWeChatPlatform({ components: [component] });
 * await wechat.start();
 * const eventsUrl = `${appUrl}/open-platform/${component.appId}/events`;
 * wechat.setEventsUrl(component.appId, eventsUrl);
 * await wechat.pushTicket(eventsUrl, component.appId);
 * wechat.queueMerchant({ authorizerAppId: 'wx_merchant' }); // consents on the next page visit
 * // ... exercise the app ...
 * expect(wechat.calls('api_component_token')).toBe(1);
 * await wechat.stop();
 */
export class FakeWeChatPlatform extends FakeWeChatPlatformCore {
  private readonly codes: AuthorizationCodeBook;
  private readonly authorizers: AuthorizerBook;
  private readonly merchants = new MerchantQueue<FakeWeChatQueuedMerchant>();
  private readonly eventsUrls = new Map<string, string>();
  private readonly pushes = new PushTracker<
    Omit<FakeWeChatAuthorizationPushRecord, 'result' | 'error'>,
    FakeWeChatPushResult
  >();
  private readonly business: FakeWeChatBusinessCall[] = [];
  private readonly businessState: BusinessEndpointState;
  private readonly userRoutes = new UserRoutes(this.server, 'FakeWeChatPlatform');
  private authorizerExpiresIn: number;
  private lastPageQuery?: Record<string, string>;

  /** Creates a stopped emulator; call {@link FakeWeChatPlatform.start} before use. */
  constructor(options: FakeWeChatPlatformOptions = {}) {
    super(options);
    this.authorizerExpiresIn = positive('authorizerTokenExpiresIn', options.authorizerTokenExpiresIn ?? 7200);
    this.codes = new AuthorizationCodeBook(
      this.now,
      positive('preAuthCodeExpiresIn', options.preAuthCodeExpiresIn ?? 1800),
      positive('authCodeExpiresIn', options.authCodeExpiresIn ?? 600),
    );
    this.authorizers = new AuthorizerBook(
      this.now,
      nonNegative('authorizerTokenGraceSeconds', options.authorizerTokenGraceSeconds ?? 300),
    );

    this.businessState = { authorizers: this.authorizers, recordCall: (call) => this.business.push(call) };
    registerAuthorizerRoutes(
      this.server,
      {
        components: this.components,
        tokens: this.tokens,
        authorizers: this.authorizers,
        codes: this.codes,
        authorizerTokenExpiresIn: () => this.authorizerExpiresIn,
      },
      this.businessState,
      {
        components: this.components,
        codes: this.codes,
        queue: this.merchants,
        pushBeforeRedirect: options.pushBeforeRedirect ?? false,
        recordQuery: (query) => (this.lastPageQuery = query),
        consent: (componentAppId, merchant, preAuthCode) => {
          const { authorizationCode, infoType } = this.consent(componentAppId, merchant, preAuthCode);
          const url = this.eventsUrls.get(componentAppId);
          const event = { infoType, authorizerAppId: merchant.authorizerAppId, authorizationCode };
          return { authorizationCode, push: url ? () => this.deliver(componentAppId, url, event) : undefined };
        },
      },
    );
  }

  /**
   * Adds an endpoint to the emulator, so any platform API your app calls can be emulated. Wrap the
   * handler in {@link FakeWeChatPlatform.requireAuthorizer} to accept only a valid authorizer token,
   * as the platform does. Calls are counted and faults apply under `options.endpoint` (default: the
   * path), e.g. `fake.calls('/wxa/get_category')`, `fake.failNext('/wxa/get_category', { errcode: -1 })`.
   * Calling it again for the same method and path replaces your handler; the emulator's own
   * endpoints cannot be replaced.
   *
   * @example
   * fake.route('GET', '/wxa/get_category', fake.requireAuthorizer((req, caller) => ({
   *   body: { errcode: 0, errmsg: 'ok', category_list: [], appid: caller.authorizerAppId },
   * })));
   */
  route(method: string, path: string, handler: FakeRouteHandler, options: { endpoint?: string } = {}): void {
    this.userRoutes.add(method, path, handler, options.endpoint);
  }

  /**
   * Wraps a route handler so it runs only when the request carries a valid authorizer access token
   * (`?access_token=`), answering like the platform otherwise: missing 41001; unknown, superseded,
   * killed or of a revoked authorizer 40001; expired 42001. Accepted calls appear in
   * {@link FakeWeChatPlatform.businessCalls}.
   */
  requireAuthorizer(
    handler: (request: FakeRequest, caller: FakeWeChatCaller) => FakeReply | Promise<FakeReply>,
  ): FakeRouteHandler {
    return guardedHandler((request) => this.checkAuthorizerToken(request), handler);
  }

  /** Checks a request's authorizer token the platform's way (see {@link FakeWeChatPlatform.requireAuthorizer}). */
  checkAuthorizerToken(request: FakeRequest): FakeWeChatTokenCheck {
    return checkAuthorizerToken(this.businessState, request);
  }

  /** `expires_in` (seconds) given to authorizer access tokens issued from now on. */
  get authorizerTokenExpiresIn(): number {
    return this.authorizerExpiresIn;
  }

  set authorizerTokenExpiresIn(seconds: number) {
    this.authorizerExpiresIn = positive('authorizerTokenExpiresIn', seconds);
  }

  /** The PC authorization page (`…/cgi-bin/componentloginpage`), the emulator's `mp.weixin.qq.com`. */
  get authorizePageUrl(): string {
    return `${this.baseUrl}${PC_AUTHORIZE_PAGE}`;
  }

  /** The H5 authorization page (`…/wxaopen/safe/bindcomponent`), the emulator's `open.weixin.qq.com`. */
  get h5AuthorizePageUrl(): string {
    return `${this.baseUrl}${H5_AUTHORIZE_PAGE}`;
  }

  /**
   * Sets (or with `undefined` clears) the component's authorization-event URL, where consents and revocations are
   * pushed.
   */
  setEventsUrl(componentAppId: string, url: string | undefined): void {
    this.component(componentAppId);
    if (url === undefined) this.eventsUrls.delete(componentAppId);
    else this.eventsUrls.set(componentAppId, url);
  }

  /**
   * Queues a merchant who will consent on the next visit of an authorization page (FIFO, per component if
   * `componentAppId` is set).
   */
  queueMerchant(merchant: FakeWeChatQueuedMerchant): void {
    this.merchants.add(merchant);
  }

  /**
   * A merchant consents without the page. A new or previously revoked merchant gets a new refresh
   * token (`authorized`); an authorized one is re-authorized (`updateauthorized`: refresh token
   * rotated, access tokens killed). Rejects if `push` is true but no events URL is set, or the
   * component is unknown; a failed push is reported in `pushError`, never rejected.
   */
  async authorize(options: FakeWeChatAuthorizeOptions): Promise<FakeWeChatAuthorizeResult> {
    const { componentAppId, push, ...merchant } = options;
    const url = this.pushTarget(componentAppId, push);
    const { authorizationCode, infoType } = this.consent(componentAppId, merchant);
    if (!url) return { authorizationCode };
    const outcome = await this.deliver(componentAppId, url, {
      infoType,
      authorizerAppId: merchant.authorizerAppId,
      authorizationCode,
    });
    return { authorizationCode, ...outcome };
  }

  /** Re-authorization of an authorized merchant (rejects otherwise): see {@link FakeWeChatPlatform.authorize}. */
  async reauthorize(
    componentAppId: string,
    authorizerAppId: string,
    options: FakeWeChatReauthorizeOptions = {},
  ): Promise<FakeWeChatAuthorizeResult> {
    this.authorizers.authorized(componentAppId, authorizerAppId);
    return this.authorize({
      componentAppId,
      authorizerAppId,
      funcIds: options.funcIds,
      grantApi: options.grantApi,
      push: options.push,
    });
  }

  /**
   * De-authorization of an authorized merchant (rejects otherwise): refresh and access tokens die at once; pushes
   * `unauthorized`.
   */
  async revoke(
    componentAppId: string,
    authorizerAppId: string,
    options: FakeWeChatRevokeOptions = {},
  ): Promise<FakeWeChatEventPushOutcome> {
    const url = this.pushTarget(componentAppId, options.push);
    this.authorizers.revoke(componentAppId, authorizerAppId);
    return url ? this.deliver(componentAppId, url, { infoType: 'unauthorized', authorizerAppId }) : {};
  }

  /** Low-level: encrypts and POSTs one authorization event to `url`, changing no state. */
  async pushAuthorizationEvent(
    url: string,
    componentAppId: string,
    event: FakeWeChatAuthorizationEvent,
    options: FakeWeChatAuthorizationPushOptions = {},
  ): Promise<FakeWeChatPushResult> {
    const xml = authorizationMessageXml(
      componentAppId,
      resolveAuthorizationMessage(event, this.nowSeconds(), this.codes),
    );
    return this.pushMessage(url, componentAppId, xml, options);
  }

  /** What the emulator knows of an authorizer, or undefined if it never authorized the component. */
  authorizerState(componentAppId: string, authorizerAppId: string): FakeWeChatAuthorizerState | undefined {
    const record = this.authorizers.get(componentAppId, authorizerAppId);
    if (!record) return undefined;
    return {
      status: record.status,
      ...(record.refreshToken ? { refreshToken: record.refreshToken } : {}),
      funcIds: [...record.funcIds],
    };
  }

  /**
   * The platform changes the refresh token without telling the app: the old one gets 61023, the list shows the new
   * one.
   */
  rotateRefreshToken(componentAppId: string, authorizerAppId: string): string {
    return this.authorizers.rotateRefreshToken(componentAppId, authorizerAppId);
  }

  /** Whether the authorizer's `api_get_authorizer_list` entry lacks `refresh_token`. */
  hideRefreshTokenInList(componentAppId: string, authorizerAppId: string, hidden = true): void {
    this.authorizers.authorized(componentAppId, authorizerAppId).hideRefreshTokenInList = hidden;
  }

  /**
   * Every `api_authorizer_token` for this authorizer answers `errcode` (e.g. -1), whatever it
   * carries, until called again with `undefined`: an authorizer whose renewal always fails while
   * the others' succeed. Unlike `failNext`, other authorizers are not affected.
   */
  failAuthorizerRefresh(componentAppId: string, authorizerAppId: string, errcode: number | undefined): void {
    this.authorizers.authorized(componentAppId, authorizerAppId).refreshFailure = errcode;
  }

  /** Every access token of the authorizer becomes invalid now (40001 at business endpoints). */
  killAuthorizerAccessTokens(componentAppId: string, authorizerAppId: string): void {
    this.authorizers.killAccessTokens(componentAppId, authorizerAppId);
  }

  /** Whether `token` is an authorizer access token the business endpoints accept now. */
  isAuthorizerTokenValid(token: string): boolean {
    return this.authorizerOfToken(token) !== undefined;
  }

  /** The authorizer appid of a currently valid authorizer access token, else undefined. */
  authorizerOfToken(token: string): string | undefined {
    const checked = this.authorizers.checkAccessToken(token);
    return checked.status === 'valid' ? checked.owner.authorizerAppId : undefined;
  }

  /** Accepted business-endpoint calls since start or the last {@link FakeWeChatPlatform.resetCalls}. */
  businessCalls(): Array<{ authorizerAppId: string; token: string }> {
    return this.business.map((call) => ({ ...call }));
  }

  /** Every authorization-event push made by the page or the control methods since the last reset. */
  authorizationPushes(): FakeWeChatAuthorizationPushRecord[] {
    return this.pushes.records();
  }

  /** Query parameters of the latest authorization-page request (PC or H5), decoded. */
  lastAuthorizePageQuery(): Record<string, string> | undefined {
    return this.lastPageQuery && { ...this.lastPageQuery };
  }

  /** Resolves once every authorization-event push in flight (e.g. fired after a page's 302) has completed. */
  settle(): Promise<void> {
    return this.pushes.settle();
  }

  /** Sets counters back to zero and forgets recorded business calls and authorization pushes. */
  override resetCalls(): void {
    super.resetCalls();
    this.business.length = 0;
    this.pushes.reset();
  }

  /** Waits for pushes in flight ({@link FakeWeChatPlatform.settle}), then closes the server and every socket. */
  override async stop(): Promise<void> {
    await this.settle();
    await super.stop();
  }

  /** Applies a consent (defaults from the previous authorization, if any) and issues its authorization code. */
  private consent(
    componentAppId: string,
    merchant: FakeWeChatMerchant,
    preAuthCode = this.usedPreAuthCode(componentAppId),
  ) {
    this.component(componentAppId);
    const { record, infoType } = this.authorizers.consent(componentAppId, merchant);
    const issued = this.codes.issueAuthCode(componentAppId, record.authorizerAppId, record.generation, preAuthCode);
    return { authorizationCode: issued.code, infoType };
  }

  /** A consent made without the page still went through one: a pre-auth code, consumed. */
  private usedPreAuthCode(componentAppId: string): string {
    const code = this.codes.createPreAuthCode(componentAppId);
    this.codes.consumePreAuthCode(code);
    return code;
  }

  /** Sends one authorization event to the events URL, tracked by {@link FakeWeChatPlatform.settle}. */
  private deliver(
    componentAppId: string,
    url: string,
    event: FakeWeChatAuthorizationEvent,
  ): Promise<FakeWeChatEventPushOutcome> {
    const { infoType, authorizerAppId, authorizationCode } = event;
    return this.pushes.track({ componentAppId, url, infoType, authorizerAppId, authorizationCode }, () =>
      this.pushAuthorizationEvent(url, componentAppId, event),
    );
  }

  /** The events URL to push to, honouring an explicit `push` flag. */
  private pushTarget(componentAppId: string, push: boolean | undefined): string | undefined {
    this.component(componentAppId);
    const url = this.eventsUrls.get(componentAppId);
    if (push === true && !url)
      throw new Error(`FakeWeChatPlatform: push requested but no events URL is set for ${componentAppId}`);
    return push === false ? undefined : url;
  }
}
