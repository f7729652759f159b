import { ConfigurableModuleBuilder } from '@nestjs/common';
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
