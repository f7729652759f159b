import { OpenPlatformError, OpenPlatformErrorCode } from '../../errors/open-platform.error.js';

/** The optional peer package fleet mode runs on (node-redis comes with it). */
export const REDIS_PACKAGE = '@keyv/redis';

export type RedisPackage = typeof import('@keyv/redis');

/**
 * Loads `@keyv/redis` only when the options ask for `redis`, so apps on process memory never need
 * it installed; a missing package fails the boot with the command that fixes it.
 */
export async function loadRedisPackage(): Promise<RedisPackage> {
  try {
    return (await import(REDIS_PACKAGE)) as RedisPackage;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') throw err;
    throw new OpenPlatformError({
      platform: 'library',
      code: OpenPlatformErrorCode.INVALID_OPTIONS,
      message: `Invalid OpenPlatformModule options:\n  - redis: fleet mode needs the package ${REDIS_PACKAGE}; install it with \`npm install ${REDIS_PACKAGE}@^5.1.6\``,
    });
  }
}
