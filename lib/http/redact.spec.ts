import { describe, expect, it } from '@jest/globals';
import { Readable } from 'node:stream';
import { redactBody } from './redact.js';

const T = 'tok_123';

describe('redactBody', () => {
  it('replaces every occurrence in strings, JSON data and bytes', () => {
    expect(redactBody(`a ${T} b ${T}`, [T])).toBe('a [REDACTED] b [REDACTED]');
    expect(redactBody({ msg: `x=${T}`, list: [T], n: 1 }, [T])).toEqual({
      msg: 'x=[REDACTED]',
      list: ['[REDACTED]'],
      n: 1,
    });
    expect(String(redactBody(Buffer.from(`<p>${T}</p>`), [T]))).toBe('<p>[REDACTED]</p>');
    expect(String(redactBody(new TextEncoder().encode(T).buffer, [T]))).toBe('[REDACTED]');
  });

  it('returns a copy, not the live object', () => {
    const data = { a: { b: 1 } };
    const copy = redactBody(data, [T]);
    expect(copy).toEqual(data);
    expect(copy).not.toBe(data);
  });

  it('drops what cannot be made safe: streams and class instances', () => {
    expect(redactBody(Readable.from(['x']), [T])).toBeUndefined();
    expect(redactBody(new (class Holder {})(), [T])).toBeUndefined();
  });

  it('ignores empty secrets and keeps scalars', () => {
    expect(redactBody('abc', [''])).toBe('abc');
    expect(redactBody(null, [T])).toBeNull();
    expect(redactBody(42, [T])).toBe(42);
  });
});
