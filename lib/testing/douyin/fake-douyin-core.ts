import { MessageCrypto } from '../../crypto/message-crypto.js';
import { FakeHttpServer } from '../core/fake-http-server.js';
import { FakePlatformFaults } from '../core/fault-controls.js';
import { FaultInjector } from '../core/fault-injector.js';
import { nonNegative, positive } from '../core/options.js';
import { TicketBook } from '../core/ticket-book.js';
import { DouyinComponentTokens } from './component-tokens.js';
import { douyinMessage, flatError, v2Error } from './douyin-errors.js';
import { buildDouyinPush, douyinDateTime, sendDouyinPush, ticketMessage } from './douyin-push.js';
import { envelopeOf, registerComponentTokenRoute } from './douyin-routes.js';
import type { DouyinComponentState, DouyinLifetimes } from './douyin-state.js';
import type {
  FakeDouyinApiVersion,
  FakeDouyinBuiltPush,
  FakeDouyinComponent,
  FakeDouyinEndpoint,
  FakeDouyinEndpointName,
  FakeDouyinFailOptions,
  FakeDouyinPlatformOptions,
  FakeDouyinPushOptions,
  FakeDouyinPushResult,
  FakeDouyinTicketPushOptions,
  FakeDouyinTicketPushResult,
} from './fake-douyin.types.js';

/** Endpoints whose V2 docs list 200-prefixed error codes. */
const DOCUMENTED_PREFIXED: readonly FakeDouyinEndpoint[] = ['retrieve_auth_code', 'gen_link'];

/**
 * The component part of the Douyin emulator, one API generation per instance: tickets and their
 * pushes, the component-token endpoint with the generation's reuse rule, encrypted JSON pushes,
 * call counters and fault injection. {@link FakeDouyinPlatform} extends it with merchant
 * authorization, authorizer tokens and user routes; use that class.
 */
export class FakeDouyinPlatformCore extends FakePlatformFaults<FakeDouyinEndpointName> {
  /** The generation this instance serves. */
  readonly apiVersion: FakeDouyinApiVersion;
  /** The platform clock (epoch ms). */
  protected readonly now: () => number;
  /** Registered components by appid. */
  protected readonly components = new Map<string, FakeDouyinComponent>();
  /**
   * Token lifetimes in seconds. One record for every token kind, because the endpoints read it
   * per call and tests may change any of them on a running emulator.
   */
  protected readonly lifetimes: DouyinLifetimes;
  /** The loopback server; subclasses register their routes on it. */
  protected readonly server: FakeHttpServer<FakeDouyinEndpointName>;
  /** What the component-token endpoint reads; subclasses extend it for their endpoints. */
  protected readonly componentState: DouyinComponentState;
  private readonly cryptos = new Map<string, MessageCrypto>();
  protected readonly faults: FaultInjector<FakeDouyinEndpointName>;
  private readonly tickets: TicketBook;
  private readonly componentTokens: DouyinComponentTokens;

  /** Creates a stopped emulator; call {@link FakeDouyinPlatformCore.start} before use. */
  constructor(options: FakeDouyinPlatformOptions = {}) {
    super();
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
    for (const component of options.components ?? []) this.addComponent(component);

    const prefixedOption = options.prefixedErrorCodes ?? [];
    this.componentState = {
      version,
      baseUrl: () => this.baseUrl,
      components: this.components,
      tickets: this.tickets,
      componentTokens: this.componentTokens,
      lifetimes: () => ({ ...this.lifetimes }),
      prefixed: new Set(prefixedOption === 'documented' ? DOCUMENTED_PREFIXED : prefixedOption),
    };
    registerComponentTokenRoute(this.server, this.componentState);
  }

  /** Listens on 127.0.0.1; `port` 0 (default) picks a free port. */
  start(port = 0): Promise<void> {
    return this.server.start(port);
  }

  /** Closes the server and every open socket; pending injected delays are cancelled. */
  stop(): Promise<void> {
    return this.server.stop();
  }

  /** Root URL of the running emulator: the `apiBaseUrl` of its generation. */
  get baseUrl(): string {
    return this.server.baseUrl;
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

  /** Sets every call counter back to zero. */
  resetCalls(): void {
    this.server.resetCalls();
  }

  /** `expires_in` (seconds) of component tokens issued from now on. */
  get componentTokenExpiresIn(): number {
    return this.lifetimes.componentToken;
  }

  set componentTokenExpiresIn(seconds: number) {
    this.lifetimes.componentToken = positive('componentTokenExpiresIn', seconds);
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
   * {@link FakeDouyinPlatformCore.sendPush}.
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

  /** Whether `token` is a component token the platform accepts now. */
  isComponentTokenValid(token: string): boolean {
    return this.componentTokens.check(token).status === 'valid';
  }

  /** The next `times` (default 1) calls to `endpoint` answer HTTP 200 with the endpoint's error envelope. */
  failNext(endpoint: FakeDouyinEndpointName, options: FakeDouyinFailOptions): void {
    const message = options.message ?? douyinMessage(options.code);
    this.faults.add(endpoint, { kind: 'error', errcode: options.code, errmsg: message, times: options.times ?? 1 });
  }

  /** The registered component; throws for an unknown appid. */
  protected component(appId: string): FakeDouyinComponent {
    const component = this.components.get(appId);
    if (!component) throw new Error(`FakeDouyinPlatform: unknown component ${appId}; call addComponent first`);
    return component;
  }
}
