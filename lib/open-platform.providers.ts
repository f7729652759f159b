import type { Provider, Type } from '@nestjs/common';
import axios from 'axios';
import { ADMIN_PROVIDERS } from './admin/admin-providers.js';
import { AuthorizationPushHandler } from './authorizers/authorization-push.handler.js';
import { AuthorizationService } from './authorizers/authorization.service.js';
import { AuthorizerStore } from './authorizers/authorizer.store.js';
import { AuthorizerSyncService } from './authorizers/authorizer-sync.service.js';
import { AuthorizerTokenService } from './authorizers/authorizer-token.service.js';
import { AuthorizerRenewals } from './authorizers/authorizer-renewals.js';
import { AuthorizerLocator } from './authorizers/authorizer-locator.service.js';
import { ChainRepairService } from './authorizers/chain-repair.service.js';
import { ExchangedCodes } from './authorizers/exchanged-codes.js';
import { OpenPlatformHttpService } from './http/open-platform-http.service.js';
import { ApiOrigins } from './http/api-origins.js';
import { ShutdownSignal } from './http/shutdown-signal.js';
import { TokenInterceptor } from './http/token.interceptor.js';
import { ForwardPushHandler } from './callback/forward-push.handler.js';
import { TransportErrorInterceptor } from './http/transport-error.interceptor.js';
import { PUSH_HANDLERS, type PushHandler } from './platforms/push-handler.interface.js';
import { TicketPushHandler } from './tickets/ticket-push.handler.js';
import { PushService } from './callback/push.service.js';
import { RecentPushes } from './callback/recent-pushes.js';
import { RefusedPushLog } from './callback/refused-push.log.js';
import { FastifyXmlParser } from './callback/fastify-xml-parser.js';
import { bindRoutePrefix } from './callback/route-binder.js';
import { Clock, SystemClock } from './clock/clock.js';
import { ComponentsService } from './components/components.service.js';
import { OpenPlatformEvents } from './events/open-platform-events.service.js';
import { LockService } from './lock/lock.service.js';
import {
  OPEN_PLATFORM_HTTP_CLIENT,
  OPEN_PLATFORM_OPTIONS,
  OPEN_PLATFORM_RAW_OPTIONS,
  OPEN_PLATFORM_ROUTE_BINDER,
  OPEN_PLATFORM_SHARED_DURABLE_STORE,
} from './open-platform.constants.js';
import { resolveOptions, type ResolvedOptions } from './options/resolved-options.js';
import { validateOptions } from './options/validate-options.js';
import { PlatformRegistry } from './platforms/platform-registry.js';
import { platformDefinition, supportedPlatforms } from './platforms/platforms.js';
import { DueIndex } from './store/due-index.js';
import { DurableStore } from './store/durable-store.js';
import { OpenPlatformStorage } from './store/storage.js';
import { PerProcessLocksWarning } from './refresh/per-process-locks.warning.js';
import { TokenCache } from './store/token-cache.js';
import { TicketStore } from './tickets/ticket.store.js';
import { RenewalScheduler } from './refresh/renewal.scheduler.js';
import { DueIndexRebuild } from './refresh/due-index-rebuild.js';
import { RenewalSweep } from './refresh/renewal-sweep.service.js';
import { TicketWatch } from './refresh/ticket-watch.js';
import { ComponentTokenService } from './tokens/component-token.service.js';
import { TokenService } from './token.service.js';
import { OpenPlatformHealthIndicator } from './health/open-platform.health-indicator.js';
import { RenewalFailureLog } from './health/renewal-failure.log.js';
import { StatusService } from './health/status.service.js';
import { AuthorizerMessageExplorer } from './messages/authorizer-message.explorer.js';
import { AuthorizerMessagesService } from './messages/authorizer-messages.service.js';
import { HandledMessages } from './messages/handled-messages.js';
import { TelemetryGauges } from './health/telemetry-gauges.js';
import { Telemetry } from './telemetry/telemetry.service.js';

function resolve(raw: unknown): ResolvedOptions {
  return resolveOptions(validateOptions(raw, supportedPlatforms()), (c) => platformDefinition(c.platform).defaults(c));
}

