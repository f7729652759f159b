import type { FakeDouyinPlatform } from '../../testing/index.js';
import { bool, call, int, ints, obj, only, text } from './control-fields.js';
import { ControlError, type ControlRoute } from './control-server.js';

const D = '/_control/v1/douyin';

/** Routes of what only the Douyin emulator does (its merchant fields, notices, refresh-token reuse). */
export function douyinRoutes(fake: FakeDouyinPlatform): ControlRoute[] {
  return [
    {
      method: 'POST',
      pattern: `${D}/components/:component/authorizers`,
      handler: (r) => {
        only(r.body, ['authorizerAppId', 'permissionIds', 'push']);
        return call(() =>
          fake.authorize({ componentAppId: r.params.component, push: bool(r.body, 'push'), ...merchant(r.body) }),
        );
      },
    },
    {
      method: 'POST',
      pattern: `${D}/merchants/queue`,
      handler: (r) => {
        only(r.body, ['authorizerAppId', 'componentAppId', 'permissionIds']);
        fake.queueMerchant({ componentAppId: text(r.body, 'componentAppId'), ...merchant(r.body) });
        return { queued: true };
      },
    },
    {
      method: 'POST',
      pattern: `${D}/components/:component/authorizers/:authorizer/messages`,
      handler: (r) => {
        only(r.body, ['event', 'eventContent', 'eventTime', 'extra']);
        const notice = {
          event: text(r.body, 'event', true),
          eventContent: obj(r.body, 'eventContent'),
          eventTime: text(r.body, 'eventTime'),
          extra: obj(r.body, 'extra'),
        };
        return call(() => fake.sendMessage(r.params.authorizer, notice, { componentAppId: r.params.component }));
      },
    },
    {
      method: 'GET',
      pattern: `${D}/components/:component/authorization-link`,
      handler: (r) => {
        const redirectUri = r.query.get('redirectUri');
        if (!redirectUri) throw new ControlError(400, 'the query parameter redirectUri is required');
        return call(() => ({ url: fake.authorizationLink(r.params.component, redirectUri) }));
      },
    },
    {
      method: 'GET',
      pattern: `${D}/refresh-token-reuses`,
      handler: (r) => ({ reuses: fake.refreshTokenReuses(r.query.get('authorizerAppId') ?? undefined) }),
    },
    { method: 'GET', pattern: `${D}/settings`, handler: () => settings(fake) },
    {
      method: 'PUT',
      pattern: `${D}/settings`,
      handler: (r) => {
        only(r.body, ['componentTokenExpiresIn', 'authorizerTokenExpiresIn', 'refreshTokenExpiresIn']);
        const component = int(r.body, 'componentTokenExpiresIn', 1, 100_000_000);
        const authorizer = int(r.body, 'authorizerTokenExpiresIn', 1, 100_000_000);
        const refresh = int(r.body, 'refreshTokenExpiresIn', 1, 100_000_000);
        if (component !== undefined) fake.componentTokenExpiresIn = component;
        if (authorizer !== undefined) fake.authorizerTokenExpiresIn = authorizer;
        if (refresh !== undefined) fake.refreshTokenExpiresIn = refresh;
        return settings(fake);
      },
    },
  ];
}

function merchant(body: Record<string, unknown>) {
  const permissionIds = ints(body, 'permissionIds');
  return { authorizerAppId: text(body, 'authorizerAppId', true), ...(permissionIds ? { permissionIds } : {}) };
}

function settings(fake: FakeDouyinPlatform) {
  return {
    componentTokenExpiresIn: fake.componentTokenExpiresIn,
    authorizerTokenExpiresIn: fake.authorizerTokenExpiresIn,
    refreshTokenExpiresIn: fake.refreshTokenExpiresIn,
  };
}
