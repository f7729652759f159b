import { OpenPlatformError, OpenPlatformErrorCode } from '../errors/open-platform.error.js';
import { authorizerContext, type AuthorizerScope } from './authorizer-context.js';
import { scopedResult } from './scoped-result.js';

/** An appid, or a function of the method's arguments that returns one. */
export type AuthorizerResolver = string | ((...methodArgs: any[]) => string | undefined | null);

/** Options of {@link AsAuthorizer}. */
export interface AsAuthorizerOptions {
  /** The component the authorizer belongs to; needed only with several components. */
  componentAppId?: string;
}

/**
 * Makes calls through `OpenPlatformHttpService` act as an authorizer while the decorated method
 * runs, including after awaits, in timers and in nested calls. An explicit `authorizerAppId` in a
 * request config wins.
 *
 * What the method returns keeps the scope too: a Promise, an Observable (subscribed later, e.g. by
 * Nest for a controller method, runs inside the scope) and an async iterable (each `next()` runs
 * inside it).
 *
 * ```ts
 * @AsAuthorizer((shop: Shop) => shop.appId)
 * async syncShop(shop: Shop) { await firstValueFrom(this.http.get(url)); }
 *
 * @Get(':appId/basic')
 * @AsAuthorizer((appId: string) => appId)
 * basic(@Param('appId') appId: string) { return this.http.get(url).pipe(map((r) => r.data)); }
 * ```
 *
 * Works on providers and controllers alike: the method is wrapped at decoration time and keeps
 * the metadata other decorators (`@Get`, `@UseGuards`…) put on it, in any order.
 */
export function AsAuthorizer(appIdOrResolver: AuthorizerResolver, options: AsAuthorizerOptions = {}): MethodDecorator {
  if (typeof appIdOrResolver !== 'string' && typeof appIdOrResolver !== 'function') {
    throw new TypeError('@AsAuthorizer needs an appid or a function returning one');
  }
  return (target, propertyKey, descriptor: PropertyDescriptor) => {
    const original = descriptor.value as (...args: unknown[]) => unknown;
    if (typeof original !== 'function')
      throw new TypeError(`@AsAuthorizer can only decorate methods (${String(propertyKey)})`);
    const where = `${(target as { constructor?: { name?: string } }).constructor?.name ?? 'class'}.${String(propertyKey)}`;
    // An async method reports the error as a rejection, as its callers expect.
    const isAsync = original.constructor?.name === 'AsyncFunction';
    const wrapped = function (this: unknown, ...args: unknown[]) {
      const appId = typeof appIdOrResolver === 'function' ? appIdOrResolver(...args) : appIdOrResolver;
      if (typeof appId !== 'string' || appId.length === 0) {
        const error = new OpenPlatformError({
          platform: 'library',
          code: OpenPlatformErrorCode.INVALID_ARGUMENT,
          message: `@AsAuthorizer on ${where}: the resolver returned no authorizer appid`,
        });
        if (isAsync) return Promise.reject(error);
        throw error;
      }
      const scope: AuthorizerScope = { authorizerAppId: appId, componentAppId: options.componentAppId };
      return scopedResult(
        scope,
        authorizerContext.run(scope, () => original.apply(this, args)),
      );
    };
    for (const key of Reflect.getMetadataKeys?.(original) ?? [])
      Reflect.defineMetadata(key, Reflect.getMetadata(key, original), wrapped);
    Object.defineProperty(wrapped, 'name', { value: original.name });
    descriptor.value = wrapped;
    return descriptor;
  };
}
