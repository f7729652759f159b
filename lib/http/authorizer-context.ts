import { AsyncLocalStorage } from 'node:async_hooks';

/** Who outbound calls act as while an `@AsAuthorizer` method runs. */
export interface AuthorizerScope {
  authorizerAppId: string;
  componentAppId?: string;
}

/**
 * The current scope, carried across awaits, timers and nested calls by AsyncLocalStorage, and
 * isolated between concurrent requests. One per process: the decorator (applied at class
 * definition time) and the interceptor must share it.
 */
export const authorizerContext = new AsyncLocalStorage<AuthorizerScope>();
