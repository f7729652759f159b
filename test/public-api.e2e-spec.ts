import { describe, expect, it } from '@jest/globals';
import * as api from '../lib/index.js';
import * as testing from '../lib/testing/index.js';

// The barrels export the contract (DESIGN.md) and nothing else; a new export must be added here
// on purpose.
describe('public API', () => {
  it('lib/index.ts exports exactly the contract', () => {
    expect(Object.keys(api).sort()).toEqual([
      'AsAuthorizer',
      'DurableStore',
      'KeyvDurableStore',
      'MemoryDurableStore',
      'MessageCrypto',
      'OnAuthorizerEvent',
      'OnAuthorizerMessage',
      'OpenPlatformError',
      'OpenPlatformErrorCode',
      'OpenPlatformEvents',
      'OpenPlatformExceptionFilter',
      'OpenPlatformHealthIndicator',
      'OpenPlatformHttpService',
      'OpenPlatformModule',
      'Reply',
      'SealedDurableStore',
      'TokenCache',
      'TokenService',
      'exportDurableData',
      'hashAdminPassword',
    ]);
  });

  it('nest-open-platform/testing exports the emulators', () => {
    expect(Object.keys(testing).sort()).toEqual(['FakeDouyinPlatform', 'FakeWeChatPlatform']);
  });
});
