// The public contract of nest-open-platform: what users import. Nothing else is exported
// (test/public-api.e2e-spec.ts pins the list).
export { OpenPlatformModule } from './open-platform.module.js';
export type { OpenPlatformModuleAsyncOptions, OpenPlatformOptionsFactory } from './open-platform.module-definition.js';
export type {
  AdminBasicAuthOptions,
  AdminOptions,
  ComponentOptions,
  MessagesOptions,
  OpenPlatformModuleOptions,
  PlatformName,
  RedisOptions,
  RefreshOptions,
  RetryOptions,
  StorageOptions,
} from './options/open-platform-options.interface.js';
export {
  TokenService,
  type AuthorizationUrlRequest,
  type GetAuthorizerTokenOptions,
  type GetTokenOptions,
} from './token.service.js';
export type { AuthorizerInfo, AuthorizerStatus } from './authorizers/authorizer.interface.js';
export { MessageCrypto, type MessageCryptoOptions, type CryptoPlatform } from './crypto/message-crypto.js';
export {
  OpenPlatformError,
  OpenPlatformErrorCode,
  type ErrorPlatform,
  type OpenPlatformErrorInit,
  type OpenPlatformErrorResponse,
} from './errors/open-platform.error.js';
export { OpenPlatformExceptionFilter } from './filters/open-platform-exception.filter.js';
export type { OpenPlatformErrorBody } from './errors/http-status.js';
export { OpenPlatformEvents } from './events/open-platform-events.service.js';
export type {
  AdminActionEvent,
  AdminActionName,
  AuthorizationEvent,
  AuthorizerMessageFailedEvent,
  AuthorizerMessageFailure,
  AuthorizerMessageReceivedEvent,
  AuthorizerRestoredEvent,
  OpenPlatformEvent,
  OpenPlatformEventError,
  OpenPlatformEventOf,
  OpenPlatformEventType,
  PushEvent,
  ReauthorizationRequiredEvent,
  StoreWriteFailedEvent,
  TicketEvent,
  TicketExpiringEvent,
  TicketOverdueEvent,
  TokenRefreshedEvent,
  TokenRefreshFailedEvent,
  UpstreamRetryEvent,
} from './events/open-platform-event.interface.js';
export { DurableStore, MemoryDurableStore } from './store/durable-store.js';
export { KeyvDurableStore, type KeyvDurableStoreOptions } from './store/keyv-durable-store.js';
export { SealedDurableStore } from './store/sealed-durable-store.js';
export { exportDurableData, type DurableDataExport } from './backup/export-durable-data.js';
export { TokenCache } from './store/token-cache.js';
export { OpenPlatformHealthIndicator } from './health/open-platform.health-indicator.js';
export type {
  ComponentHealth,
  HealthReason,
  HealthStatus,
  OpenPlatformHealth,
  OpenPlatformHealthResult,
} from './health/health-result.interface.js';
export type {
  AuthorizerCounts,
  ComponentStatus,
  ComponentTokenStatus,
  OpenPlatformStatus,
  RenewalFailure,
  RenewalStatus,
  TicketStatus,
} from './health/status.interface.js';
export { OpenPlatformHttpService } from './http/open-platform-http.service.js';
export {
  AsAuthorizer,
  type AsAuthorizerDecorator,
  type AsAuthorizerOptions,
  type AuthorizerResolver,
} from './http/as-authorizer.decorator.js';
export type {} from './http/axios-config.augmentation.js';
export { Reply, type NewsArticle, type PassiveReplyBody } from './authorizer-messages/reply.js';
export type {
  AuthorizerEvent,
  AuthorizerInbound,
  AuthorizerMessage,
  DouyinCategoryAuditEvent,
  ImageMessage,
  LinkMessage,
  LocationEvent,
  LocationMessage,
  MenuEvent,
  ScanEvent,
  SubscribeEvent,
  TextMessage,
  UnknownEvent,
  UnknownMessage,
  UnsubscribeEvent,
  VideoMessage,
  VoiceMessage,
  WeappAuditDelayEvent,
  WeappAuditFailEvent,
  WeappAuditSuccessEvent,
} from './authorizer-messages/authorizer-message.interface.js';
export {
  OnAuthorizerEvent,
  OnAuthorizerMessage,
  type AuthorizerAddressFilter,
  type AuthorizerEventFilter,
  type AuthorizerMessageFilter,
  type TextMatcher,
} from './messages/on-authorizer-message.decorator.js';
export type { AuthorizerMessageContext } from './messages/authorizer-message-context.interface.js';
export { hashAdminPassword } from './crypto/password-hash.js';
export type { AuthorizerHistoryEntry, AuthorizerHistoryKind } from './admin/authorizer-history.service.js';
export type { AuthorizerPage } from './admin/admin-query.service.js';
export type { AuthorizationLink } from './admin/admin-actions.service.js';
