import type { FakeWeChatMessage, FakeWeChatPlatform } from '../../testing/index.js';
import { bool, call, int, ints, obj, only, text } from './control-fields.js';
import { ControlError, type ControlRequest, type ControlRoute } from './control-server.js';

const W = '/_control/v1/wechat';
const AUTHORIZER = `${W}/components/:component/authorizers/:authorizer`;

/** Routes of what only the WeChat emulator does (its merchant fields, messages, release check). */
export function wechatRoutes(fake: FakeWeChatPlatform): ControlRoute[] {
  const ids = (r: ControlRequest) => [r.params.component, r.params.authorizer] as const;
  return [
    {
      method: 'POST',
      pattern: `${W}/components/:component/authorizers`,
      handler: (r) => {
        only(r.body, ['authorizerAppId', 'funcIds', 'grantApi', 'nickName', 'push']);
        return call(() =>
          fake.authorize({ componentAppId: r.params.component, push: bool(r.body, 'push'), ...merchant(r.body) }),
        );
      },
    },
    {
      method: 'POST',
      pattern: `${W}/merchants/queue`,
      handler: (r) => {
        only(r.body, ['authorizerAppId', 'componentAppId', 'funcIds', 'grantApi', 'nickName']);
        fake.queueMerchant({ componentAppId: text(r.body, 'componentAppId'), ...merchant(r.body) });
        return { queued: true };
      },
    },
    {
      method: 'POST',
      pattern: `${AUTHORIZER}/reauthorize`,
      handler: (r) => {
        only(r.body, ['funcIds', 'grantApi', 'push']);
        const options = {
          funcIds: ints(r.body, 'funcIds'),
          grantApi: bool(r.body, 'grantApi'),
          push: bool(r.body, 'push'),
        };
        return call(() => fake.reauthorize(...ids(r), options));
      },
    },
    {
      method: 'POST',
      pattern: `${AUTHORIZER}/rotate-refresh-token`,
      handler: (r) => call(() => ({ refreshToken: fake.rotateRefreshToken(...ids(r)) })),
    },
    {
      method: 'PUT',
      pattern: `${AUTHORIZER}/refresh-token-in-list`,
      handler: (r) => {
        only(r.body, ['hidden']);
        const hidden = bool(r.body, 'hidden') ?? true;
        return call(() => {
          fake.hideRefreshTokenInList(...ids(r), hidden);
          return { hidden };
        });
      },
    },
    {
      method: 'PUT',
      pattern: `${AUTHORIZER}/refresh-failure`,
      handler: (r) => {
        only(r.body, ['errcode']);
        const errcode = int(r.body, 'errcode', -1_000_000_000, 1_000_000_000);
        return call(() => {
          fake.failAuthorizerRefresh(...ids(r), errcode);
          return { errcode: errcode ?? null };
        });
      },
    },
    {
      method: 'POST',
      pattern: `${AUTHORIZER}/kill-access-tokens`,
      handler: (r) =>
        call(() => {
          fake.killAuthorizerAccessTokens(...ids(r));
          return { killed: true };
        }),
    },
    {
      method: 'POST',
      pattern: `${AUTHORIZER}/messages`,
      handler: (r) => {
        only(r.body, ['message', 'replyTimeoutMs', 'retries', 'deliveries']);
        const message = obj(r.body, 'message', true) as Record<string, unknown>;
        text(message, 'msgType', true);
        const options = {
          componentAppId: r.params.component,
          replyTimeoutMs: int(r.body, 'replyTimeoutMs', 1, 60_000),
          retries: int(r.body, 'retries', 0, 10),
          deliveries: int(r.body, 'deliveries', 1, 10),
        };
        return call(() => fake.sendMessage(r.params.authorizer, message as unknown as FakeWeChatMessage, options));
      },
    },
    {
      method: 'POST',
      pattern: `${W}/components/:component/release-check`,
      handler: (r) => {
        only(r.body, ['authorizerAppId', 'timeoutMs']);
        const options = { componentAppId: r.params.component, timeoutMs: int(r.body, 'timeoutMs', 1, 60_000) };
        return call(() => fake.runReleaseCheck(text(r.body, 'authorizerAppId'), options));
      },
    },
    {
      method: 'GET',
      pattern: `${W}/customer-service-messages`,
      handler: () => ({ messages: fake.customerServiceMessages() }),
    },
    { method: 'GET', pattern: `${W}/settings`, handler: () => settings(fake) },
    {
      method: 'PUT',
      pattern: `${W}/settings`,
      handler: (r) => {
        only(r.body, ['componentTokenExpiresIn', 'authorizerTokenExpiresIn']);
        const component = int(r.body, 'componentTokenExpiresIn', 1, 10_000_000);
        const authorizer = int(r.body, 'authorizerTokenExpiresIn', 1, 10_000_000);
        if (component !== undefined) fake.componentTokenExpiresIn = component;
        if (authorizer !== undefined) fake.authorizerTokenExpiresIn = authorizer;
        return settings(fake);
      },
    },
  ];
}

function merchant(body: Record<string, unknown>) {
  const grantApi = bool(body, 'grantApi');
  const funcIds = ints(body, 'funcIds');
  const nickName = text(body, 'nickName');
  if (grantApi === false && funcIds) throw new ControlError(400, 'funcIds cannot be given with grantApi false');
  return {
    authorizerAppId: text(body, 'authorizerAppId', true),
    ...(funcIds ? { funcIds } : {}),
    ...(grantApi === undefined ? {} : { grantApi }),
    ...(nickName ? { nickName } : {}),
  };
}

function settings(fake: FakeWeChatPlatform) {
  return {
    componentTokenExpiresIn: fake.componentTokenExpiresIn,
    authorizerTokenExpiresIn: fake.authorizerTokenExpiresIn,
  };
}
