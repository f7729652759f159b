import { Controller, Header, HttpCode, Param, Post, Req, type Type } from '@nestjs/common';
import { ComponentsService } from '../components/components.service.js';
import { MAX_PUSH_BYTES } from '../open-platform.constants.js';
import { PushService } from './push.service.js';
import { toHttpError } from './http-error.js';
import { readPushBody, type PushRequest } from './read-push-body.js';

/**
 * Creates the events controller. One class per module registration, because its path (the
 * `routePrefix` option) is only known once the options are resolved, which for `forRootAsync`
 * happens after decoration time; see `route-binder.ts`.
 */
export function createEventsController(): Type<unknown> {
  @Controller()
  class OpenPlatformEventsController {
    constructor(
      private readonly components: ComponentsService,
      private readonly pushes: PushService,
    ) {}

    /** The authorization-event URL (DESIGN §3). */
    @Post(':componentAppId/events')
    @HttpCode(200)
    @Header('Content-Type', 'text/plain; charset=utf-8')
    async receive(@Param('componentAppId') componentAppId: string, @Req() req: PushRequest): Promise<string> {
      try {
        const component = this.components.resolve(componentAppId);
        const body = await readPushBody(req, MAX_PUSH_BYTES);
        const push = this.pushes.open(component, {
          query: (req as { query?: Record<string, unknown> }).query ?? {},
          body,
        });
        await this.pushes.dispatch(component, push);
        return 'success';
      } catch (err) {
        throw toHttpError(err);
      }
    }
  }
  return OpenPlatformEventsController;
}
