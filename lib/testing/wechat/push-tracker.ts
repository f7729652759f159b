import type {
  FakeWeChatAuthorizationEvent,
  FakeWeChatAuthorizationPushRecord,
  FakeWeChatEventPushOutcome,
} from './fake-wechat-authorization.types.js';
import type { FakeWeChatPushResult } from './fake-wechat.types.js';

/** Sends one authorization event to a URL for a component. */
export type AuthorizationEventSender = (
  url: string,
  componentAppId: string,
  event: FakeWeChatAuthorizationEvent,
) => Promise<FakeWeChatPushResult>;

/**
 * Authorization-event pushes made by the emulator itself: logged for tests, tracked while in
 * flight so `settle()` / `stop()` can await them, and never rejecting (failures are recorded).
 */
export class PushTracker {
  private readonly pending = new Set<Promise<unknown>>();
  private readonly log: FakeWeChatAuthorizationPushRecord[] = [];

  constructor(private readonly send: AuthorizationEventSender) {}

  deliver(
    componentAppId: string,
    url: string,
    event: FakeWeChatAuthorizationEvent,
  ): Promise<FakeWeChatEventPushOutcome> {
    const { infoType, authorizerAppId, authorizationCode } = event;
    const record: FakeWeChatAuthorizationPushRecord = {
      componentAppId,
      url,
      infoType,
      authorizerAppId,
      authorizationCode,
    };
    this.log.push(record);
    const outcome = this.send(url, componentAppId, event).then(
      (result): FakeWeChatEventPushOutcome => {
        record.result = result;
        return { pushed: result };
      },
      (error: unknown): FakeWeChatEventPushOutcome => {
        record.error = describeError(error);
        return { pushError: record.error };
      },
    );
    this.pending.add(outcome);
    void outcome.finally(() => this.pending.delete(outcome));
    return outcome;
  }

  /** Resolves once no push is in flight (pushes started meanwhile included). */
  async settle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  records(): FakeWeChatAuthorizationPushRecord[] {
    return this.log.map((record) => ({ ...record }));
  }

  reset(): void {
    this.log.length = 0;
  }
}

function describeError(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${String(error)}${cause}`;
}
