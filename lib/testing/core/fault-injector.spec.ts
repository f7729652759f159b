import { describe, expect, it } from '@jest/globals';
import { FaultInjector, wechatErrorBody } from './fault-injector.js';

describe('FaultInjector', () => {
  it('serves faults first-in first-out, each for its number of times', () => {
    const faults = new FaultInjector<'a'>();
    faults.add('a', { kind: 'error', errcode: -1, errmsg: 'system error', times: 2 });
    faults.add('a', { kind: 'drop', times: 1 });

    expect(faults.pending('a')).toBe(3);
    expect(faults.take('a')).toEqual({ kind: 'error', errcode: -1, errmsg: 'system error' });
    expect(faults.take('a')).toEqual({ kind: 'error', errcode: -1, errmsg: 'system error' });
    expect(faults.take('a')).toEqual({ kind: 'drop' });
    expect(faults.take('a')).toBeUndefined();
    expect(faults.pending('a')).toBe(0);
  });

  it('keeps endpoints apart and clears everything', () => {
    const faults = new FaultInjector<'a' | 'b'>();
    faults.add('a', { kind: 'delay', ms: 5, times: 1 });
    faults.add('b', { kind: 'status', status: 502, times: 1 });

    expect(faults.take('b')).toEqual({ kind: 'status', status: 502 });
    faults.clear();
    expect(faults.take('a')).toBeUndefined();
  });

  it('does not let the caller mutate a scheduled fault', () => {
    const faults = new FaultInjector<'a'>();
    const fault = { kind: 'drop' as const, times: 1 };
    faults.add('a', fault);
    fault.times = 5;
    expect(faults.pending('a')).toBe(1);
  });

  it('rejects nonsensical counts and delays', () => {
    const faults = new FaultInjector<'a'>();
    expect(() => faults.add('a', { kind: 'drop', times: 0 })).toThrow(RangeError);
    expect(() => faults.add('a', { kind: 'drop', times: 1.5 })).toThrow(RangeError);
    expect(() => faults.add('a', { kind: 'delay', ms: -1, times: 1 })).toThrow(RangeError);
  });

  it('renders errors with the WeChat envelope unless told otherwise', () => {
    expect(new FaultInjector().errorBody(40001, 'x', 'a')).toEqual({ errcode: 40001, errmsg: 'x' });
    expect(wechatErrorBody(-1, 'busy', 'a')).toEqual({ errcode: -1, errmsg: 'busy' });
    const douyin = new FaultInjector({
      errorBody: (code, msg, endpoint) =>
        endpoint === 'token' ? { errno: code, message: msg } : { err_no: code, err_msg: msg, data: {} },
    });
    expect(douyin.errorBody(40020, 'expired', 'info')).toEqual({ err_no: 40020, err_msg: 'expired', data: {} });
    expect(douyin.errorBody(40037, 'bad ticket', 'token')).toEqual({ errno: 40037, message: 'bad ticket' });
  });
});
