import { DEFAULT_ROUTE_PREFIX } from '../open-platform.constants.js';
import type {
  AdminOptions,
  ComponentOptions,
  OpenPlatformModuleOptions,
  RedisOptions,
  StorageOptions,
} from './open-platform-options.interface.js';

/** A component with every default applied. */
export interface ResolvedComponent extends ComponentOptions {
  apiBaseUrl: string;
  authorizePageUrl: string;
  // `apiOrigins`, when set, holds normalized origins (`new URL(…).origin`).
}

/** Validated options with every default applied; what the module's services read. */
export interface ResolvedOptions {
  components: ReadonlyMap<string, ResolvedComponent>;
  routePrefix: string;
  publicBaseUrl?: string;
  redis?: RedisOptions & { keyPrefix: string };
  refresh: { enabled: 'auto' | boolean; intervalMs: number; marginSeconds: number; concurrency: number };
  httpTimeoutMs: number;
  retry: { attempts: number; baseDelayMs: number; maxDelayMs: number };
  /** 0 disables remembering misses. */
  unknownAuthorizerTtlMs: number;
  storage: StorageOptions;
  messages: { replyBudgetMs: number; releaseCheck: boolean };
  admin: AdminOptions;
}

export const DEFAULT_REFRESH = { enabled: 'auto', intervalMs: 60_000, marginSeconds: 300, concurrency: 8 } as const;
export const DEFAULT_HTTP_TIMEOUT_MS = 10_000;
export const DEFAULT_RETRY = { attempts: 3, baseDelayMs: 200, maxDelayMs: 2000 } as const;
export const DEFAULT_UNKNOWN_AUTHORIZER_TTL_MS = 60_000;
/** WeChat waits about 5 s for an answer; this leaves room for the network. */
export const DEFAULT_REPLY_BUDGET_MS = 4500;

export function resolveOptions(
  options: OpenPlatformModuleOptions,
  defaultsFor: (c: ComponentOptions) => { apiBaseUrl: string; authorizePageUrl: string },
): ResolvedOptions {
  const components = new Map<string, ResolvedComponent>();
  for (const c of options.components) {
    const d = defaultsFor(c);
    components.set(c.appId, {
      ...c,
      apiBaseUrl: (c.apiBaseUrl ?? d.apiBaseUrl).replace(/\/+$/, ''),
      authorizePageUrl: c.authorizePageUrl ?? d.authorizePageUrl,
      ...(c.apiOrigins && { apiOrigins: c.apiOrigins.map((o) => new URL(o).origin) }),
    });
  }
  return {
    components,
    routePrefix: options.routePrefix ?? DEFAULT_ROUTE_PREFIX,
    publicBaseUrl: options.publicBaseUrl?.replace(/\/+$/, ''),
    // `??` per field, not object spread: an explicit `undefined` (common in env-driven configs)
    // must not overwrite a default.
    redis: options.redis ? { ...options.redis, keyPrefix: options.redis.keyPrefix ?? 'op' } : undefined,
    refresh: {
      enabled: options.refresh?.enabled ?? DEFAULT_REFRESH.enabled,
      intervalMs: options.refresh?.intervalMs ?? DEFAULT_REFRESH.intervalMs,
      marginSeconds: options.refresh?.marginSeconds ?? DEFAULT_REFRESH.marginSeconds,
      concurrency: options.refresh?.concurrency ?? DEFAULT_REFRESH.concurrency,
    },
    httpTimeoutMs: options.httpTimeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS,
    retry: {
      attempts: options.retry?.attempts ?? DEFAULT_RETRY.attempts,
      baseDelayMs: options.retry?.baseDelayMs ?? DEFAULT_RETRY.baseDelayMs,
      maxDelayMs: options.retry?.maxDelayMs ?? DEFAULT_RETRY.maxDelayMs,
    },
    unknownAuthorizerTtlMs: options.unknownAuthorizerTtlMs ?? DEFAULT_UNKNOWN_AUTHORIZER_TTL_MS,
    storage: options.storage ?? {},
    messages: {
      replyBudgetMs: options.messages?.replyBudgetMs ?? DEFAULT_REPLY_BUDGET_MS,
      releaseCheck: options.messages?.releaseCheck ?? true,
    },
    admin: options.admin ?? { enabled: false },
  };
}
