import type { ResolvedComponent } from '../options/resolved-options.js';
import type { PlatformPush } from '../platforms/platform-adapter.js';

/** Injection token of the list of {@link PushHandler}s. */
export const PUSH_HANDLERS = 'OPEN_PLATFORM:PUSH_HANDLERS';

/** Acts on a verified push; returns true when it handled it. */
export interface PushHandler {
  handle(component: ResolvedComponent, push: PlatformPush): Promise<boolean>;
}
