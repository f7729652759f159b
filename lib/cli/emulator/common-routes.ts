import type { FakeDouyinPlatform, FakeWeChatPlatform } from '../../testing/index.js';
import { call, int, only, text, bool, obj } from './control-fields.js';
import { ControlError, type ControlRequest, type ControlRoute } from './control-server.js';
import { Emulators } from './emulators.js';

type Fake = FakeWeChatPlatform | FakeDouyinPlatform;
const V1 = '/_control/v1/:platform';

function platformOf(r: ControlRequest): 'wechat' | 'douyin' {
  const p = r.params.platform;
  if (p !== 'wechat' && p !== 'douyin')
    throw new ControlError(404, `unknown platform ${JSON.stringify(p)}: wechat or douyin`);
  return p;
}

/** Routes both emulators answer the same way (`:platform` is `wechat` or `douyin`). */
export function commonRoutes(emulators: Emulators): ControlRoute[] {
  const fake = (r: ControlRequest): Fake => emulators.of(platformOf(r));
  const component = (r: ControlRequest) => r.params.component;
  return [
    {
      method: 'POST',
      pattern: `${V1}/components`,
      handler: (r) => {
        only(r.body, ['appId', 'appSecret', 'token', 'encodingAesKey']);
        const c = {
          appId: text(r.body, 'appId', true),
          appSecret: text(r.body, 'appSecret', true),
          token: text(r.body, 'token', true),
          encodingAesKey: text(r.body, 'encodingAesKey', true),
        };
        if (!/^[A-Za-z0-9]{43}$/.test(c.encodingAesKey))
          throw new ControlError(400, 'encodingAesKey must be 43 characters of A-Z a-z 0-9');
        fake(r).addComponent(c);
        return { component: c };
      },
    },
    {
      method: 'PUT',
      pattern: `${V1}/components/:component/events-url`,
      handler: (r) => {
        only(r.body, ['url']);
        const url = httpUrl(text(r.body, 'url'));
        return call(() => {
          fake(r).setEventsUrl(component(r), url);
          const key = Emulators.urlKey(platformOf(r), component(r));
          if (url === undefined) emulators.eventsUrls.delete(key);
          else emulators.eventsUrls.set(key, url);
          return { url: url ?? null };
        });
      },
    },
    {
      method: 'PUT',
      pattern: `${V1}/components/:component/messages-url`,
      handler: (r) => {
        only(r.body, ['url']);
        const url = text(r.body, 'url');
        if (url !== undefined) httpUrl(url.replaceAll('$APPID$', 'x'));
        return call(() => {
          fake(r).setMessagesUrl(component(r), url);
          return { url: url ?? null };
        });
      },
    },
    {
      method: 'POST',
      pattern: `${V1}/components/:component/tickets`,
      handler: (r) => {
        only(r.body, ['url', 'push', 'ticket']);
        const given = httpUrl(text(r.body, 'url'));
        const push = bool(r.body, 'push');
        const ticket = text(r.body, 'ticket');
        const url = given ?? emulators.eventsUrls.get(Emulators.urlKey(platformOf(r), component(r)));
        if (push === true && !url)
          throw new ControlError(400, 'push requested but no url is given and no events URL is set');
        return call(async () => {
          if (push === false || !url) {
            if (ticket !== undefined) throw new ControlError(400, 'ticket can only be given with a push');
            return { ticket: fake(r).issueTicket(component(r)), pushed: false };
          }
          const result = await fake(r).pushTicket(url, component(r), ticket === undefined ? {} : { ticket });
          return { ticket: result.ticket, pushed: true, status: result.status, body: result.body };
        });
      },
    },
    {
      method: 'GET',
      pattern: `${V1}/components/:component/tickets/latest`,
      handler: (r) => call(() => ({ ticket: fake(r).latestTicket(component(r)) ?? null })),
    },
    {
      method: 'GET',
      pattern: `${V1}/components/:component/authorizers/:authorizer`,
      handler: (r) =>
        call(() => {
          const state = fake(r).authorizerState(component(r), r.params.authorizer);
          if (!state) throw new ControlError(404, `${r.params.authorizer} never authorized ${component(r)}`);
          return state;
        }),
    },
    {
      method: 'POST',
      pattern: `${V1}/components/:component/authorizers/:authorizer/revoke`,
      handler: (r) => {
        only(r.body, ['push']);
        return call(() => fake(r).revoke(component(r), r.params.authorizer, { push: bool(r.body, 'push') }));
      },
    },
    {
      method: 'POST',
      pattern: `${V1}/faults`,
      handler: (r) => injectFault(emulators, platformOf(r), fake(r), r.body),
    },
    {
      method: 'DELETE',
      pattern: `${V1}/faults`,
      handler: (r) => {
        fake(r).clearFaults();
        return { cleared: true };
      },
    },
    {
      method: 'GET',
      pattern: `${V1}/faults/holds/:hold`,
      handler: (r) => {
        const held = emulators.holds.get(r.params.hold);
        if (!held) throw new ControlError(404, `no held answer ${r.params.hold}`);
        return { id: r.params.hold, processed: held.processed };
      },
    },
    {
      method: 'POST',
      pattern: `${V1}/faults/holds/:hold/release`,
      handler: (r) => {
        const held = emulators.holds.get(r.params.hold);
        if (!held) throw new ControlError(404, `no held answer ${r.params.hold}`);
        held.release();
        emulators.holds.delete(r.params.hold);
        return { id: r.params.hold, released: true };
      },
    },
    {
      method: 'GET',
      pattern: `${V1}/calls`,
      handler: (r) => {
        const f = fake(r);
        const endpoint = r.query.get('endpoint');
        if (endpoint !== null) return { endpoint, calls: f.calls(endpoint) };
        return Object.fromEntries(emulators.endpoints(platformOf(r)).map((e) => [e, f.calls(e)]));
      },
    },
    {
      method: 'POST',
      pattern: `${V1}/calls/reset`,
      handler: (r) => {
        fake(r).resetCalls();
        return { reset: true };
      },
    },
    { method: 'GET', pattern: `${V1}/business-calls`, handler: (r) => ({ calls: fake(r).businessCalls() }) },
    {
      method: 'GET',
      pattern: `${V1}/authorization-pushes`,
      handler: (r) => ({ pushes: fake(r).authorizationPushes() }),
    },
    {
      method: 'GET',
      pattern: `${V1}/last-authorize-page-query`,
      handler: (r) => ({ query: fake(r).lastAuthorizePageQuery() ?? null }),
    },
    {
      method: 'POST',
      pattern: `${V1}/settle`,
      handler: async (r) => {
        await fake(r).settle();
        return { settled: true };
      },
    },
    {
      method: 'POST',
      pattern: `${V1}/tokens/check`,
      handler: (r) => {
        only(r.body, ['token', 'kind']);
        const token = text(r.body, 'token', true);
        const kind = text(r.body, 'kind') ?? 'authorizer';
        if (kind === 'component') return { valid: fake(r).isComponentTokenValid(token) };
        if (kind === 'authorizer') return { valid: fake(r).isAuthorizerTokenValid(token) };
        throw new ControlError(400, "kind must be 'component' or 'authorizer'");
      },
    },
    {
      method: 'POST',
      pattern: `${V1}/routes`,
      handler: (r) => addStaticRoute(emulators, platformOf(r), fake(r), r.body),
    },
  ];
}

