import type { AxiosInstance } from 'axios';
import { OpenPlatformError, OpenPlatformErrorCode } from '../../errors/open-platform.error.js';
import type { ResolvedComponent } from '../../options/resolved-options.js';
import { PlatformAdapter, type ComponentToken, type InboundPush, type PlatformPush, type PushEnvelope } from '../platform-adapter.js';
import { callUpstream } from '../upstream-call.js';
import { WECHAT_TICKET_LIFETIME_MS, WeChatPaths } from './wechat.constants.js';
import { weChatErrcode, weChatError } from './wechat.errors.js';
import { parseWeChatMessage, readWeChatEnvelope } from './wechat-push.parser.js';

/** WeChat Open Platform (第三方平台). */
export class WeChatAdapter extends PlatformAdapter {
  readonly platform = 'wechat' as const;
  readonly ticketLifetimeMs = WECHAT_TICKET_LIFETIME_MS;

  constructor(private readonly http: AxiosInstance) {
    super();
  }

  readEnvelope(inbound: InboundPush): PushEnvelope {
    return readWeChatEnvelope(inbound);
  }

  parseMessage(plaintext: string): PlatformPush {
    return parseWeChatMessage(plaintext);
  }

  async fetchComponentToken(component: ResolvedComponent, ticket: string): Promise<ComponentToken> {
    const data = await this.post(component, 'api_component_token', WeChatPaths.componentToken, {
      component_appid: component.appId,
      component_appsecret: component.appSecret,
      component_verify_ticket: ticket,
    });
    const accessToken = data.component_access_token;
    const expiresIn = Number(data.expires_in);
    if (typeof accessToken !== 'string' || !accessToken || !(expiresIn > 0)) {
      throw new OpenPlatformError({ platform: 'wechat', code: OpenPlatformErrorCode.TRANSPORT, message: 'wechat api_component_token: answer lacks component_access_token or expires_in', retryable: true });
    }
    return { accessToken, expiresIn };
  }

  private async post(component: ResolvedComponent, endpoint: string, path: string, body: object, query?: Record<string, string>) {
    const data = await callUpstream(this.http, 'wechat', endpoint, {
      method: 'POST',
      url: component.apiBaseUrl + path,
      params: query,
      data: body,
      headers: { 'content-type': 'application/json' },
    });
    if (weChatErrcode(data) !== 0) throw weChatError(endpoint, data);
    return data;
  }
}
