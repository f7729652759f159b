import { Inject, Injectable, Logger } from '@nestjs/common';
import { Clock } from '../clock/clock.js';
import { MessageCrypto } from '../crypto/message-crypto.js';
import { OpenPlatformError, OpenPlatformErrorCode } from '../errors/open-platform.error.js';
import { PUSH_REPLAY_WINDOW_MS } from '../open-platform.constants.js';
import type { ResolvedComponent } from '../options/resolved-options.js';
import type { InboundPush, PlatformPush, PushEnvelope } from '../platforms/platform-adapter.js';
import { PlatformRegistry } from '../platforms/platform-registry.js';
import { assertUsablePush } from '../platforms/push-fields.js';
import { SILENT_TELEMETRY, Telemetry } from '../telemetry/telemetry.service.js';
import { PUSH_HANDLERS, type PushHandler } from '../platforms/push-handler.interface.js';
import { RecentPushes } from './recent-pushes.js';

/**
 * Verifies, decrypts and dispatches pushes to the authorization-event URL. Nothing is stored
 * unless every check passed.
 */
@Injectable()
export class PushService {
  private readonly logger = new Logger('OpenPlatform:Push');
  private readonly cryptos = new Map<string, MessageCrypto>();

  constructor(
    private readonly platforms: PlatformRegistry,
    private readonly clock: Clock,
    @Inject(PUSH_HANDLERS) private readonly handlers: PushHandler[],
    private readonly recent: RecentPushes,
    private readonly telemetry: Telemetry = SILENT_TELEMETRY,
  ) {}

  /**
   * Verifies, decrypts and handles a push for the component named in the route. A repeat of a push
   * already handled (same signature) is verified the same way, then acknowledged without effect.
   */
  receive(component: ResolvedComponent, inbound: InboundPush): Promise<void> {
    return this.telemetry.push(component, async (seen) => {
      const { push, signature } = this.verify(component, inbound);
      seen.kind = push.kind;
      if (!(await this.recent.once(component, signature, () => this.dispatch(component, push)))) {
        seen.outcome = 'replay';
        this.logger.debug(`repeated ${push.kind} push of ${component.appId} acknowledged, already handled`);
      }
    });
  }

  /** Verifies and decrypts a push for the component named in the route; its signature identifies it. */
  private verify(component: ResolvedComponent, inbound: InboundPush): { push: PlatformPush; signature: string } {
    const adapter = this.platforms.get(component.platform);
    const envelope = adapter.readEnvelope(inbound);
    // Checked for every platform at once: a signed message can still carry blank fields.
    const push = assertUsablePush(
      adapter.parseMessage(this.openEnvelope(component, envelope), component.appId),
      component.platform,
    );
    if (push.componentAppId !== component.appId) {
      throw rejected(component, OpenPlatformErrorCode.APPID_MISMATCH, 'the message names another component');
    }
    return { push, signature: envelope.signature as string }; // present: openEnvelope checked it
  }

  /**
   * Checks an envelope's signature and timestamp (the replay window) with the component's token,
   * then decrypts it with the component's key: the plaintext, only if every check passed. Shared
   * by both push URLs (authorization events and authorizer messages).
   */
  openEnvelope(component: ResolvedComponent, envelope: PushEnvelope): string {
    if (!envelope.signature) throw rejected(component, OpenPlatformErrorCode.SIGNATURE_MISMATCH, 'missing signature');
    const skew = Math.abs(this.clock.now() - Number(envelope.timestamp) * 1000);
    if (!(skew <= PUSH_REPLAY_WINDOW_MS))
      throw rejected(component, OpenPlatformErrorCode.STALE_PUSH, 'timestamp outside the 5 minute window');
    const crypto = this.crypto(component);
    // The signature is checked before decrypting: AES-CBC alone does not detect tampering.
    crypto.assertSignature(envelope.signature, envelope.timestamp, envelope.nonce, envelope.encrypt);
    return crypto.decrypt(envelope.encrypt);
  }

  /**
   * Hands a verified push to the first handler that takes it (tickets, authorization changes,
   * then everything else as a `push` event).
   */
  async dispatch(component: ResolvedComponent, push: PlatformPush): Promise<void> {
    for (const handler of this.handlers) {
      try {
        if (await handler.handle(component, push)) return;
      } catch (err) {
        // Retrying cannot fix a dead code (already used or expired): acknowledge it. Anything else
        // is not acknowledged, so the platform retries the push.
        if (err instanceof OpenPlatformError && err.code === OpenPlatformErrorCode.INVALID_AUTHORIZATION_CODE) {
          this.logger.warn(`${push.kind} push of ${component.appId} carried an unusable code: ${err.message}`);
          return;
        }
        throw err;
      }
    }
    this.logger.warn(`no handler for ${push.kind} push of ${component.appId}`);
  }

  /** The component's message crypto (its token and keys), built once. */
  crypto(component: ResolvedComponent): MessageCrypto {
    let crypto = this.cryptos.get(component.appId);
    if (!crypto) {
      crypto = new MessageCrypto({
        platform: component.platform,
        token: component.token,
        encodingAesKey: component.encodingAesKey,
        previousEncodingAesKey: component.previousEncodingAesKey,
        appId: component.appId,
      });
      this.cryptos.set(component.appId, crypto);
    }
    return crypto;
  }
}

function rejected(component: ResolvedComponent, code: OpenPlatformErrorCode, message: string): OpenPlatformError {
  return new OpenPlatformError({ platform: component.platform, code, message: `push rejected: ${message}` });
}