/** Every provider of one module registration. */
export function createProviders(controllers: Type<unknown>[]): Provider[] {
  return [
    { provide: OPEN_PLATFORM_OPTIONS, inject: [OPEN_PLATFORM_RAW_OPTIONS], useFactory: resolve },
    {
      provide: OPEN_PLATFORM_ROUTE_BINDER,
      inject: [OPEN_PLATFORM_OPTIONS],
      useFactory: (o: ResolvedOptions) => bindRoutePrefix(controllers, o.routePrefix),
    },
    ShutdownSignal,
    {
      provide: OPEN_PLATFORM_HTTP_CLIENT,
      inject: [OPEN_PLATFORM_OPTIONS, ShutdownSignal],
      // The module's own axios instance: interceptors added here never touch the app's clients.
      useFactory: (o: ResolvedOptions, shutdown: ShutdownSignal) => {
        const client = axios.create({ timeout: o.httpTimeoutMs });
        shutdown.install(client);
        return client;
      },
    },
    { provide: Clock, useClass: SystemClock },
    // Async: `@opentelemetry/api` is imported if the app has it (an optional peer); else silent.
    { provide: Telemetry, useFactory: () => Telemetry.create() },
    TelemetryGauges,
    {
      provide: OpenPlatformStorage,
      inject: [OPEN_PLATFORM_OPTIONS],
      // Async: in fleet mode the Redis connection is opened (bounded) before anything uses it.
      useFactory: (o: ResolvedOptions) => OpenPlatformStorage.open({ ...o.storage, redis: o.redis }),
    },
    { provide: TokenCache, inject: [OpenPlatformStorage], useFactory: (s: OpenPlatformStorage) => s.cache },
    { provide: DurableStore, inject: [OpenPlatformStorage], useFactory: (s: OpenPlatformStorage) => s.durable },
    { provide: LockService, inject: [OpenPlatformStorage], useFactory: (s: OpenPlatformStorage) => s.lock },
    { provide: DueIndex, inject: [OpenPlatformStorage], useFactory: (s: OpenPlatformStorage) => s.dueIndex },
    {
      provide: OPEN_PLATFORM_SHARED_DURABLE_STORE,
      inject: [OpenPlatformStorage],
      useFactory: (s: OpenPlatformStorage) => s.shared,
    },
    PerProcessLocksWarning,
    TicketPushHandler,
    ForwardPushHandler,
    {
      provide: PUSH_HANDLERS,
      inject: [TicketPushHandler, AuthorizationPushHandler, ForwardPushHandler],
      useFactory: (...handlers: PushHandler[]) => handlers,
    },
    AuthorizerStore,
    AuthorizerSyncService,
    AuthorizerTokenService,
    AuthorizerRenewals,
    AuthorizerLocator,
    ChainRepairService,
    ExchangedCodes,
    AuthorizationService,
    AuthorizationPushHandler,
    ApiOrigins,
    TokenInterceptor,
    TransportErrorInterceptor,
    {
      provide: OpenPlatformHttpService,
      inject: [OPEN_PLATFORM_OPTIONS, TokenInterceptor, ShutdownSignal, TransportErrorInterceptor],
      // Its own axios instance: the interceptors never touch the app's HttpService instances.
      // Order matters: request interceptors run last-installed first (the shutdown check before
      // token injection), response ones in order (error translation last, seeing everything).
      useFactory: (
        o: ResolvedOptions,
        tokens: TokenInterceptor,
        shutdown: ShutdownSignal,
        errors: TransportErrorInterceptor,
      ) => {
        const http = new OpenPlatformHttpService(axios.create({ timeout: o.httpTimeoutMs }));
        tokens.install(http.axiosRef);
        shutdown.install(http.axiosRef);
        errors.install(http.axiosRef);
        return http;
      },
    },
    PlatformRegistry,
    ComponentsService,
    TicketStore,
    ComponentTokenService,
    TokenService,
    OpenPlatformEvents,
    RenewalFailureLog,
    StatusService,
    OpenPlatformHealthIndicator,
    PushService,
    RecentPushes,
    RefusedPushLog,
    FastifyXmlParser,
    AuthorizerMessageExplorer,
    AuthorizerMessagesService,
    HandledMessages,
    TicketWatch,
    DueIndexRebuild,
    RenewalSweep,
    RenewalScheduler,
    ...ADMIN_PROVIDERS,
  ];
}
