import { describe, expect, it } from '@jest/globals';
import type { ArgumentsHost } from '@nestjs/common';
import { OpenPlatformError, OpenPlatformErrorCode } from '../errors/open-platform.error.js';
import { OpenPlatformExceptionFilter } from './open-platform-exception.filter.js';

const error = new OpenPlatformError({
  platform: 'library',
  code: OpenPlatformErrorCode.AUTHORIZER_NOT_FOUND,
  message: 'authorizer wx_x is unknown',
});

function host(type: string, response: unknown): ArgumentsHost {
  return {
    getType: () => type,
    switchToHttp: () => ({ getResponse: () => response, getRequest: () => ({}), getNext: () => undefined }),
  } as unknown as ArgumentsHost;
}

describe('OpenPlatformExceptionFilter without an HttpAdapterHost', () => {
  it('answers an Express-like response', () => {
    const sent: unknown[] = [];
    const res = { status: (code: number) => (sent.push(code), res), json: (body: unknown) => sent.push(body) };
    new OpenPlatformExceptionFilter().catch(error, host('http', res));
    expect(sent).toEqual([404, expect.objectContaining({ statusCode: 404, code: 'AUTHORIZER_NOT_FOUND' })]);
  });

  it('answers a Fastify-like reply', () => {
    const sent: unknown[] = [];
    const reply = { code: (code: number) => (sent.push(code), reply), send: (body: unknown) => sent.push(body) };
    new OpenPlatformExceptionFilter().catch(error, host('http', reply));
    expect(sent).toEqual([404, expect.objectContaining({ statusCode: 404 })]);
  });

  it('leaves other transports (rpc, ws) and unknown responses to their own handling: it rethrows', () => {
    expect(() => new OpenPlatformExceptionFilter().catch(error, host('rpc', {}))).toThrow(error);
    expect(() => new OpenPlatformExceptionFilter().catch(error, host('http', {}))).toThrow(error);
  });
});

describe('OpenPlatformExceptionFilter and the shared store', () => {
  it.each([OpenPlatformErrorCode.STORE_UNAVAILABLE, OpenPlatformErrorCode.LOCK_TIMEOUT])(
    '%s (store down, work held elsewhere too long) is a 503: it passes by itself',
    (code) => {
      const sent: unknown[] = [];
      const res = { status: (c: number) => (sent.push(c), res), json: (body: unknown) => sent.push(body) };
      const unavailable = new OpenPlatformError({ platform: 'library', code, message: 'retry later', retryable: true });
      new OpenPlatformExceptionFilter().catch(unavailable, host('http', res));
      expect(sent).toEqual([503, expect.objectContaining({ statusCode: 503, code, retryable: true })]);
    },
  );
});
