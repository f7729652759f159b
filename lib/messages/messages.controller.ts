import { Controller, HttpCode, HttpException, HttpStatus, Param, Post, Req, Res, type Type } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { toHttpError } from '../callback/http-error.js';
import { readPushBody, type PushRequest } from '../callback/read-push-body.js';
import { RefusedPushLog } from '../callback/refused-push.log.js';
import { ComponentsService } from '../components/components.service.js';
import { OpenPlatformError } from '../errors/open-platform.error.js';
import { MAX_PUSH_BYTES } from '../open-platform.constants.js';
import { AuthorizerMessagesService } from './authorizer-messages.service.js';

/**
 * Creates the message URL's controller, one class per module registration (its path is the
 * resolved `routePrefix`, bound like the events controller's).
 */
export function createMessagesController(): Type<unknown> {
  @Controller()
  class OpenPlatformMessagesController {
    constructor(
      private readonly components: ComponentsService,
      private readonly messages: AuthorizerMessagesService,
      private readonly refusals: RefusedPushLog,
      private readonly adapterHost: HttpAdapterHost,
    ) {}

    /**
     * The message and event URL (configured on WeChat as `…/authorizers/$APPID$/messages`):
     * answers `200` with an encrypted passive reply, or `success`. Bad input gets a 4xx (the same
     * rules as the events route) and no handler runs.
     */
    @Post(':componentAppId/authorizers/:authorizerAppId/messages')
    @HttpCode(200)
    async receive(
      @Param('componentAppId') componentAppId: string,
      @Param('authorizerAppId') authorizerAppId: string,
      @Req() req: PushRequest,
      @Res({ passthrough: true }) res: unknown,
    ): Promise<string> {
      const component = this.components.find(componentAppId);
      try {
        if (!component) this.components.resolve(componentAppId); // throws UNKNOWN_COMPONENT
        const body = await readPushBody(req, MAX_PUSH_BYTES);
        const answer = await this.messages.receive(component!, authorizerAppId, {
          query: (req as { query?: Record<string, unknown> }).query ?? {},
          body,
        });
        this.setHeader(res, 'Content-Type', answer.contentType);
        return answer.body;
      } catch (err) {
        const answer = toHttpError(err);
        if (answer instanceof HttpException && answer.getStatus() < 500) {
          this.refusals.refused(
            component?.appId,
            err instanceof OpenPlatformError ? String(err.code) : 'UNKNOWN',
            answer.getStatus(),
          );
          if (answer.getStatus() === Number(HttpStatus.PAYLOAD_TOO_LARGE)) this.setHeader(res, 'Connection', 'close');
        }
        throw answer;
      }
    }

    private setHeader(res: unknown, name: string, value: string): void {
      this.adapterHost.httpAdapter.setHeader(res, name, value);
    }
  }
  return OpenPlatformMessagesController;
}
