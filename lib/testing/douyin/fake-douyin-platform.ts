import { MessageCrypto } from '../../crypto/message-crypto.js';
import { FakeHttpServer, type FakeReply, type FakeRequest, type FakeRouteHandler } from '../core/fake-http-server.js';
import { FaultInjector } from '../core/fault-injector.js';
import { MerchantQueue } from '../core/merchant-queue.js';
import { nonNegative, positive } from '../core/options.js';
import { PushTracker } from '../core/push-tracker.js';
import { TicketBook } from '../core/ticket-book.js';
import { guardedHandler, UserRoutes } from '../core/user-routes.js';
import { DouyinCodeBook } from './authorization-codes.js';
import { AUTHORIZATION_PAGE } from './authorization-page.js';
import { DouyinAuthorizerBook } from './authorizer-book.js';
import { checkAuthorizerToken, type FakeDouyinTokenCheck } from './business-endpoints.js';
import { DouyinComponentTokens } from './component-tokens.js';
import { douyinMessage, flatError, v2Error } from './douyin-errors.js';
import { authorizationLink } from './douyin-operations.js';
import { authorizationMessage, buildDouyinPush, douyinDateTime, sendDouyinPush, ticketMessage } from './douyin-push.js';
import { envelopeOf, registerDouyinRoutes } from './douyin-routes.js';
import type { DouyinLifetimes, DouyinState } from './douyin-state.js';
import type {
  FakeDouyinApiVersion,
  FakeDouyinAuthorizationEvent,
  FakeDouyinAuthorizationPushRecord,
  FakeDouyinAuthorizeOptions,
  FakeDouyinAuthorizeResult,
  FakeDouyinAuthorizerState,
  FakeDouyinBuiltPush,
  FakeDouyinBusinessCall,
  FakeDouyinCaller,
  FakeDouyinComponent,
  FakeDouyinEndpoint,
  FakeDouyinEndpointName,
  FakeDouyinEventPushOutcome,
  FakeDouyinFailOptions,
  FakeDouyinPlatformOptions,
  FakeDouyinPushOptions,
  FakeDouyinPushResult,
  FakeDouyinQueuedMerchant,
  FakeDouyinTicketPushOptions,
  FakeDouyinTicketPushResult,
} from './fake-douyin.types.js';

/** Endpoints whose V2 docs list 200-prefixed error codes. */
const DOCUMENTED_PREFIXED: readonly FakeDouyinEndpoint[] = ['retrieve_auth_code', 'gen_link'];

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
export class FakeDouyinPlatform {
  /** The generation this instance serves. */
  readonly apiVersion: FakeDouyinApiVersion;
  private readonly now: () => number;
  private readonly components = new Map<string, FakeDouyinComponent>();
  private readonly cryptos = new Map<string, MessageCrypto>();
  private readonly faults: FaultInjector<FakeDouyinEndpointName>;
  private readonly server: FakeHttpServer<FakeDouyinEndpointName>;
  private readonly tickets: TicketBook;
  private readonly componentTokens: DouyinComponentTokens;
  private readonly authorizers: DouyinAuthorizerBook;
  private readonly codes: DouyinCodeBook;
  private readonly merchants = new MerchantQueue<FakeDouyinQueuedMerchant>();
  private readonly eventsUrls = new Map<string, string>();
  private readonly pushes = new PushTracker<
    Omit<FakeDouyinAuthorizationPushRecord, 'result' | 'error'>,
    FakeDouyinPushResult
  >();
  private readonly business: FakeDouyinBusinessCall[] = [];
  private readonly userRoutes: UserRoutes;
  private readonly state: DouyinState;
  private readonly lifetimes: DouyinLifetimes;
  private lostRefreshes = 0;
  private lastPageQuery?: Record<string, string>;

