import {
  FakeDouyinPlatform,
  FakeWeChatPlatform,
  type FakeDouyinEndpoint,
  type FakeWeChatEndpoint,
} from '../../testing/index.js';
import { ControlError } from './control-server.js';

// Keyed by the emulators' endpoint types, so the compiler fails here when an endpoint is added
// to an emulator and not to the counters the control API reports.
const WECHAT_COUNTED: Record<FakeWeChatEndpoint, true> = {
  api_component_token: true,
  api_start_push_ticket: true,
  api_create_preauthcode: true,
  api_query_auth: true,
  api_authorizer_token: true,
  api_get_authorizer_info: true,
  api_get_authorizer_list: true,
  getaccountbasicinfo: true,
  componentloginpage: true,
  bindcomponent: true,
};
const DOUYIN_COUNTED: Record<FakeDouyinEndpoint, true> = {
  tp_token: true,
  pre_auth_code: true,
  gen_link: true,
  authorization_page: true,
  auth_token: true,
  retrieve_auth_code: true,
  auth_app_list: true,
  basic_info: true,
};

/** Every WeChat endpoint with a built-in call counter (the release check's `custom_send` too). */
export const WECHAT_ENDPOINTS: readonly string[] = [...Object.keys(WECHAT_COUNTED), 'custom_send'];

/** Every Douyin endpoint with a built-in call counter. */
export const DOUYIN_ENDPOINTS: readonly string[] = Object.keys(DOUYIN_COUNTED);

/** The two running emulators and what the control API remembers about them. */
export class Emulators {
  /** Events URLs set through the control API, so a ticket push can default to them. */
  readonly eventsUrls = new Map<string, string>();
  /** Endpoint names of routes added through the control API (counted like built-in ones). */
  readonly userEndpoints = { wechat: new Set<string>(), douyin: new Set<string>() };
  /** Answers held by `hold-answer` faults, by id, until released. */
  readonly holds = new Map<string, { processed: boolean; release(): void }>();
  private nextHold = 1;

  constructor(
    readonly wechat: FakeWeChatPlatform,
    readonly douyin: FakeDouyinPlatform,
  ) {}

  /** The emulator a `:platform` path segment names. */
  of(platform: string): FakeWeChatPlatform | FakeDouyinPlatform {
    if (platform === 'wechat') return this.wechat;
    if (platform === 'douyin') return this.douyin;
    throw new ControlError(404, `unknown platform ${JSON.stringify(platform)}: wechat or douyin`);
  }

  /** Endpoint names whose counters `GET …/calls` reports. */
  endpoints(platform: 'wechat' | 'douyin'): string[] {
    const builtIn: readonly string[] = platform === 'wechat' ? WECHAT_ENDPOINTS : DOUYIN_ENDPOINTS;
    return [...builtIn, ...this.userEndpoints[platform]];
  }

  /** Registers a held answer; returns its id. */
  hold(held: { processed: Promise<void>; release(): void }): string {
    const id = `hold-${this.nextHold++}`;
    const entry = { processed: false, release: () => held.release() };
    void held.processed.then(() => (entry.processed = true));
    this.holds.set(id, entry);
    return id;
  }

  /** The key of a component's events URL in {@link eventsUrls}. */
  static urlKey(platform: string, componentAppId: string): string {
    return `${platform}:${componentAppId}`;
  }
}
