import { ConfigurableModuleBuilder, type ConfigurableModuleOptionsFactory } from '@nestjs/common';
import { OPEN_PLATFORM_RAW_OPTIONS } from './open-platform.constants.js';
import type { OpenPlatformModuleOptions } from './options/open-platform-options.interface.js';

export const { ConfigurableModuleClass, OPTIONS_TYPE, ASYNC_OPTIONS_TYPE } =
  new ConfigurableModuleBuilder<OpenPlatformModuleOptions>({
    moduleName: 'OpenPlatform',
    optionsInjectionToken: OPEN_PLATFORM_RAW_OPTIONS,
  })
    .setClassMethodName('forRoot')
    .setFactoryMethodName('createOpenPlatformOptions')
    .setExtras({ isGlobal: false }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
    .build();

/**
 * Options of `OpenPlatformModule.forRootAsync`: `useFactory` + `inject`, `useClass` or
 * `useExisting` (a class implementing {@link OpenPlatformOptionsFactory}), `imports`, `isGlobal`.
 * Derived from the builder, so it is exactly the type `forRootAsync` takes.
 */
export type OpenPlatformModuleAsyncOptions = typeof ASYNC_OPTIONS_TYPE;

/** Implemented by a class passed as `useClass` / `useExisting` to `forRootAsync`. */
export type OpenPlatformOptionsFactory = ConfigurableModuleOptionsFactory<
  OpenPlatformModuleOptions,
  'createOpenPlatformOptions'
>;
