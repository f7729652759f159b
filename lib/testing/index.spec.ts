import { describe, expect, it } from '@jest/globals';
import * as testing from './index.js';

describe('nest-open-platform/testing', () => {
  it('exports the emulators and nothing else at runtime', () => {
    expect(Object.keys(testing).sort()).toEqual(['FakeDouyinPlatform', 'FakeWeChatPlatform']);
  });
});
