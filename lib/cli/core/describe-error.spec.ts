import { describe, expect, it } from '@jest/globals';
import { OpenPlatformError, OpenPlatformErrorCode } from '../../errors/open-platform.error.js';
import { describeError } from './describe-error.js';

describe('describeError', () => {
  it("never quotes a driver error's message: it may hold the value that failed to be written", () => {
    const driver = Object.assign(new Error('value "refresh-secret-123" too long for column'), { code: '22001' });
    expect(describeError(driver)).toBe('unexpected error (22001)');
    class DriverError extends Error {}
    expect(describeError(new DriverError('refresh-secret-123'))).toBe('unexpected error (DriverError)');
    expect(describeError('refresh-secret-123')).toBe('unexpected error (String)');
  });

  it("keeps a Node system error's message (a path or an address) and the library's code and message", () => {
    const enoent = Object.assign(new Error("ENOENT: no such file or directory, open 'rows.csv'"), {
      code: 'ENOENT',
      syscall: 'open',
    });
    expect(describeError(enoent)).toBe("ENOENT: no such file or directory, open 'rows.csv'");
    const lib = new OpenPlatformError({
      platform: 'library',
      code: OpenPlatformErrorCode.STORE_WRITE_FAILED,
      message: 'x',
    });
    expect(describeError(lib)).toBe('STORE_WRITE_FAILED: x');
  });
});
