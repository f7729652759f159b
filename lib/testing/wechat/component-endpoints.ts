import type { FakeReply, FakeRequest } from '../core/fake-http-server.js';
import type { ComponentTokenBook } from './component-token-book.js';
import type { FakeWeChatComponent } from './fake-wechat.types.js';
import type { TicketBook } from '../core/ticket-book.js';
import { wechatError } from './wechat-errors.js';

/** What the component endpoints read from the emulator. */
export interface ComponentEndpointState {
  components: ReadonlyMap<string, FakeWeChatComponent>;
  tickets: TicketBook;
  tokens: ComponentTokenBook;
  componentTokenExpiresIn(): number;
}

/** A JSON object request body. */
export type Body = Record<string, unknown>;

/** `POST /cgi-bin/component/api_component_token`. */
export function apiComponentToken(state: ComponentEndpointState, request: FakeRequest): FakeReply {
  const body = jsonObject(request);
  if (!body) return { body: wechatError(47001) };
  const checked = checkComponent(state, body, 'component_appsecret');
  if ('error' in checked) return { body: checked.error };

  const ticket = text(body, 'component_verify_ticket');
  const ticketState = ticket ? state.tickets.check(checked.component.appId, ticket) : 'unknown';
  if (ticketState === 'unknown') return { body: wechatError(61006) };
  if (ticketState === 'expired') return { body: wechatError(61005) };

  const expiresIn = state.componentTokenExpiresIn();
  const token = state.tokens.issue(checked.component.appId, expiresIn);
  return { body: { component_access_token: token, expires_in: expiresIn } };
}

/** `POST /cgi-bin/component/api_start_push_ticket`: checks credentials; the call count is the effect. */
export function apiStartPushTicket(state: ComponentEndpointState, request: FakeRequest): FakeReply {
  const body = jsonObject(request);
  if (!body) return { body: wechatError(47001) };
  const checked = checkComponent(state, body, 'component_secret');
  if ('error' in checked) return { body: checked.error };
  return { body: { errcode: 0, errmsg: 'ok' } };
}

/** Appid then secret, in the platform's order. The two endpoints name the secret field differently. */
function checkComponent(
  state: ComponentEndpointState,
  body: Body,
  secretField: 'component_appsecret' | 'component_secret',
): { component: FakeWeChatComponent } | { error: ReturnType<typeof wechatError> } {
  // A missing appid is reported like an unknown one; the library treats both as configuration errors.
  const component = state.components.get(text(body, 'component_appid') ?? '');
  if (!component) return { error: wechatError(40013) };
  const secret = text(body, secretField);
  if (!secret) return { error: wechatError(41004) };
  if (secret !== component.appSecret) return { error: wechatError(40125) };
  return { component };
}

/** The body when it is a JSON object, else undefined (answered 47001). */
export function jsonObject(request: FakeRequest): Body | undefined {
  const json = request.json;
  return typeof json === 'object' && json !== null && !Array.isArray(json) ? (json as Body) : undefined;
}

/** A non-empty string field, else undefined. */
export function text(body: Body, field: string): string | undefined {
  const value = body[field];
  return typeof value === 'string' && value !== '' ? value : undefined;
}
