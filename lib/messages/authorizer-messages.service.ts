import { randomInt } from 'node:crypto';
import { Inject, Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { firstValueFrom } from 'rxjs';
import { eventNameOf, msgTypeOf, type AuthorizerInbound } from '../authorizer-messages/authorizer-message.interface.js';
import { Reply } from '../authorizer-messages/reply.js';
import { AuthorizationService } from '../authorizers/authorization.service.js';
import { AuthorizerStore, toAuthorizerInfo } from '../authorizers/authorizer.store.js';
import { PushService } from '../callback/push.service.js';
import { Clock } from '../clock/clock.js';
import { OpenPlatformError, OpenPlatformErrorCode } from '../errors/open-platform.error.js';
import type { AuthorizerMessageFailure } from '../events/open-platform-event.interface.js';
import { OpenPlatformEvents } from '../events/open-platform-events.service.js';
import { authorizerContext } from '../http/authorizer-context.js';
import { OpenPlatformHttpService } from '../http/open-platform-http.service.js';
import { OPEN_PLATFORM_OPTIONS } from '../open-platform.constants.js';
import type { ResolvedComponent, ResolvedOptions } from '../options/resolved-options.js';
import type { ReleaseCheckAction } from '../platforms/message-codec.js';
import type { InboundPush } from '../platforms/platform-adapter.js';
import { PlatformRegistry } from '../platforms/platform-registry.js';
import type { AuthorizerMessageContext } from './authorizer-message-context.interface.js';
import { AuthorizerMessageExplorer, type DiscoveredHandler } from './authorizer-message.explorer.js';
import { HandledMessages, type MessageOutcome } from './handled-messages.js';

/** The HTTP answer to a message. */
export interface MessageAnswer {
  body: string;
  contentType: string;
}

const PLAIN = 'text/plain; charset=utf-8';

type Settled = { handler: DiscoveredHandler } & ({ ok: true; value: unknown } | { ok: false; error: unknown });

function errorOf(err: unknown): { code: number | string; message: string } {
  if (err instanceof OpenPlatformError) return { code: err.code, message: err.message };
  return { code: 'HANDLER_ERROR', message: err instanceof Error ? err.message : String(err) };
}

/**
 * The message URL (消息与事件接收 URL): verifies and decrypts with the component's token and key,
 * answers the release check, dispatches to the `@OnAuthorizerMessage` / `@OnAuthorizerEvent`
 * handlers of active authorizers within the reply budget, and encrypts their passive reply.
 * Whatever a handler does, the platform gets a 200: only bad input gets a 4xx.
 */
@Injectable()
export class AuthorizerMessagesService implements BeforeApplicationShutdown {
  private readonly logger = new Logger('OpenPlatform:Messages');
  /** Release-check answers still being sent, awaited at shutdown. */
  private readonly followUps = new Set<Promise<void>>();

  constructor(
    private readonly platforms: PlatformRegistry,
    private readonly pushes: PushService,
    private readonly handled: HandledMessages,
    private readonly explorer: AuthorizerMessageExplorer,
    private readonly store: AuthorizerStore,
    private readonly authorizations: AuthorizationService,
    private readonly events: OpenPlatformEvents,
    private readonly http: OpenPlatformHttpService,
    private readonly clock: Clock,
    @Inject(OPEN_PLATFORM_OPTIONS) private readonly options: ResolvedOptions,
  ) {}

  /**
   * Verifies, decrypts and handles a message for `authorizerAppId` (from the URL) of `component`.
   * Throws `OpenPlatformError` for bad input only (nothing ran then).
   */
  async receive(component: ResolvedComponent, authorizerAppId: string, inbound: InboundPush): Promise<MessageAnswer> {
    const adapter = this.platforms.get(component.platform);
    const problem = adapter.authorizerAppIdProblem(authorizerAppId);
    if (problem !== undefined)
      throw new OpenPlatformError({
        platform: component.platform,
        code: OpenPlatformErrorCode.INVALID_ARGUMENT,
        message: `message rejected: the authorizer appid in the URL ${problem}`,
      });
    const codec = adapter.messages;
    const plaintext = this.pushes.openEnvelope(component, codec.readEnvelope(inbound));
    const { message, dedupeKey } = codec.decode(plaintext, {
      platform: component.platform,
      componentAppId: component.appId,
      authorizerAppId,
    });
    const budget = this.options.messages.replyBudgetMs;
    // Keyed per authorizer too: two accounts may each get a message with the same key fields.
    const key = `${authorizerAppId}:${dedupeKey}`;
    const outcome = await this.handled.once(component, key, budget, () => this.handle(component, message));
    if (outcome.repeat)
      this.logger.debug(`repeated ${msgTypeOf(message)} message to ${authorizerAppId} answered again`);
    if (outcome.reply !== undefined) {
      const timestamp = String(Math.floor(this.clock.now() / 1000));
      const nonce = String(randomInt(100_000_000, 2_147_483_647));
      return {
        body: codec.seal(this.pushes.crypto(component), outcome.reply, timestamp, nonce),
        contentType: codec.replyContentType,
      };
    }
    return { body: outcome.empty ? '' : 'success', contentType: PLAIN };
  }

  /** Waits for release-check answers still being sent. */
  async beforeApplicationShutdown(): Promise<void> {
    await Promise.allSettled([...this.followUps]);
  }

  private async handle(component: ResolvedComponent, message: AuthorizerInbound): Promise<MessageOutcome> {
    const codec = this.platforms.get(component.platform).messages;
    const action = this.options.messages.releaseCheck ? codec.releaseCheck?.(message) : undefined;
    if (action) return this.releaseCheck(component, message, action);

    const record = await this.store.get(component, message.authorizerAppId);
    if (record?.status !== 'active') {
      this.logger.warn(
        `a ${msgTypeOf(message)} message to ${message.authorizerAppId} of ${component.appId} was acknowledged ` +
          `without dispatch: the authorizer is ${record ? record.status : 'not recorded'}`,
      );
      this.failed(message, 'authorizer_not_active', {
        error: {
          code: 'AUTHORIZER_NOT_ACTIVE',
          message: `the authorizer is ${record ? record.status : 'not recorded'}`,
        },
      });
      return {};
    }
    this.events.emit({
      type: 'authorizer.message',
      platform: component.platform,
      componentAppId: component.appId,
      authorizerAppId: message.authorizerAppId,
      at: this.clock.now(),
      message,
    });
    const handlers = this.explorer.handlersFor(message);
    if (handlers.length === 0) return {};
    const ctx: AuthorizerMessageContext = {
      platform: component.platform,
      componentAppId: component.appId,
      authorizerAppId: message.authorizerAppId,
      // The record as stored: the token cache is not read on this hot path (no accessTokenExpiresAt).
      authorizer: toAuthorizerInfo(record),
      http: this.http,
    };
    const reply = await this.dispatch(handlers, message, ctx);
    const plaintext = reply && codec.render(reply.body, message, Math.floor(this.clock.now() / 1000));
    return plaintext === undefined ? {} : { reply: plaintext };
  }

  /**
   * Runs every matching handler as the authorizer, all at once, within the budget. The first
   * handler (in discovery order) that returned a `Reply` answers; a throwing one is reported and
   * does not stop the others. Past the budget nobody answers; late handlers still finish.
   */
  private async dispatch(
    handlers: DiscoveredHandler[],
    message: AuthorizerInbound,
    ctx: AuthorizerMessageContext,
  ): Promise<Reply | undefined> {
    const scope = { authorizerAppId: ctx.authorizerAppId, componentAppId: ctx.componentAppId };
    const runs = handlers.map((handler) =>
      authorizerContext
        .run(scope, async () => handler.invoke(message, ctx))
        .then(
          (value): Settled => ({ handler, ok: true, value }),
          (error: unknown): Settled => ({ handler, ok: false, error }),
        ),
    );
    let timer: NodeJS.Timeout | undefined;
    const overtime = new Promise<'overtime'>((resolve) => {
      timer = setTimeout(() => resolve('overtime'), this.options.messages.replyBudgetMs);
    });
    const settled = await Promise.race([Promise.all(runs), overtime]);
    clearTimeout(timer);
    if (settled === 'overtime') {
      this.logger.warn(
        `handlers of a ${msgTypeOf(message)} message to ${ctx.authorizerAppId} ran past ` +
          `${this.options.messages.replyBudgetMs} ms: answered success, their reply is dropped ` +
          `(answer slow messages through the customer-service API)`,
      );
      this.failed(message, 'budget_exceeded', {
        error: { code: 'BUDGET_EXCEEDED', message: `handlers ran past ${this.options.messages.replyBudgetMs} ms` },
      });
      void Promise.all(runs).then((late) => {
        this.reportErrors(late, message);
        if (late.some((r) => r.ok && r.value instanceof Reply))
          this.logger.debug(`a late reply to ${ctx.authorizerAppId} was dropped`);
      });
      return undefined;
    }
    this.reportErrors(settled, message);
    for (const result of settled) if (result.ok && result.value instanceof Reply) return result.value;
    return undefined;
  }

  private reportErrors(results: Settled[], message: AuthorizerInbound): void {
    for (const result of results) {
      if (result.ok) continue;
      const error = errorOf(result.error);
      this.logger.error(
        `${result.handler.name} failed on a ${msgTypeOf(message)} message to ${message.authorizerAppId}: ${error.message}`,
      );
      this.failed(message, 'handler_error', { handler: result.handler.name, error });
    }
  }

  /** The built-in release check: an immediate answer, or an empty one and the code case's follow-up. */
  private releaseCheck(
    component: ResolvedComponent,
    message: AuthorizerInbound,
    action: ReleaseCheckAction,
  ): MessageOutcome {
    const codec = this.platforms.get(component.platform).messages;
    if (action.reply) {
      const reply = codec.render(action.reply, message, Math.floor(this.clock.now() / 1000));
      return reply === undefined ? {} : { reply };
    }
    const query = action.queryAuthCode;
    if (!query || !codec.customerServiceText) return {};
    const send = codec.customerServiceText(component, query.toUser, query.content);
    const followUp = (async () => {
      try {
        await this.authorizations.exchange(component, query.code);
        const answer = await firstValueFrom(
          this.http.post<unknown>(send.url, send.data, {
            authorizerAppId: message.authorizerAppId,
            componentAppId: component.appId,
          }),
        );
        const code = codec.customerServiceFailure?.(answer.data);
        if (code !== undefined)
          throw new OpenPlatformError({
            platform: component.platform,
            code,
            message: `the customer-service send answered code ${code}`,
          });
        this.logger.log(`release check: answered the code case of ${message.authorizerAppId}`);
      } catch (err) {
        const error = errorOf(err);
        this.logger.warn(`release check: the code case of ${message.authorizerAppId} failed: ${error.message}`);
        this.failed(message, 'release_check_failed', { error });
      }
    })();
    this.followUps.add(followUp);
    void followUp.finally(() => this.followUps.delete(followUp));
    return { empty: true };
  }

  private failed(
    message: AuthorizerInbound,
    reason: AuthorizerMessageFailure,
    extra: { handler?: string; error: { code: number | string; message: string } },
  ): void {
    this.events.emit({
      type: 'authorizer.message_failed',
      platform: message.platform,
      componentAppId: message.componentAppId,
      authorizerAppId: message.authorizerAppId,
      at: this.clock.now(),
      reason,
      msgType: msgTypeOf(message),
      ...(message.msgType === 'event' ? { event: eventNameOf(message) } : {}),
      ...extra,
    });
  }
}
