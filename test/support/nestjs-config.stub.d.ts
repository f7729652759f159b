// The part of @nestjs/config's API the README's examples use, so they type-check without the package
// (a user's app has it; this repository does not depend on it).
import type { DynamicModule } from '@nestjs/common';

export declare class ConfigModule {
  static forRoot(options?: object): DynamicModule;
}

export declare class ConfigService {
  get<T = unknown>(key: string): T | undefined;
  get<T = unknown>(key: string, defaultValue: T): T;
  getOrThrow<T = unknown>(key: string): T;
}
