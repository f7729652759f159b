import { MessageCrypto } from '../../crypto/message-crypto.js';
import { FakeHttpServer } from '../core/fake-http-server.js';
import { FakePlatformFaults } from '../core/fault-controls.js';
import { FaultInjector, wechatErrorBody } from '../core/fault-injector.js';
import { nonNegative, positive } from '../core/options.js';
import { apiComponentToken, apiStartPushTicket, type ComponentEndpointState } from './component-endpoints.js';
import { ComponentTokenBook } from './component-token-book.js';
import type {
  FakeWeChatBuiltPush,
  FakeWeChatComponent,
  FakeWeChatEndpointName,
  FakeWeChatFailOptions,
  FakeWeChatPlatformOptions,
  FakeWeChatPushOptions,
  FakeWeChatPushResult,
  FakeWeChatTicketPushOptions,
  FakeWeChatTicketPushResult,
} from './fake-wechat.types.js';
import { TicketBook } from '../core/ticket-book.js';
import { WECHAT_ERRMSG } from './wechat-errors.js';
import { buildWeChatPush, sendWeChatPush, ticketMessageXml } from './wechat-push.js';

/**
 * The component part of the WeChat emulator: ticket and component-token endpoints,
 * encrypted pushes, call counters and fault injection. {@link FakeWeChatPlatform} extends it
 * with merchant authorization and authorizer tokens; use that class.
 */
export class FakeWeChatPlatformCore extends FakePlatformFaults<FakeWeChatEndpointName> {
  /** The platform clock (epoch ms). */
  protected readonly now: () => number;
  /** Registered components by appid. */
  protected readonly components = new Map<string, FakeWeChatComponent>();
  private readonly cryptos = new Map<string, MessageCrypto>();
  private readonly tickets: TicketBook;
  /** Issued component tokens. */
  protected readonly tokens: ComponentTokenBook;
  protected readonly faults = new FaultInjector<FakeWeChatEndpointName>({ errorBody: wechatErrorBody });
  /** The loopback server; subclasses register their routes on it. */
  protected readonly server = new FakeHttpServer<FakeWeChatEndpointName>({
    faults: this.faults,
    notFoundBody: { errcode: 404, errmsg: 'not found' },
  });
  private tokenExpiresIn: number;

  /** Creates a stopped emulator; call {@link FakeWeChatPlatformCore.start} before use. */
  constructor(options: FakeWeChatPlatformOptions = {}) {
    super();
    this.now = options.now ?? Date.now;
    this.tokenExpiresIn = positive('componentTokenExpiresIn', options.componentTokenExpiresIn ?? 7200);
    this.tickets = new TicketBook(this.now, positive('ticketLifetimeSeconds', options.ticketLifetimeSeconds ?? 43_200));
    this.tokens = new ComponentTokenBook(
      this.now,
      nonNegative('componentTokenGraceSeconds', options.componentTokenGraceSeconds ?? 300),
    );
    for (const component of options.components ?? []) this.addComponent(component);

    const state: ComponentEndpointState = {
      components: this.components,
      tickets: this.tickets,
      tokens: this.tokens,
      componentTokenExpiresIn: () => this.tokenExpiresIn,
    };
    const base = '/cgi-bin/component';
    this.server.route('POST', `${base}/api_component_token`, 'api_component_token', (r) => apiComponentToken(state, r));
    this.server.route('POST', `${base}/api_start_push_ticket`, 'api_start_push_ticket', (r) =>
      apiStartPushTicket(state, r),
    );
  }

  /**
   * Calls received by `endpoint` since start or the last {@link FakeWeChatPlatformCore.resetCalls}, faulted ones
   * included.
   */
  calls(endpoint: FakeWeChatEndpointName): number {
    return this.server.calls(endpoint);
  }

  /** Sets every call counter back to zero. */
  resetCalls(): void {
    this.server.resetCalls();
  }

  /** Registers (or replaces) a component. Its pushes are encrypted with its token and key. */
  addComponent(component: FakeWeChatComponent): void {
    const crypto = new MessageCrypto({
      platform: 'wechat',
      token: component.token,
      encodingAesKey: component.encodingAesKey,
      appId: component.appId,
    });
    this.components.set(component.appId, { ...component });
    this.cryptos.set(component.appId, crypto);
  }

