import type { MerchantQueue } from '../core/merchant-queue.js';
import type { TicketBook } from '../core/ticket-book.js';
import type { DouyinCodeBook } from './authorization-codes.js';
import type { DouyinAuthorizerBook } from './authorizer-book.js';
import type { DouyinComponentTokens } from './component-tokens.js';
import type {
  FakeDouyinApiVersion,
  FakeDouyinBusinessCall,
  FakeDouyinComponent,
  FakeDouyinEndpoint,
  FakeDouyinQueuedMerchant,
} from './fake-douyin.types.js';

/** Token lifetimes in seconds, read per call because tests may change them on a running emulator. */
export interface DouyinLifetimes {
  componentToken: number;
  accessToken: number;
  refreshToken: number;
}

/** What the component-token endpoint and the answer envelopes read: the component part of the emulator. */
export interface DouyinComponentState {
  version: FakeDouyinApiVersion;
  baseUrl(): string;
  components: ReadonlyMap<string, FakeDouyinComponent>;
  tickets: TicketBook;
  componentTokens: DouyinComponentTokens;
  lifetimes(): DouyinLifetimes;
  /** V2 endpoints answering 200-prefixed error codes. */
  prefixed: ReadonlySet<FakeDouyinEndpoint>;
}

/** What the endpoints read from and do to the emulator. */
export interface DouyinState extends DouyinComponentState {
  authorizers: DouyinAuthorizerBook;
  codes: DouyinCodeBook;
  merchants: MerchantQueue<FakeDouyinQueuedMerchant>;
  /** Whether the next successful refresh answer must be lost (processed, then the socket destroyed). */
  takeLostRefresh(): boolean;
  /** The push that follows a consent or a retrieval (AUTHORIZED / UPDATE_AUTHORIZED), if an events URL is set. */
  codePush(
    componentAppId: string,
    authorizerAppId: string,
    code: string,
    event: 'AUTHORIZED' | 'UPDATE_AUTHORIZED',
  ): (() => Promise<unknown>) | undefined;
  recordCall(call: FakeDouyinBusinessCall): void;
  recordPageQuery(query: Record<string, string>): void;
}

/** An endpoint's outcome before it is put in the generation's envelope. */
export type Outcome =
  { ok: true; data: Record<string, unknown>; lose?: boolean; afterSend?: () => void } | { ok: false; code: number };

export const fail = (code: number): Outcome => ({ ok: false, code });
