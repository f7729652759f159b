/** Namespaced injection tokens. */
export const OPEN_PLATFORM_OPTIONS = 'OPEN_PLATFORM:OPTIONS';
export const OPEN_PLATFORM_RAW_OPTIONS = 'OPEN_PLATFORM:RAW_OPTIONS';
export const OPEN_PLATFORM_HTTP_CLIENT = 'OPEN_PLATFORM:HTTP_CLIENT';
export const OPEN_PLATFORM_ROUTE_BINDER = 'OPEN_PLATFORM:ROUTE_BINDER';

export const DEFAULT_ROUTE_PREFIX = 'open-platform';
/** Pushes larger than this are refused with 413. */
export const MAX_PUSH_BYTES = 64 * 1024;
/** Pushes whose timestamp is further than this from the server clock are refused. */
export const PUSH_REPLAY_WINDOW_MS = 5 * 60 * 1000;
/** At most one warning per component per interval sums up refused pushes; each one is logged at debug level. */
export const REFUSED_PUSH_WARNING_INTERVAL_MS = 60 * 1000;
/**
 * Content types of WeChat pushes; on Fastify the module registers a raw-body parser for each unless the app has one.
 */
export const XML_CONTENT_TYPES = ['text/xml', 'application/xml'] as const;
/** Whether other processes write the durable store too (a boolean, from the storage). */
export const OPEN_PLATFORM_SHARED_DURABLE_STORE = 'OPEN_PLATFORM:SHARED_DURABLE_STORE';
