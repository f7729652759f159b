import type { INestApplicationContext, LoggerService } from '@nestjs/common';
import { readFile } from 'node:fs/promises';
import type { OpenPlatformModuleOptions } from '../../options/open-platform-options.interface.js';
import type { TokenService } from '../../token.service.js';
import type { DurableStore } from '../../store/durable-store.js';
import { CliFailure, UsageError } from '../core/cli-errors.js';
import type { CliIo } from '../core/cli-io.js';
import { openStore, sealKeys, type OpenedStore, type SealKeys, type StoreSpec } from '../store/open-store.js';

/**
 * A `--config` file: the app's `OpenPlatformModule.forRoot()` options as JSON (components, redis,
 * refresh, …), plus `durableStore` ({url, keyPrefix, table}) for a `storage.durable` on
 * PostgreSQL, which JSON cannot hold as an object. `storage.encryptionKey` may be left out and
 * given by NEST_OPEN_PLATFORM_ENCRYPTION_KEY.
 */
export interface ModuleConfigFile extends Omit<OpenPlatformModuleOptions, 'storage' | 'admin'> {
  durableStore?: StoreSpec;
  storage?: { encryptionKey?: string; previousEncryptionKeys?: string[] };
}

/** Reads and shape-checks a config file (the module validates the rest at boot, naming fields). */
export async function readModuleConfig(path: string): Promise<ModuleConfigFile> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new UsageError(`--config ${path}: ${(err as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || !Array.isArray((value as { components?: unknown }).components))
    throw new UsageError(`--config ${path}: must be a JSON object with the module's "components"`);
  return value as ModuleConfigFile;
}

/** Nest's log lines go to stderr, warnings and errors only: stdout carries the command's results. */
class StderrLogger implements LoggerService {
  constructor(private readonly io: CliIo) {}
  log(): void {}
  warn(message: unknown, context?: unknown): void {
    this.io.stderr.write(`warn ${typeof context === 'string' ? `[${context}] ` : ''}${String(message)}\n`);
  }
  error(message: unknown, ...rest: unknown[]): void {
    const context = rest.find((r) => typeof r === 'string');
    this.io.stderr.write(`error ${context ? `[${context}] ` : ''}${String(message)}\n`);
  }
}

/** The module booted on a configuration, without HTTP routes or scheduled renewal. */
export interface ModuleApp {
  tokens: TokenService;
  close(): Promise<void>;
}

/**
 * Boots `OpenPlatformModule` in an application context (no HTTP server) on the configuration, so
 * the command sees exactly what the app sees: the same stores, keys and validation. Scheduled
 * renewal is off: a command must not start renewing authorizers behind the app's back.
 */
export async function bootModule(
  config: ModuleConfigFile,
  io: CliIo,
  durable?: DurableStore,
  keys?: SealKeys,
): Promise<ModuleApp> {
  // Loaded here, not at the top: the other commands start without Nest.
  const { NestFactory } = await import('@nestjs/core');
  const { OpenPlatformModule } = await import('../../open-platform.module.js');
  const { TokenService } = await import('../../token.service.js');
  const { durableStore, storage, ...rest } = config;
  let opened: OpenedStore | undefined;
  if (!durable && durableStore) {
    opened = await openStore(durableStore);
    durable = opened.raw;
  }
  const fromEnv = keys ?? sealKeys(undefined, [], io.env);
  const encryptionKey = storage?.encryptionKey ?? fromEnv.encryptionKey;
  const previous = storage?.previousEncryptionKeys ?? fromEnv.previousEncryptionKeys;
  const options: OpenPlatformModuleOptions = {
    ...rest,
    refresh: { ...rest.refresh, enabled: false },
    storage: {
      ...(durable ? { durable } : {}),
      ...(encryptionKey ? { encryptionKey, previousEncryptionKeys: previous } : {}),
    },
  };
  let app: INestApplicationContext;
  try {
    app = await NestFactory.createApplicationContext(OpenPlatformModule.forRoot(options), {
      logger: new StderrLogger(io),
      abortOnError: false,
    });
  } catch (err) {
    await opened?.close();
    throw new CliFailure(`the configuration does not boot: ${(err as Error).message}`);
  }
  return {
    tokens: app.get(TokenService),
    close: async () => {
      await app.close();
      await opened?.close();
    },
  };
}
