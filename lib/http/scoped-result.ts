import { isObservable, Observable } from 'rxjs';
import { authorizerContext, type AuthorizerScope } from './authorizer-context.js';

/**
 * Keeps the scope for work a method hands back to run later. A Promise needs nothing: its work
 * started inside the scope and AsyncLocalStorage follows it. An Observable runs when subscribed
 * (Nest subscribes to a controller's after the method returned); an async iterable runs on each
 * `next()`. Both are wrapped so that this happens inside the scope.
 */
export function scopedResult(scope: AuthorizerScope, result: unknown): unknown {
  if (isObservable(result))
    return new Observable<unknown>((subscriber) => authorizerContext.run(scope, () => result.subscribe(subscriber)));
  if (isAsyncIterable(result)) return scopedIterable(scope, result);
  return result;
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  if (value === null || typeof value !== 'object') return false;
  if (typeof (value as { then?: unknown }).then === 'function') return false;
  // A stream is async iterable too, but callers want the stream itself (to pipe it); its work is
  // driven by its own I/O, not by next().
  if (typeof (value as { pipe?: unknown }).pipe === 'function') return false;
  return typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function';
}

/** An async iterator (and iterable) whose `next` / `return` / `throw` run inside the scope. */
function scopedIterable(scope: AuthorizerScope, source: AsyncIterable<unknown>): AsyncIterableIterator<unknown> {
  let iterator: AsyncIterator<unknown> | undefined;
  const it = () => (iterator ??= authorizerContext.run(scope, () => source[Symbol.asyncIterator]()));
  const wrapped: AsyncIterableIterator<unknown> = {
    next: (...args: [] | [unknown]) => authorizerContext.run(scope, () => it().next(...args)),
    return: (value?: unknown) =>
      authorizerContext.run(scope, () => {
        const i = it();
        return i.return ? i.return(value) : Promise.resolve({ done: true as const, value });
      }),
    throw: (error?: unknown) =>
      authorizerContext.run(scope, () => {
        const i = it();
        if (i.throw) return i.throw(error);
        // Mirrors an iterator without throw(): the reason is the caller's, passed through as given.
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
        return Promise.reject(error);
      }),
    [Symbol.asyncIterator]: () => wrapped,
  };
  return wrapped;
}