const FAULT_KINDS = ['error', 'delay', 'drop', 'lose-response', 'status', 'hold-answer'];

/** `POST …/faults`: one of the emulators' fault controls, by `kind`. */
function injectFault(
  emulators: Emulators,
  platform: 'wechat' | 'douyin',
  fake: Fake,
  body: Record<string, unknown>,
): unknown {
  only(body, ['endpoint', 'kind', 'times', 'errcode', 'errmsg', 'code', 'message', 'ms', 'status']);
  const kind = text(body, 'kind', true);
  const times = int(body, 'times', 1, 10_000) ?? 1;
  if (kind === 'rotate-then-drop') {
    if (platform !== 'douyin') throw new ControlError(400, 'rotate-then-drop is a Douyin fault');
    (fake as FakeDouyinPlatform).rotateThenDropNext(times);
    return { kind, times };
  }
  if (!FAULT_KINDS.includes(kind))
    throw new ControlError(400, `kind must be one of ${FAULT_KINDS.join(', ')} or (Douyin) rotate-then-drop`);
  const endpoint = text(body, 'endpoint', true);
  switch (kind) {
    case 'error': {
      const code =
        int(body, 'errcode', -1_000_000_000, 1_000_000_000) ?? int(body, 'code', -1_000_000_000, 1_000_000_000);
      if (code === undefined) throw new ControlError(400, 'an error fault needs errcode (or code)');
      const message = text(body, 'errmsg') ?? text(body, 'message');
      if (platform === 'wechat')
        (fake as FakeWeChatPlatform).failNext(endpoint, { errcode: code, errmsg: message, times });
      else (fake as FakeDouyinPlatform).failNext(endpoint, { code, message, times });
      break;
    }
    case 'delay': {
      const ms = int(body, 'ms', 0, 600_000);
      if (ms === undefined) throw new ControlError(400, 'a delay fault needs ms');
      fake.delayNext(endpoint, ms, times);
      break;
    }
    case 'drop':
      fake.dropNext(endpoint, times);
      break;
    case 'lose-response':
      fake.loseResponseNext(endpoint, times);
      break;
    case 'status': {
      const status = int(body, 'status', 100, 599);
      if (status === undefined) throw new ControlError(400, 'a status fault needs status');
      fake.statusNext(endpoint, status, times);
      break;
    }
    case 'hold-answer':
      return { kind, endpoint, holdId: emulators.hold(fake.holdAnswerNext(endpoint)) };
  }
  return { kind, endpoint, times };
}

/**
 * `POST …/routes`: a business endpoint answering a fixed JSON body — behind the platform's token
 * check when `requireAuthorizer` — so a test in any language can emulate an API its app calls.
 */
function addStaticRoute(
  emulators: Emulators,
  platform: 'wechat' | 'douyin',
  fake: Fake,
  body: Record<string, unknown>,
): unknown {
  only(body, ['method', 'path', 'endpoint', 'requireAuthorizer', 'status', 'body']);
  const method = text(body, 'method', true).toUpperCase();
  if (!['GET', 'POST', 'PUT', 'DELETE', 'PATCH'].includes(method))
    throw new ControlError(400, 'method must be GET, POST, PUT, DELETE or PATCH');
  const path = text(body, 'path', true);
  if (!path.startsWith('/')) throw new ControlError(400, 'path must start with /');
  const endpoint = text(body, 'endpoint') ?? path;
  const status = int(body, 'status', 200, 599) ?? 200;
  const reply = obj(body, 'body') ?? {};
  const guarded = bool(body, 'requireAuthorizer') ?? true;
  const answer = () => ({ status, body: reply });
  const handler = guarded ? fake.requireAuthorizer(answer) : answer;
  return call(() => {
    fake.route(method, path, handler, { endpoint });
    emulators.userEndpoints[platform].add(endpoint);
    return { method, path, endpoint, requireAuthorizer: guarded };
  });
}

function httpUrl(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ControlError(400, 'url must be an absolute http(s) URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new ControlError(400, 'url must be an absolute http(s) URL');
  return url;
}
