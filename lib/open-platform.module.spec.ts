import { describe, expect, it } from '@jest/globals';
import type { OpenPlatformModuleAsyncOptions } from './index.js';
import { OpenPlatformModule } from './open-platform.module.js';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

describe('OpenPlatformModuleAsyncOptions', () => {
  it('is exactly the type forRootAsync takes (checked by tsc in npm run typecheck)', () => {
    const same: Equal<OpenPlatformModuleAsyncOptions, Parameters<typeof OpenPlatformModule.forRootAsync>[0]> = true;
    expect(same).toBe(true);
  });
});
