import type { CanActivate, Type } from '@nestjs/common';
import type { DurableStore } from '../store/durable-store.js';
import type { TokenCache } from '../store/token-cache.js';

import type { PlatformName } from '../platform-names.js';

export type { PlatformName };

/** One third-party platform ("component") the app runs. */
export interface ComponentOptions {
  platform: PlatformName;
  /** The component appid (`component_appid`). */
  appId: string;
  /** The component secret. Never logged. */
  appSecret: string;
  /** The message verification token configured on the platform. */
  token: string;
  /** The 43-character EncodingAESKey configured on the platform. */
  encodingAesKey: string;
  /** The previous EncodingAESKey, accepted while a key rotation settles. */
  previousEncodingAesKey?: string;
  /** Override the platform API host, e.g. the emulator's `baseUrl`. Default per platform. */
  apiBaseUrl?: string;
  /**
   * Extra origins (`https://host[:port]`, no path) that get this component's tokens, e.g. a private
   * gateway in front of the platform's API. Tokens are otherwise injected only into requests to the
   * platform's official API hosts and to `apiBaseUrl`. Default none.
   */
  apiOrigins?: string[];
  /** Override the merchant authorization page. Default per platform. */
  authorizePageUrl?: string;
  /** Douyin only: API generation, default `'v2'`. */
  apiVersion?: 'v1' | 'v2';
}

/**
 * Fleet mode: tokens, tickets, authorizer records, locks and the renewal schedule shared by every
 * process through one Redis (requires the optional package `@keyv/redis`).
 */
export interface RedisOptions {
  /** `redis://` or `rediss://` URL (user and password may be in it; they are never logged). */
  url: string;
  /** Prefix of every key this module writes (`{keyPrefix}:{platform}:{componentAppId}:…`). Default `'op'`. */
  keyPrefix?: string;
  /**
   * How long (ms) a process serves its in-memory copy of a token before reading Redis again, as a
   * safety net behind the pub/sub invalidation. Integer 0..3600000. Default 60000.
   */
  localCacheMaxAgeMs?: number;
  /**
   * Lease (ms) of the distributed locks: a process that dies while holding one blocks that work
   * for at most this long; a live holder keeps renewing it. Integer 1000..600000. Default 15000.
   */
  lockLeaseMs?: number;
}

/** Token renewal. */
export interface RefreshOptions {
  /**
   * Scheduled renewal, through the app's `ScheduleModule.forRoot()` (`@nestjs/schedule`; the module
   * never registers the scheduler itself):
   * - `'auto'` (default): on when the app has the scheduler; otherwise off, said once at boot;
   * - `true`: on; the app refuses to start without the scheduler;
   * - `false`: off; tokens are renewed on use only.
   */
  enabled?: 'auto' | boolean;
  /** How often the renewal tick runs, in ms (1000..3600000). Default 60000. */
  intervalMs?: number;
  /** A token is renewed when its remaining life falls below min(marginSeconds, 20% of expires_in). Default 300. */
  marginSeconds?: number;
  /** How many renewals a tick runs at once (1..256). Default 8. */
  concurrency?: number;
}

/**
 * Retries of the module's own upstream calls (component token, pre-auth code or link, code
 * exchange, authorizer token refresh, authorizer list, Douyin code retrieval). Transient failures
 * are retried with exponential backoff and full jitter; a call that spends a single-use credential
 * (an authorization code, a Douyin refresh token) is sent again only when it provably never reached
 * the platform. One call waits at most `attempts × httpTimeoutMs` plus the sum of the backoff caps.
 */
export interface RetryOptions {
  /** Sends of one call, the first included; 1 turns retries off (1..10). Default 3. */
  attempts?: number;
  /** The backoff cap of the first retry in ms, doubled for each further one (0..60000). Default 200. */
  baseDelayMs?: number;
  /** No backoff cap exceeds this, in ms (0..300000). Default 2000. */
  maxDelayMs?: number;
}

