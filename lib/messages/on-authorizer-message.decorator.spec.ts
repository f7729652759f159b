import { describe, expect, it } from '@jest/globals';
import 'reflect-metadata';
import type { AuthorizerInbound } from '../authorizer-messages/authorizer-message.interface.js';
import { Reply } from '../authorizer-messages/reply.js';
import { declarationMatches } from './authorizer-message.explorer.js';
import {
  AUTHORIZER_MESSAGE_HANDLERS,
  OnAuthorizerEvent,
  OnAuthorizerMessage,
  type HandlerDeclaration,
} from './on-authorizer-message.decorator.js';

const base = {
  platform: 'wechat' as const,
  componentAppId: 'wx_c',
  authorizerAppId: 'wx_a',
  toUserName: 'gh',
  fromUserName: 'o',
  createTime: 1,
  raw: {},
};
const text: AuthorizerInbound = { ...base, msgType: 'text', content: 'Hello there', msgId: '1' };
const image: AuthorizerInbound = { ...base, msgType: 'image', picUrl: '', mediaId: '', msgId: '2' };
const unknown: AuthorizerInbound = { ...base, msgType: 'unknown', originalMsgType: 'miniprogrampage' };
const click: AuthorizerInbound = { ...base, msgType: 'event', event: 'CLICK', eventKey: 'k' };

function declarations(decorator: MethodDecorator): HandlerDeclaration[] {
  class Host {
    handle() {}
  }
  const descriptor = Object.getOwnPropertyDescriptor(Host.prototype, 'handle')!;
  decorator(Host.prototype, 'handle', descriptor);
  return Reflect.getMetadata(AUTHORIZER_MESSAGE_HANDLERS, descriptor.value) as HandlerDeclaration[];
}

const matches = (decorator: MethodDecorator, m: AuthorizerInbound) => declarationMatches(declarations(decorator)[0], m);

describe('@OnAuthorizerMessage / @OnAuthorizerEvent', () => {
  it('message handlers take messages only; content filters take text only', () => {
    expect(matches(OnAuthorizerMessage(), text)).toBe(true);
    expect(matches(OnAuthorizerMessage(), click)).toBe(false);
    expect(matches(OnAuthorizerMessage({ content: /^hello/i }), text)).toBe(true);
    expect(matches(OnAuthorizerMessage({ content: 'Hello' }), text)).toBe(false);
    expect(matches(OnAuthorizerMessage({ content: /.*/ }), image)).toBe(false);
    expect(matches(OnAuthorizerMessage({ msgType: 'miniprogrampage' }), unknown)).toBe(true);
    expect(matches(OnAuthorizerMessage({ authorizerAppId: 'wx_other' }), text)).toBe(false);
    expect(matches(OnAuthorizerMessage({ platform: 'douyin' }), text)).toBe(false);
  });

  it('event handlers take events by name, pattern or filter', () => {
    expect(matches(OnAuthorizerEvent('CLICK'), click)).toBe(true);
    expect(matches(OnAuthorizerEvent('VIEW'), click)).toBe(false);
    expect(matches(OnAuthorizerEvent(/^CL/), click)).toBe(true);
    expect(matches(OnAuthorizerEvent({ componentAppId: 'wx_c' }), click)).toBe(true);
    expect(matches(OnAuthorizerEvent(), text)).toBe(false);
  });

  it('a global RegExp matches every time (no lastIndex carried between messages)', () => {
    const d = declarations(OnAuthorizerMessage({ content: /hello/gi }))[0];
    expect([declarationMatches(d, text), declarationMatches(d, text), declarationMatches(d, text)]).toEqual([
      true,
      true,
      true,
    ]);
  });

  it('several decorators on one method are all kept', () => {
    class Host {
      handle() {}
    }
    const descriptor = Object.getOwnPropertyDescriptor(Host.prototype, 'handle')!;
    OnAuthorizerMessage({ content: 'a' })(Host.prototype, 'handle', descriptor);
    OnAuthorizerEvent('CLICK')(Host.prototype, 'handle', descriptor);
    expect((Reflect.getMetadata(AUTHORIZER_MESSAGE_HANDLERS, descriptor.value) as unknown[]).length).toBe(2);
  });

  it('refuses filters it does not understand, naming the field', () => {
    expect(() => OnAuthorizerMessage({ event: 'x' } as never)).toThrow(/unknown filter field 'event'/);
    expect(() => OnAuthorizerEvent({ content: 'x' } as never)).toThrow(/unknown filter field 'content'/);
    expect(() => OnAuthorizerMessage({ authorizerAppId: /x/ } as never)).toThrow(/'authorizerAppId' must be a string/);
    expect(() => OnAuthorizerMessage({ msgType: 3 } as never)).toThrow(/'msgType' must be a string or a RegExp/);
  });
});

describe('Reply', () => {
  it('checks its arguments', () => {
    expect(() => Reply.text(undefined as never)).toThrow(TypeError);
    expect(() => Reply.news([])).toThrow(/1 to 8 articles/);
    expect(() => Reply.news(Array.from({ length: 9 }, () => ({ title: 't' })))).toThrow(/1 to 8 articles/);
    expect(Reply.transferCustomerService().body).toEqual({ type: 'transfer_customer_service', kfAccount: undefined });
  });
});