  /** Listens on 127.0.0.1; `port` 0 (default) picks a free port. */
  start(port = 0): Promise<void> {
    return this.server.start(port);
  }

  /** Closes the server and every open socket; pending injected delays are cancelled. */
  stop(): Promise<void> {
    return this.server.stop();
  }

  /** Root URL of the running emulator, e.g. `http://127.0.0.1:54321`: the library's `apiBaseUrl`. */
  get baseUrl(): string {
    return this.server.baseUrl;
  }

  /** `expires_in` (seconds) given to component tokens issued from now on. */
  get componentTokenExpiresIn(): number {
    return this.tokenExpiresIn;
  }

  set componentTokenExpiresIn(seconds: number) {
    this.tokenExpiresIn = positive('componentTokenExpiresIn', seconds);
  }

  /**
   * Issues a fresh ticket (it becomes the latest) and POSTs it encrypted to `url`, the app's
   * events route without query string. Resolves with the app's answer and the pushed ticket.
   * The ticket stays issued even if the app refuses it or is unreachable, as on the platform.
   */
  async pushTicket(
    url: string,
    componentAppId: string,
    options: FakeWeChatTicketPushOptions = {},
  ): Promise<FakeWeChatTicketPushResult> {
    this.component(componentAppId);
    const ticket = this.tickets.issue(componentAppId, options.ticket);
    const createTime = options.createTime ?? this.nowSeconds();
    const result = await this.pushMessage(
      url,
      componentAppId,
      ticketMessageXml(componentAppId, ticket, createTime),
      options,
    );
    return { ...result, ticket };
  }

  /** Encrypts and signs an arbitrary inner XML message for the component and POSTs it to `url`. */
  pushMessage(
    url: string,
    componentAppId: string,
    innerXml: string,
    options: FakeWeChatPushOptions = {},
  ): Promise<FakeWeChatPushResult> {
    return this.sendPush(url, this.buildPush(componentAppId, innerXml, options));
  }

  /**
   * Builds a push without sending it, so a test can tamper with it and send it with {@link
   * FakeWeChatPlatformCore.sendPush}.
   */
  buildPush(componentAppId: string, innerXml: string, options: FakeWeChatPushOptions = {}): FakeWeChatBuiltPush {
    this.component(componentAppId);
    const crypto = this.cryptos.get(componentAppId) as MessageCrypto;
    return buildWeChatPush(crypto, componentAppId, innerXml, this.nowSeconds(), options);
  }

  /** POSTs a (possibly tampered) push to `url` with its query parameters and `Content-Type: text/xml`. */
  sendPush(url: string, push: FakeWeChatBuiltPush): Promise<FakeWeChatPushResult> {
    return sendWeChatPush(url, push);
  }

  /** Issues a ticket without pushing it, as if the app had missed the push. */
  issueTicket(componentAppId: string): string {
    this.component(componentAppId);
    return this.tickets.issue(componentAppId);
  }

  /** The most recently issued ticket of the component, pushed or not. */
  latestTicket(componentAppId: string): string | undefined {
    return this.tickets.latestFor(componentAppId);
  }

  /** The next `times` (default 1) calls to `endpoint` answer HTTP 200 `{errcode, errmsg}`. */
  failNext(endpoint: FakeWeChatEndpointName, options: FakeWeChatFailOptions): void {
    const errmsg = options.errmsg ?? WECHAT_ERRMSG[options.errcode] ?? 'injected error';
    this.faults.add(endpoint, { kind: 'error', errcode: options.errcode, errmsg, times: options.times ?? 1 });
  }

  /** Whether `token` was issued by this emulator and is neither expired nor superseded past its grace period. */
  isComponentTokenValid(token: string): boolean {
    return this.tokens.isValid(token);
  }

  /** The message crypto of a registered component (its token and key); throws for an unknown appid. */
  protected cryptoOf(appId: string): MessageCrypto {
    this.component(appId);
    return this.cryptos.get(appId) as MessageCrypto;
  }

  /** The registered component; throws for an unknown appid. */
  protected component(appId: string): FakeWeChatComponent {
    const component = this.components.get(appId);
    if (!component) throw new Error(`FakeWeChatPlatform: unknown component ${appId}; call addComponent first`);
    return component;
  }

  /** The platform clock in epoch seconds. */
  protected nowSeconds(): number {
    return Math.floor(this.now() / 1000);
  }
}
