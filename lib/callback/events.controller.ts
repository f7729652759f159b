import { Controller, HttpCode, HttpException, HttpStatus, Param, Post, Req, Res, type Type } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ComponentsService } from '../components/components.service.js';
import { OpenPlatformError } from '../errors/open-platform.error.js';
import { MAX_PUSH_BYTES } from '../open-platform.constants.js';
import { PushService } from './push.service.js';
import { RefusedPushLog } from './refused-push.log.js';
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
      private readonly refusals: RefusedPushLog,
      private readonly adapterHost: HttpAdapterHost,
    ) {}

    /**
     * The authorization-event URL: verifies, decrypts and acts on a platform push, and answers
     * `200 text/plain success`. Bad input gets a 4xx and changes nothing.
     */
    @Post(':componentAppId/events')
    @HttpCode(200)
    async receive(
      @Param('componentAppId') componentAppId: string,
      @Req() req: PushRequest,
      @Res({ passthrough: true }) res: unknown,
    ): Promise<string> {
      const component = this.components.find(componentAppId);
      try {
        if (!component) this.components.resolve(componentAppId); // throws UNKNOWN_COMPONENT
        const body = await readPushBody(req, MAX_PUSH_BYTES);
        await this.pushes.receive(component!, {
          query: (req as { query?: Record<string, unknown> }).query ?? {},
          body,
        });
        // Set here rather than with @Header, which applies to error answers too (a JSON body
        // under a text/plain type, which Fastify warns about).
        this.setHeader(res, 'Content-Type', 'text/plain; charset=utf-8');
        return 'success';
      } catch (err) {
        const answer = toHttpError(err);
        if (answer instanceof HttpException && answer.getStatus() < 500) {
          this.refusals.refused(component?.appId, refusalReason(err), answer.getStatus());
          // The body may be left half-read; closing is cheaper than reading on an attacker's bytes.
          if (answer.getStatus() === Number(HttpStatus.PAYLOAD_TOO_LARGE)) this.setHeader(res, 'Connection', 'close');
        }
        throw answer;
      }
    }

    private setHeader(res: unknown, name: string, value: string): void {
      this.adapterHost.httpAdapter.setHeader(res, name, value);
    }
  }
  return OpenPlatformEventsController;
}

function refusalReason(err: unknown): string {
  return err instanceof OpenPlatformError ? String(err.code) : 'UNKNOWN';
}
