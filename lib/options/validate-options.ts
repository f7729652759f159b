import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { OpenPlatformError, OpenPlatformErrorCode } from '../errors/open-platform.error.js';
import type { OpenPlatformModuleOptions } from './open-platform-options.interface.js';
import { isPlatformName } from '../platform-names.js';
import { OpenPlatformOptionsSchema } from './open-platform-options.schema.js';
import { DurableStore } from '../store/durable-store.js';
import { scryptHashProblem } from '../crypto/password-hash.js';
import { TokenCache } from '../store/token-cache.js';
import { encryptionKeyProblem } from '../store/sealed-durable-store.js';

/**
 * Validates module options once, at boot. Throws an {@link OpenPlatformError} whose message lists
 * every invalid field by path (`components[1].encodingAesKey: …`); values are never echoed.
 */
export function validateOptions(options: unknown, supportedPlatforms?: readonly string[]): OpenPlatformModuleOptions {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw invalid(['options: must be an object with a `components` array']);
  }
  const schema = plainToInstance(OpenPlatformOptionsSchema, withoutInstances(options as Record<string, unknown>));
  const problems = validateSync(schema, {
    whitelist: true,
    forbidNonWhitelisted: true,
    validationError: { target: false, value: false },
  }).flatMap((e) => describe(e, ''));
  problems.push(
    ...duplicateAppIds(options as OpenPlatformModuleOptions),
    ...storageProblems(options as OpenPlatformModuleOptions),
    ...unsupportedPlatforms(options as OpenPlatformModuleOptions, supportedPlatforms),
    ...adminProblems(options as OpenPlatformModuleOptions),
  );
  if (problems.length > 0) throw invalid(problems);
  return options as OpenPlatformModuleOptions;
}

function describe(error: ValidationError, parent: string): string[] {
  const path = /^\d+$/.test(error.property)
    ? `${parent}[${error.property}]`
    : parent
      ? `${parent}.${error.property}`
      : error.property;
  const own = Object.values(error.constraints ?? {}).map(
    (m) => `${path}: ${m.replace(/^property (\S+) should not exist$/, 'unknown option')}`,
  );
  return own.concat((error.children ?? []).flatMap((c) => describe(c, path)));
}

function duplicateAppIds(options: OpenPlatformModuleOptions): string[] {
  if (!Array.isArray(options.components)) return [];
  const seen = new Map<string, number>();
  const problems: string[] = [];
  options.components.forEach((c, i) => {
    const appId = c?.appId;
    if (typeof appId !== 'string') return;
    const first = seen.get(appId);
    if (first !== undefined)
      problems.push(
        `components[${i}].appId: duplicates components[${first}].appId (each component needs its own appId)`,
      );
    else seen.set(appId, i);
  });
  return problems;
}

/** A known platform name this version cannot run yet, reported at the component's own path. */
function unsupportedPlatforms(options: OpenPlatformModuleOptions, supported: readonly string[] | undefined): string[] {
  if (!supported || !Array.isArray(options.components)) return [];
  const problems: string[] = [];
  options.components.forEach((c, i) => {
    const platform = c?.platform as unknown;
    if (isPlatformName(platform) && !supported.includes(platform)) {
      problems.push(
        `components[${i}].platform: platform '${platform}' is not supported by this version yet (supported: ${supported.join(', ')})`,
      );
    }
  });
  return problems;
}

/** The admin API hands out power: enabled, it must be behind the app's guard or basic auth. */
function adminProblems(options: OpenPlatformModuleOptions): string[] {
  const admin = options.admin as unknown as Record<string, unknown> | undefined;
  if (!admin || typeof admin !== 'object') return [];
  const problems: string[] = [];
  const guard = admin.guard;
  if (
    guard !== undefined &&
    typeof guard !== 'function' &&
    typeof (guard as { canActivate?: unknown })?.canActivate !== 'function'
  )
    problems.push('admin.guard: must be a CanActivate class or an instance with canActivate()');
  if (admin.enabled === true && guard === undefined && admin.basicAuth === undefined)
    problems.push(
      'admin.guard: the admin API is enabled without protection; set admin.guard (your CanActivate) or admin.basicAuth',
    );
  const hash = (admin.basicAuth as { passwordHash?: unknown } | undefined)?.passwordHash;
  if (typeof hash === 'string') {
    const problem = scryptHashProblem(hash);
    if (problem) problems.push(`admin.basicAuth.passwordHash: ${problem}`);
  }
  return problems;
}

/**
 * The options with the app's instances (stores, a guard) left out: class-transformer would rebuild
 * them by calling their constructors without arguments, which throws for a store that needs its
 * client. They are checked by hand ({@link storageProblems}, {@link adminProblems}).
 */
function withoutInstances(options: Record<string, unknown>): Record<string, unknown> {
  const copy = { ...options };
  const { storage, admin } = options;
  if (storage && typeof storage === 'object' && !Array.isArray(storage)) copy.storage = {};
  if (admin && typeof admin === 'object' && !Array.isArray(admin) && 'guard' in admin)
    copy.admin = { ...admin, guard: (admin as { guard?: unknown }).guard === undefined ? undefined : {} };
  return copy;
}

function storageProblems(options: OpenPlatformModuleOptions): string[] {
  const storage = options.storage;
  if (!storage || typeof storage !== 'object') return [];
  const problems: string[] = [];
  if (storage.durable !== undefined && !(storage.durable instanceof DurableStore))
    problems.push('storage.durable: must be an instance of a DurableStore subclass');
  if (storage.cache !== undefined && !(storage.cache instanceof TokenCache))
    problems.push('storage.cache: must be an instance of a TokenCache subclass');
  if (storage.encryptionKey !== undefined) {
    const problem = encryptionKeyProblem(storage.encryptionKey);
    if (problem) problems.push(`storage.encryptionKey: ${problem}`);
  }
  if (storage.previousEncryptionKeys !== undefined) {
    if (!Array.isArray(storage.previousEncryptionKeys))
      problems.push('storage.previousEncryptionKeys: must be an array of keys');
    else {
      storage.previousEncryptionKeys.forEach((k, i) => {
        const problem = encryptionKeyProblem(k);
        if (problem) problems.push(`storage.previousEncryptionKeys[${i}]: ${problem}`);
      });
      if (storage.encryptionKey === undefined && storage.previousEncryptionKeys.length)
        problems.push(
          'storage.previousEncryptionKeys: needs storage.encryptionKey (the key new values are sealed under)',
        );
    }
  }
  const known = ['durable', 'cache', 'encryptionKey', 'previousEncryptionKeys'];
  for (const key of Object.keys(storage)) if (!known.includes(key)) problems.push(`storage.${key}: unknown option`);
  // With redis, durable data may live elsewhere (e.g. a KeyvDurableStore on Postgres), but tokens
  // and locks must be shared by the fleet: a per-process token cache would bring back the races.
  if (options.redis && storage.cache !== undefined)
    problems.push('storage.cache: cannot be combined with redis (tokens are kept in Redis)');
  return problems;
}

function invalid(problems: string[]): OpenPlatformError {
  return new OpenPlatformError({
    platform: 'library',
    code: OpenPlatformErrorCode.INVALID_OPTIONS,
    message: `Invalid OpenPlatformModule options:\n  - ${problems.join('\n  - ')}`,
  });
}
