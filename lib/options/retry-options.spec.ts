// class-transformer's @Type needs the Reflect metadata API; Nest loads it in an app, a unit test must.
import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { OpenPlatformError, OpenPlatformErrorCode } from '../errors/open-platform.error.js';
import type { OpenPlatformModuleOptions } from './open-platform-options.interface.js';
import { DEFAULT_RETRY, resolveOptions } from './resolved-options.js';
import { validateOptions } from './validate-options.js';

const COMPONENT = {
  platform: 'wechat' as const,
  appId: 'wx1',
  appSecret: 'SECRET-should-not-leak',
  token: 't',
  encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
};
const defaultsFor = () => ({ apiBaseUrl: 'https://api.example', authorizePageUrl: 'https://page.example' });

function problems(retry: unknown): string[] {
  try {
    validateOptions({ components: [COMPONENT], retry });
  } catch (err) {
    expect(err).toBeInstanceOf(OpenPlatformError);
    expect((err as OpenPlatformError).code).toBe(OpenPlatformErrorCode.INVALID_OPTIONS);
    expect((err as Error).message).not.toContain('should-not-leak');
    // One line per broken constraint: a field may be named more than once.
    const paths = (err as Error).message
      .split('\n')
      .slice(1)
      .map((line) => line.replace(/^\s+- /, '').split(':')[0]);
    return [...new Set(paths)];
  }
  return [];
}

describe('retry options', () => {
  it('default to 3 attempts, 200 ms base, 2 s cap', () => {
    const r = resolveOptions({ components: [COMPONENT] }, defaultsFor);
    expect(r.retry).toEqual({ attempts: 3, baseDelayMs: 200, maxDelayMs: 2000 });
    expect(r.retry).toEqual(DEFAULT_RETRY);
  });

  it('take each field given; an explicit undefined keeps the default', () => {
    const opts: OpenPlatformModuleOptions = {
      components: [COMPONENT],
      retry: { attempts: 1, baseDelayMs: undefined, maxDelayMs: 50 },
    };
    expect(() => validateOptions(opts)).not.toThrow();
    expect(resolveOptions(opts, defaultsFor).retry).toEqual({ attempts: 1, baseDelayMs: 200, maxDelayMs: 50 });
  });

  it.each([
    ['attempts', 0],
    ['attempts', 11],
    ['attempts', 2.5],
    ['attempts', '3'],
    ['baseDelayMs', -1],
    ['baseDelayMs', 60_001],
    ['maxDelayMs', -1],
    ['maxDelayMs', 300_001],
    ['maxDelayMs', Number.POSITIVE_INFINITY],
  ])('refuse retry.%s = %p, naming the field', (field, value) => {
    expect(problems({ [field]: value })).toEqual([`retry.${field}`]);
  });

  it('refuse unknown fields', () => {
    expect(problems({ attempts: 2, jitter: false })).toEqual(['retry.jitter']);
  });
});