/** Where the module keeps its data (default: process memory). */
export interface StorageOptions {
  /** Tickets, authorizer records and refresh tokens: never evicted, never with a TTL. */
  durable?: DurableStore;
  /** Access tokens (may evict). */
  cache?: TokenCache;
  /**
   * Seals refresh tokens and tickets in the durable store with AES-256-GCM under this key: 32
   * random bytes in base64 (`openssl rand -base64 32`). Records written before it was set are read
   * as they are and sealed at their next write. A store sealed under another key refuses the boot
   * (`SEALED_VALUE_UNREADABLE`). Keep it out of the code (an environment variable, a secret manager).
   */
  encryptionKey?: string;
  /** Keys that sealed values may still be under (rotation): read, never used to seal. */
  previousEncryptionKeys?: string[];
}

/** Options of the message URL (`…/authorizers/{authorizerAppId}/messages`). */
export interface MessagesOptions {
  /**
   * How long (ms) handlers may take before the platform gets its answer anyway: `success`, the
   * handler's reply dropped (it still finishes), `authorizer.message_failed` emitted. WeChat waits
   * about 5 s and then retries. Integer 100..30000. Default 4500.
   */
  replyBudgetMs?: number;
  /**
   * Answers the WeChat release check (全网发布接入检测) by itself, reacting only to the platform's
   * dedicated test accounts. Default true.
   */
  releaseCheck?: boolean;
}

/**
 * Basic authentication of the admin API, for small teams without their own auth. The password is
 * given as a scrypt hash only, in the format `scrypt$N$r$p$<salt base64>$<hash base64>` (make one
 * with `hashAdminPassword`).
 */
export interface AdminBasicAuthOptions {
  username: string;
  /**
   * `scrypt$N$r$p$<salt base64>$<hash base64>`: N a power of two 2^10..2^20, r 1..32, p 1..16,
   * salt ≥ 16 bytes, hash 32..128 bytes.
   */
  passwordHash: string;
  /** Failed attempts from one client before it is locked out (1..100). Default 5. */
  maxFailures?: number;
  /** How long a locked-out client is refused, in ms (1000..86400000). Default 900000 (15 minutes). */
  lockoutMs?: number;
}

/** The admin API (`/{prefix}/admin`): off unless `enabled`, and then only behind `guard` or `basicAuth`. */
export interface AdminOptions {
  enabled: boolean;
  /**
   * The app's own auth: a Nest `CanActivate` instance, or a class (taken from the app's providers,
   * else instantiated with its dependencies).
   */
  guard?: Type<CanActivate> | CanActivate;
  basicAuth?: AdminBasicAuthOptions;
}

/** Options of {@link OpenPlatformModule.forRoot}. */
export interface OpenPlatformModuleOptions {
  components: ComponentOptions[];
  redis?: RedisOptions;
  refresh?: RefreshOptions;
  /** Prefix of the module's HTTP routes. Default `'open-platform'`. */
  routePrefix?: string;
  /**
   * Public origin of this app, plus any path a reverse proxy puts in front of it (e.g.
   * `https://api.example.com/gateway`). The authorize flow's `redirect_uri` is this followed by the
   * path the app serves the route under (global prefix and route prefix included). Default: the
   * origin the `…/authorize` request came to.
   */
  publicBaseUrl?: string;
  /**
   * Custom stores, e.g. your database for durable data (`KeyvDurableStore`). With `redis`, only
   * `durable` may be given (tokens and locks stay in Redis).
   */
  storage?: StorageOptions;
  /** Timeout of each upstream platform call in ms. Default 10000. */
  httpTimeoutMs?: number;
  /** Retries of the module's own upstream calls after transient failures. */
  retry?: RetryOptions;
  /**
   * How long (ms) a lookup of an authorizer the module has no record of is answered from memory
   * after the platform's authorizer list was walked to its end without it: within that time,
   * further lookups of an appid missing from that list fail at once with `AUTHORIZER_NOT_FOUND`
   * and cost no platform API call. An authorization received meanwhile (redirect, push or
   * `syncAuthorizers()`) works immediately. Integer 0..3600000; `0` disables the memory (every
   * miss walks the list again, walks are still shared). Default 60000.
   */
  unknownAuthorizerTtlMs?: number;
  /** The message URL: handler budget, built-in release check. */
  messages?: MessagesOptions;
  /** The admin API; off by default (no route answers). See docs/admin.md. */
  admin?: AdminOptions;
}
