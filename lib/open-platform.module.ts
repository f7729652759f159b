import { Module, type DynamicModule } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { createAdminController } from './admin/admin.controller.js';
import { createAuthorizeController } from './callback/authorize.controller.js';
import { createEventsController } from './callback/events.controller.js';
import { createConsoleController } from './console/console.controller.js';
import { OpenPlatformEvents } from './events/open-platform-events.service.js';
import { OpenPlatformHealthIndicator } from './health/open-platform.health-indicator.js';
import { OpenPlatformHttpService } from './http/open-platform-http.service.js';
import { createMessagesController } from './messages/messages.controller.js';
import { ASYNC_OPTIONS_TYPE, ConfigurableModuleClass, OPTIONS_TYPE } from './open-platform.module-definition.js';
import { createProviders } from './open-platform.providers.js';
import { TokenService } from './token.service.js';

/**
 * Runs the credential lifecycle of WeChat Open Platform / Douyin third-party platforms.
 *
 * ```ts
 * OpenPlatformModule.forRoot({ components: [{ platform: 'wechat', appId, appSecret, token, encodingAesKey }] })
 * ```
 */
@Module({})
export class OpenPlatformModule extends ConfigurableModuleClass {
  /** Registers the module with options known at import time. */
  static forRoot(options: typeof OPTIONS_TYPE): DynamicModule {
    return withRuntime(super.forRoot(options));
  }

  /** Registers the module with options from a factory, class or existing provider (e.g. `ConfigService`). */
  static forRootAsync(options: typeof ASYNC_OPTIONS_TYPE): DynamicModule {
    return withRuntime(super.forRootAsync(options));
  }
}

function withRuntime(definition: DynamicModule): DynamicModule {
  // The admin and console controllers are always registered (forRootAsync options are unknown
  // here); their guard answers 404 while `admin.enabled` is off.
  const controllers = [
    createEventsController(),
    createAuthorizeController(),
    createMessagesController(),
    createAdminController(),
    createConsoleController(),
  ];
  return {
    ...definition,
    // DiscoveryService finds the @OnAuthorizerMessage / @OnAuthorizerEvent handlers at boot.
    imports: [...(definition.imports ?? []), DiscoveryModule],
    controllers: [...(definition.controllers ?? []), ...controllers],
    providers: [...(definition.providers ?? []), ...createProviders(controllers)],
    exports: [
      ...(definition.exports ?? []),
      TokenService,
      OpenPlatformEvents,
      OpenPlatformHttpService,
      OpenPlatformHealthIndicator,
    ],
  };
}