  /** Creates a stopped emulator; call {@link FakeDouyinPlatform.start} before use. */
  constructor(options: FakeDouyinPlatformOptions = {}) {
    const version = options.apiVersion ?? 'v2';
    if (version !== 'v1' && version !== 'v2') throw new RangeError(`apiVersion must be 'v1' or 'v2'`);
    this.apiVersion = version;
    this.now = options.now ?? Date.now;
    this.lifetimes = {
      componentToken: positive('componentTokenExpiresIn', options.componentTokenExpiresIn ?? 7200),
      accessToken: positive('authorizerTokenExpiresIn', options.authorizerTokenExpiresIn ?? 7200),
      refreshToken: positive('refreshTokenExpiresIn', options.refreshTokenExpiresIn ?? 2_592_000),
    };
    this.faults = new FaultInjector<FakeDouyinEndpointName>({
      errorBody: (code, message, endpoint) =>
        envelopeOf(version, endpoint) === 'flat' ? flatError(code, message) : v2Error(code, message),
    });
    this.server = new FakeHttpServer<FakeDouyinEndpointName>({
      faults: this.faults,
      notFoundBody: version === 'v1' ? flatError(404, 'not found') : v2Error(404, 'not found'),
    });
    this.userRoutes = new UserRoutes(this.server, 'FakeDouyinPlatform');
    this.tickets = new TicketBook(
      this.now,
      positive('ticketLifetimeSeconds', options.ticketLifetimeSeconds ?? 10_800),
      'ticket.',
    );
    this.componentTokens = new DouyinComponentTokens(
      this.now,
      version,
      nonNegative('componentTokenGraceSeconds', options.componentTokenGraceSeconds ?? 300),
      nonNegative('componentTokenRenewWindowSeconds', options.componentTokenRenewWindowSeconds ?? 1800),
    );
    this.authorizers = new DouyinAuthorizerBook(this.now, version);
    this.codes = new DouyinCodeBook(
      this.now,
      positive('preAuthCodeExpiresIn', options.preAuthCodeExpiresIn ?? 600),
      positive('authCodeExpiresIn', options.authCodeExpiresIn ?? 3600),
    );
    for (const component of options.components ?? []) this.addComponent(component);

    const prefixedOption = options.prefixedErrorCodes ?? [];
    this.state = {
      version,
      baseUrl: () => this.baseUrl,
      components: this.components,
      tickets: this.tickets,
      componentTokens: this.componentTokens,
      authorizers: this.authorizers,
      codes: this.codes,
      merchants: this.merchants,
      lifetimes: () => ({ ...this.lifetimes }),
      prefixed: new Set(prefixedOption === 'documented' ? DOCUMENTED_PREFIXED : prefixedOption),
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

  /** Listens on 127.0.0.1; `port` 0 (default) picks a free port. */
  start(port = 0): Promise<void> {
    return this.server.start(port);
  }

  /** Waits for pushes in flight ({@link FakeDouyinPlatform.settle}), then closes the server and every socket. */
  async stop(): Promise<void> {
    await this.settle();
    await this.server.stop();
  }

  /** Root URL of the running emulator: the `apiBaseUrl` of its generation. */
  get baseUrl(): string {
    return this.server.baseUrl;
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

  /** Registers (or replaces) a component. Its pushes are encrypted with its token and key. */
  addComponent(component: FakeDouyinComponent): void {
    const crypto = new MessageCrypto({
      platform: 'douyin',
      token: component.token,
      encodingAesKey: component.encodingAesKey,
      appId: component.appId,
    });
    this.components.set(component.appId, { ...component });
    this.cryptos.set(component.appId, crypto);
  }

  /** Calls received by `endpoint` since start or the last reset, faulted ones included. */
  calls(endpoint: FakeDouyinEndpointName): number {
    return this.server.calls(endpoint);
  }

  /** Sets counters back to zero and forgets business calls and authorization pushes (not reuse counts). */
  resetCalls(): void {
    this.server.resetCalls();
    this.business.length = 0;
    this.pushes.reset();
  }

  /** `expires_in` (seconds) of component tokens issued from now on. */
  get componentTokenExpiresIn(): number {
    return this.lifetimes.componentToken;
  }

  set componentTokenExpiresIn(seconds: number) {
    this.lifetimes.componentToken = positive('componentTokenExpiresIn', seconds);
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

  /**
   * Issues a fresh ticket (it becomes the latest) and POSTs it encrypted to `url`. The ticket stays
   * issued even if the app refuses it, as on the platform.
   */
  async pushTicket(
    url: string,
    componentAppId: string,
    options: FakeDouyinTicketPushOptions = {},
  ): Promise<FakeDouyinTicketPushResult> {
    this.component(componentAppId);
    const ticket = this.tickets.issue(componentAppId, options.ticket);
    const message = ticketMessage(ticket, options.createTime ?? douyinDateTime(this.now()));
    const result = await this.pushMessage(url, componentAppId, message, options);
    return { ...result, ticket };
  }

  /** Issues a ticket without pushing it, as if the app had missed the push. */
  issueTicket(componentAppId: string): string {
    this.component(componentAppId);
    return this.tickets.issue(componentAppId);
  }

  /** The most recently issued ticket of the component. */
  latestTicket(componentAppId: string): string | undefined {
    return this.tickets.latestFor(componentAppId);
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

  /** Encrypts and signs a message (an object is JSON-encoded) for the component and POSTs it to `url`. */
  pushMessage(
    url: string,
    componentAppId: string,
    message: string | Record<string, unknown>,
    options: FakeDouyinPushOptions = {},
  ): Promise<FakeDouyinPushResult> {
    return this.sendPush(url, this.buildPush(componentAppId, message, options));
  }

  /**
   * Builds a push without sending it, so a test can tamper with it and send it with
   * {@link FakeDouyinPlatform.sendPush}.
   */
  buildPush(
    componentAppId: string,
    message: string | Record<string, unknown>,
    options: FakeDouyinPushOptions = {},
  ): FakeDouyinBuiltPush {
    this.component(componentAppId);
    const text = typeof message === 'string' ? message : JSON.stringify(message);
    return buildDouyinPush(this.cryptos.get(componentAppId)!, text, Math.floor(this.now() / 1000), options);
  }

  /** POSTs a (possibly tampered) push to `url` as JSON. */
  sendPush(url: string, push: FakeDouyinBuiltPush): Promise<FakeDouyinPushResult> {
    return sendDouyinPush(url, push);
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
    return this.authorizers
      .all()
      .filter((r) => authorizerAppId === undefined || r.authorizerAppId === authorizerAppId)
      .reduce((sum, r) => sum + r.reuses, 0);
  }

  /** What the emulator knows of an authorizer, or undefined if it never authorized the component. */
  authorizerState(componentAppId: string, authorizerAppId: string): FakeDouyinAuthorizerState | undefined {
    const record = this.authorizers.get(componentAppId, authorizerAppId);
    if (!record) return undefined;
    const accessToken = this.authorizers.currentAccessToken(record);
    return {
      status: record.status,
      ...(record.refreshToken
        ? {
            refreshToken: record.refreshToken,
            refreshTokenExpiresAt: this.authorizers.refreshTokenExpiresAt(record.refreshToken),
          }
        : {}),
      ...(accessToken ? { accessToken } : {}),
      permissionIds: [...record.permissionIds],
      refreshTokenReuses: record.reuses,
    };
  }

  /** Whether `token` is a component token the platform accepts now. */
  isComponentTokenValid(token: string): boolean {
    return this.componentTokens.check(token).status === 'valid';
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

  /** The next `times` (default 1) calls to `endpoint` answer HTTP 200 with the endpoint's error envelope. */
  failNext(endpoint: FakeDouyinEndpointName, options: FakeDouyinFailOptions): void {
    const message = options.message ?? douyinMessage(options.code);
    this.faults.add(endpoint, { kind: 'error', errcode: options.code, errmsg: message, times: options.times ?? 1 });
  }

  /** The next `times` (default 1) calls to `endpoint` are answered normally after `ms` milliseconds. */
  delayNext(endpoint: FakeDouyinEndpointName, ms: number, times = 1): void {
    this.faults.add(endpoint, { kind: 'delay', ms, times });
  }

  /** The next `times` (default 1) calls to `endpoint` get their socket destroyed, unanswered and unprocessed. */
  dropNext(endpoint: FakeDouyinEndpointName, times = 1): void {
    this.faults.add(endpoint, { kind: 'drop', times });
  }

  /** The next `times` (default 1) calls to `endpoint` are processed, then their socket is destroyed unanswered. */
  loseResponseNext(endpoint: FakeDouyinEndpointName, times = 1): void {
    this.faults.add(endpoint, { kind: 'lose-response', times });
  }

  /** The next `times` (default 1) calls to `endpoint` answer HTTP `status` with an HTML body. */
  statusNext(endpoint: FakeDouyinEndpointName, status: number, times = 1): void {
    this.faults.add(endpoint, { kind: 'status', status, times });
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
  clearFaults(): void {
    this.faults.clear();
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

  private component(appId: string): FakeDouyinComponent {
    const component = this.components.get(appId);
    if (!component) throw new Error(`FakeDouyinPlatform: unknown component ${appId}; call addComponent first`);
    return component;
  }
}
