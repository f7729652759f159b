// The public contract of nest-open-platform (DESIGN.md). Nothing else is exported.
export { OpenPlatformModule } from './open-platform.module.js';
export type {
  ComponentOptions,
  OpenPlatformModuleAsyncOptions,
  OpenPlatformModuleOptions,
  OpenPlatformOptionsFactory,
  PlatformName,
  RedisOptions,
  RefreshOptions,
  StorageOptions,
} from './options/open-platform-options.interface.js';
export {
  TokenService,
  type AuthorizationUrlRequest,
  type GetAuthorizerTokenOptions,
  type GetTokenOptions,
} from './tokens/token.service.js';
export type { AuthorizerInfo, AuthorizerStatus } from './authorizers/authorizer.interface.js';
export { MessageCrypto, type MessageCryptoOptions, type CryptoPlatform } from './crypto/message-crypto.js';
export {
  OpenPlatformError,
  OpenPlatformErrorCode,
  type ErrorPlatform,
  type OpenPlatformErrorInit,
  type OpenPlatformErrorResponse,
} from './errors/open-platform.error.js';
export { OpenPlatformEvents } from './events/open-platform-events.service.js';
export type { OpenPlatformEvent, OpenPlatformEventType } from './events/open-platform-event.interface.js';
export { DurableStore, MemoryDurableStore } from './store/durable-store.js';
export { TokenCache } from './store/token-cache.js';
export { OpenPlatformHttpService } from './http/open-platform-http.service.js';
export { AsAuthorizer, type AsAuthorizerOptions, type AuthorizerResolver } from './http/as-authorizer.decorator.js';
export type {} from './http/axios-config.augmentation.js';
