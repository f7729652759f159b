import { PATH_METADATA } from '@nestjs/common/constants.js';
import type { Type } from '@nestjs/common';

/**
 * Sets the path of the module's controllers to the resolved `routePrefix`. Runs as a provider
 * factory: Nest instantiates providers before it registers routes (at `app.init()`), so the
 * metadata is in place when the router reads it, for `forRoot` and `forRootAsync` alike.
 */
export function bindRoutePrefix(controllers: Type<unknown>[], routePrefix: string): void {
  for (const controller of controllers) Reflect.defineMetadata(PATH_METADATA, routePrefix, controller);
}
