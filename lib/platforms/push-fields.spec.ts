import { describe, expect, it } from '@jest/globals';
import { OpenPlatformError } from '../errors/open-platform.error.js';
import { assertUsablePush, isUsableField, MAX_PUSH_FIELD_LENGTH } from './push-fields.js';

describe('isUsableField', () => {
  it.each([
    ['a ticket', 'ticket@@@abc-DEF_123', true],
    ['an appid', 'tt_0123456789abcdef', true],
    ['the longest accepted', 'x'.repeat(MAX_PUSH_FIELD_LENGTH), true],
    ['empty', '', false],
    ['spaces', '   ', false],
    ['a full-width space', '\u3000', false],
    ['tab and newline', '\t\n', false],
    ['a control character inside', 'abc\u0000def', false],
    ['a zero-width space only', '\u200b', false],
    ['a zero-width space inside', 'tick\u200bet', false],
    ['a byte-order mark', '\ufeffticket', false],
    ['over the limit', 'x'.repeat(MAX_PUSH_FIELD_LENGTH + 1), false],
    ['not a string', 42, false],
  ])('%s → %s', (_name, value, usable) => {
    expect(isUsableField(value)).toBe(usable);
  });
});

describe('assertUsablePush', () => {
  it('names the unusable field and never echoes its value', () => {
    const push = { kind: 'ticket', componentAppId: 'tt_c', createdAt: 1, ticket: '\u200b' } as const;
    let caught: unknown;
    try {
      assertUsablePush(push, 'douyin');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(OpenPlatformError);
    expect(caught).toMatchObject({ code: 'MALFORMED_MESSAGE', platform: 'douyin' });
    expect((caught as Error).message).toContain('ticket');
    expect((caught as Error).message).not.toContain('\u200b');
  });
});
