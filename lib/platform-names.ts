/**
 * Every platform name the module knows, declared once: the `PlatformName` type, the options check
 * and `MessageCrypto`'s check derive from this list. (Which of them this version can run is the
 * platform registry's business: `platforms/platforms.ts`.)
 */
export const PLATFORM_NAMES = ['wechat', 'douyin'] as const;

/** The platforms this module speaks to. */
export type PlatformName = (typeof PLATFORM_NAMES)[number];

/** Whether `value` is one of {@link PLATFORM_NAMES}. */
export function isPlatformName(value: unknown): value is PlatformName {
  return typeof value === 'string' && (PLATFORM_NAMES as readonly string[]).includes(value);
}
