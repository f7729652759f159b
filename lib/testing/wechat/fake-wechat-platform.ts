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
import {
  CustomerServiceBook,
  messageEnvelope,
  messageXml,
  openReply,
  resolveMessage,
  type ResolvedFakeMessage,
} from './authorizer-messages.js';
import type {
  FakeWeChatCustomerServiceMessage,
  FakeWeChatMessage,
  FakeWeChatReleaseCheckCase,
  FakeWeChatReleaseCheckOptions,
  FakeWeChatReleaseCheckResult,
  FakeWeChatSendMessageOptions,
  FakeWeChatSendMessageResult,
} from './fake-wechat-messages.types.js';
import { createHash, randomInt } from 'node:crypto';

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
  private readonly messagesUrls = new Map<string, string>();
  private readonly customerService = new CustomerServiceBook();
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
    this.server.route(
      'POST',
      '/cgi-bin/message/custom/send',
      'custom_send',
      this.requireAuthorizer((request, caller) => this.customerService.handle(request, caller)),
    );
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

  /**
   * Sets (or with `undefined` clears) the component's message and event URL (消息与事件接收 URL),
   * as pasted in the platform console: `$APPID$` stands for the authorizer's appid, e.g.
   * `https://app.example.com/open-platform/wx…/authorizers/$APPID$/messages`.
   */
  setMessagesUrl(componentAppId: string, urlTemplate: string | undefined): void {
    this.component(componentAppId);
    if (urlTemplate === undefined) this.messagesUrls.delete(componentAppId);
    else if (!urlTemplate.includes('$APPID$'))
      throw new Error('FakeWeChatPlatform: the message URL must contain $APPID$, as on the platform');
    else this.messagesUrls.set(componentAppId, urlTemplate);
  }

  /**
   * Sends a message (or event) to an authorizer through the component's message URL, encrypted
   * and signed like the platform: query `timestamp`, `nonce`, `msg_signature`, `encrypt_type=aes`,
   * `signature`, `openid`; body `<xml><ToUserName/><Encrypt/></xml>`. A delivery that gets no
   * answer within `replyTimeoutMs` is abandoned and the message delivered again, up to `retries`
   * times, as the platform does. The passive reply is decrypted and verified (signature, trailing
   * appid, addressed back to the sender); a reply that does not verify rejects with an Error.
   */
  async sendMessage(
    authorizerAppId: string,
    message: FakeWeChatMessage,
    options: FakeWeChatSendMessageOptions = {},
  ): Promise<FakeWeChatSendMessageResult> {
    const componentAppId = this.messagesComponent(options.componentAppId);
    const url = this.messagesUrls.get(componentAppId)!.replaceAll('$APPID$', encodeURIComponent(authorizerAppId));
    const resolved = resolveMessage(authorizerAppId, message, this.nowSeconds());
    const retries = options.retries ?? 3;
    const deliveries = Math.max(1, options.deliveries ?? 1);
    let last: { status: number; body: string } | undefined;
    let made = 0;
    let timeouts = 0;
    while (made < deliveries || (last === undefined && made <= retries)) {
      made++;
      const answer = await this.deliverMessage(url, componentAppId, resolved, options);
      if (answer === 'timeout') timeouts++;
      else last = answer;
      if (made >= deliveries && last !== undefined) break;
    }
    const status = last?.status ?? 0;
    const body = last?.body ?? '';
    const trimmed = body.trim();
    const reply =
      status === 200 && trimmed !== '' && trimmed !== 'success'
        ? openReply(this.cryptoOf(componentAppId), body, resolved)
        : undefined;
    return { status, body, ...(reply ? { reply } : {}), deliveries: made, timeouts };
  }

  /** Messages the app sent through the customer-service API since start or the last reset. */
  customerServiceMessages(): FakeWeChatCustomerServiceMessage[] {
    return this.customerService.messages();
  }

  /**
   * Runs the release check (全网发布接入检测) against the app the way the platform does, as the
   * test account `authorizerAppId`: an event (answer `LOCATIONfrom_callback`), the text
   * `TESTCOMPONENT_MSG_TYPE_TEXT` (answer `TESTCOMPONENT_MSG_TYPE_TEXT_callback`), and
   * `QUERY_AUTH_CODE:{code}` after the account authorized the component (answer empty, then
   * `{code}_from_api` to the sender through `/cgi-bin/message/custom/send`).
   */
  async runReleaseCheck(
    authorizerAppId = 'wx570bc396a51b8ff8',
    options: FakeWeChatReleaseCheckOptions = {},
  ): Promise<FakeWeChatReleaseCheckResult> {
    const componentAppId = this.messagesComponent(options.componentAppId);
    const send = { componentAppId };
    const cases: FakeWeChatReleaseCheckCase[] = [];
    const expectText = async (
      name: 'event' | 'text',
      msg: FakeWeChatMessage,
      content: string,
    ): Promise<FakeWeChatReleaseCheckCase> => {
      try {
        const result = await this.sendMessage(authorizerAppId, msg, send);
        if (result.reply?.msgType === 'text' && result.reply.content === content) return { name, passed: true };
        return { name, passed: false, detail: `expected the text ${content}, got ${result.status} ${result.body}` };
      } catch (err) {
        return { name, passed: false, detail: (err as Error).message };
      }
    };
    cases.push(
      await expectText(
        'event',
        { msgType: 'event', event: 'LOCATION', fields: { Latitude: '23.1', Longitude: '113.3', Precision: '10' } },
        'LOCATIONfrom_callback',
      ),
    );
    cases.push(
      await expectText(
        'text',
        { msgType: 'text', content: 'TESTCOMPONENT_MSG_TYPE_TEXT' },
        'TESTCOMPONENT_MSG_TYPE_TEXT_callback',
      ),
    );
    cases.push(await this.releaseCheckApiCase(authorizerAppId, componentAppId, options.timeoutMs ?? 5000));
    return { passed: cases.every((c) => c.passed), cases };
  }

  /** Sets counters back to zero and forgets recorded business calls and authorization pushes. */
  override resetCalls(): void {
    super.resetCalls();
    this.customerService.reset();
    this.business.length = 0;
    this.pushes.reset();
  }

  /** Waits for pushes in flight ({@link FakeWeChatPlatform.settle}), then closes the server and every socket. */
  override async stop(): Promise<void> {
    await this.settle();
    await super.stop();
  }

  /** The `QUERY_AUTH_CODE` case: a fresh authorization code, answered through the customer-service API. */
  private async releaseCheckApiCase(
    authorizerAppId: string,
    componentAppId: string,
    timeoutMs: number,
  ): Promise<FakeWeChatReleaseCheckCase> {
    const name = 'api';
    try {
      const { authorizationCode } = await this.authorize({ componentAppId, authorizerAppId, push: false });
      const fromUserName = `o_release_check_${randomInt(1, 1e9)}`;
      const result = await this.sendMessage(
        authorizerAppId,
        { msgType: 'text', content: `QUERY_AUTH_CODE:${authorizationCode}`, fromUserName },
        { componentAppId },
      );
      if (result.status !== 200 || result.reply)
        return { name, passed: false, detail: `expected an empty answer, got ${result.status} ${result.body}` };
      const content = `${authorizationCode}_from_api`;
      const sent = await this.customerService.waitFor(
        (m) => m.authorizerAppId === authorizerAppId && m.touser === fromUserName && m.content === content,
        timeoutMs,
      );
      return sent
        ? { name, passed: true }
        : { name, passed: false, detail: `no customer-service message ${content} within ${timeoutMs} ms` };
    } catch (err) {
      return { name, passed: false, detail: (err as Error).message };
    }
  }

  /** The component whose message URL to use: the given one, or the only one that has a URL. */
  private messagesComponent(componentAppId: string | undefined): string {
    if (componentAppId !== undefined) {
      this.component(componentAppId);
      if (!this.messagesUrls.has(componentAppId))
        throw new Error(`FakeWeChatPlatform: no message URL is set for ${componentAppId}; call setMessagesUrl`);
      return componentAppId;
    }
    const set = [...this.messagesUrls.keys()];
    if (set.length !== 1)
      throw new Error(
        `FakeWeChatPlatform: ${set.length === 0 ? 'no component has' : 'several components have'} a message URL; ` +
          'pass componentAppId (and call setMessagesUrl)',
      );
    return set[0];
  }

  /** One delivery: encrypted, signed anew, abandoned after `replyTimeoutMs`. */
  private async deliverMessage(
    url: string,
    componentAppId: string,
    message: ResolvedFakeMessage,
    options: FakeWeChatSendMessageOptions,
  ): Promise<{ status: number; body: string } | 'timeout'> {
    const crypto = this.cryptoOf(componentAppId);
    const timestamp = String(options.timestamp ?? this.nowSeconds());
    const nonce = options.nonce ?? String(randomInt(100_000_000, 2_147_483_647));
    const encrypt = crypto.encrypt(messageXml(message));
    const target = new URL(url);
    const query = {
      signature: createHash('sha1')
        .update([this.component(componentAppId).token, timestamp, nonce].sort().join(''))
        .digest('hex'),
      timestamp,
      nonce,
      openid: message.fromUserName,
      encrypt_type: 'aes',
      msg_signature: crypto.signature(timestamp, nonce, encrypt),
    };
    for (const [key, value] of Object.entries(query)) target.searchParams.set(key, value);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), options.replyTimeoutMs ?? 5000);
    try {
      const response = await fetch(target, {
        method: 'POST',
        headers: { 'content-type': 'text/xml' },
        body: messageEnvelope(message.toUserName, encrypt),
        signal: controller.signal,
      });
      return { status: response.status, body: await response.text() };
    } catch (err) {
      if (controller.signal.aborted) return 'timeout';
      throw err;
    } finally {
      clearTimeout(timer);
    }
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
