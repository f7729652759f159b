import type { ResolvedComponent } from '../options/resolved-options.js';
import type { PlatformPush } from './platform-adapter.js';

/** Injection token of the ordered list of {@link PushHandler}s. */
export const PUSH_HANDLERS = 'OPEN_PLATFORM:PUSH_HANDLERS';

/**
 * Acts on a verified push, in normalized terms; returns true when it handled it. Every kind of
 * push (tickets, authorization changes, anything else) goes through the same list, in order.
 */
export interface PushHandler {
  handle(component: ResolvedComponent, push: PlatformPush): Promise<boolean>;
}
