import { appIdProblem, invalidAppId } from '../app-id.js';
import { authorizerContext, type AuthorizerScope } from './authorizer-context.js';
import { scopedResult } from './scoped-result.js';

/** An appid, or a function of the method's arguments (its leading ones, or all) that returns one. */
export type AuthorizerResolver = string | ((...methodArgs: never[]) => string | undefined | null);

/**
 * What `@AsAuthorizer(resolver)` returns: a method decorator that type-checks the resolver against
 * the decorated method's parameters. A mismatch (e.g. `(shop: Shop) => …` on a method whose first
 * parameter is a string, or a resolver asking for more parameters than the method has) fails to
 * compile with "the resolver must accept the method's parameters".
 */
export type AsAuthorizerDecorator<R extends AuthorizerResolver> = <M extends (...args: never[]) => unknown>(
  target: object,
  propertyKey: string | symbol,
  descriptor: TypedPropertyDescriptor<M>,
) => R extends string
  ? TypedPropertyDescriptor<M>
  : R extends (...args: Parameters<M>) => unknown
    ? TypedPropertyDescriptor<M>
    : { error: "the resolver must accept the method's parameters" };

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
export function AsAuthorizer<R extends AuthorizerResolver>(
  appIdOrResolver: R,
  options: AsAuthorizerOptions = {},
): AsAuthorizerDecorator<R> {
  if (typeof appIdOrResolver !== 'string' && typeof appIdOrResolver !== 'function') {
    throw new TypeError('@AsAuthorizer needs an appid or a function returning one');
  }
  if (options.componentAppId !== undefined && typeof options.componentAppId !== 'string') {
    throw new TypeError('@AsAuthorizer: options.componentAppId must be a string');
  }
  const resolve = appIdOrResolver as string | ((...args: unknown[]) => string | undefined | null);
  const decorator = (target: object, propertyKey: string | symbol, descriptor: PropertyDescriptor) => {
    const original = descriptor.value as (...args: unknown[]) => unknown;
    if (typeof original !== 'function')
      throw new TypeError(`@AsAuthorizer can only decorate methods (${String(propertyKey)})`);
    const where = `${(target as { constructor?: { name?: string } }).constructor?.name ?? 'class'}.${String(propertyKey)}`;
    // An async method reports the error as a rejection, as its callers expect.
    const isAsync = original.constructor?.name === 'AsyncFunction';
    const wrapped = function (this: unknown, ...args: unknown[]) {
      const appId = typeof resolve === 'function' ? resolve(...args) : resolve;
      // Often a route parameter: whatever a client sent is refused here (400 through
      // OpenPlatformExceptionFilter) before the method runs or anything is looked up for it.
      const problem = appIdProblem(appId);
      if (problem !== undefined || typeof appId !== 'string') {
        const error = invalidAppId(`@AsAuthorizer on ${where}: the authorizer appid from the resolver`, problem ?? '');
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
  // The parameter check lives in the type only; at run time every method is wrapped the same way.
  return decorator as unknown as AsAuthorizerDecorator<R>;
}
