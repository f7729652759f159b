import { DurableStore, MemoryDurableStore } from '../../store/durable-store.js';
import { KeyvDurableStore } from '../../store/keyv-durable-store.js';
import { RedisConnection } from '../../store/redis/redis-connection.js';
import { RedisDurableStore } from '../../store/redis/redis-durable-store.js';
import { encryptionKeyProblem, SEAL_CHECK_KEY, SealedDurableStore } from '../../store/sealed-durable-store.js';
import { CliFailure, UsageError } from '../core/cli-errors.js';

/** Where a command reads or writes durable data: `memory`, `redis://…` or `postgres://…`. */
export interface StoreSpec {
  url: string;
  /** Redis: the module's `redis.keyPrefix` (default `op`); PostgreSQL: the Keyv namespace (default `open-platform`). */
  keyPrefix?: string;
  /** PostgreSQL: the Keyv table (default `keyv`). */
  table?: string;
}

/** Sealing keys, as the module's `storage.encryptionKey` / `storage.previousEncryptionKeys`. */
export interface SealKeys {
  encryptionKey?: string;
  previousEncryptionKeys: string[];
}

/** An opened store: `raw` as stored (sealed values stay sealed), `close` releases its connection. */
export interface OpenedStore {
  raw: DurableStore;
  /** How to name the store in messages (no password). */
  label: string;
  close(): Promise<void>;
}

/**
 * Opens the durable store a URL names, on the module's own store classes so that what a command
 * writes is what the module would write: Redis through {@link RedisDurableStore} (keys
 * `{keyPrefix}:…`), PostgreSQL through {@link KeyvDurableStore} on `@keyv/postgres` (loaded only
 * then; it is the app's dependency, not ours), memory for trying a command out.
 */
export async function openStore(spec: StoreSpec): Promise<OpenedStore> {
  const url = spec.url;
  if (url === 'memory') return { raw: new MemoryDurableStore(), label: 'memory', close: async () => undefined };
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`the store ${JSON.stringify(redact(url))} is not memory, redis://… or postgres://…`);
  }
  const label = redact(url);
  if (parsed.protocol === 'redis:' || parsed.protocol === 'rediss:') {
    const keyPrefix = spec.keyPrefix ?? 'op';
    if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(keyPrefix))
      throw new UsageError('--key-prefix must be 1-64 characters of A-Z a-z 0-9 _ . : -');
    const connection = await RedisConnection.open({ url, keyPrefix, connectTimeoutMs: 5_000 });
    return {
      raw: new RedisDurableStore(connection),
      label: `${label} (prefix ${keyPrefix})`,
      close: () => connection.close(),
    };
  }
  if (parsed.protocol === 'postgres:' || parsed.protocol === 'postgresql:') {
    const namespace = spec.keyPrefix ?? 'open-platform';
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(namespace))
      throw new UsageError('--key-prefix (the Keyv namespace) must be 1-64 characters of A-Z a-z 0-9 _ . - (no colon)');
    const table = spec.table ?? 'keyv';
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(table)) throw new UsageError('--table must be a plain SQL identifier');
    const KeyvPostgres = await loadPostgres();
    const adapter = new KeyvPostgres({ uri: url, table, max: 2 });
    return {
      raw: new KeyvDurableStore(adapter, { namespace }),
      label: `${label} (table ${table}, namespace ${namespace})`,
      close: () => adapter.disconnect(),
    };
  }
  throw new UsageError(`the store ${JSON.stringify(label)} is not memory, redis://… or postgres://…`);
}

/**
 * The store as the module sees it with these keys: sealed (credentials opened on read, sealed on
 * write, the seal check verified) when a key is given; refused when the store is sealed and no key
 * is — the same rule the module applies at boot.
 */
export async function moduleView(store: DurableStore, keys: SealKeys): Promise<DurableStore> {
  if (keys.encryptionKey) {
    const sealed = new SealedDurableStore(store, keys.encryptionKey, keys.previousEncryptionKeys);
    await sealed.verify();
    return sealed;
  }
  if ((await store.get(SEAL_CHECK_KEY)) !== undefined)
    throw new CliFailure(
      'the store holds sealed credentials (its seal check is there): give the key with NEST_OPEN_PLATFORM_ENCRYPTION_KEY (or --encryption-key)',
    );
  return store;
}

/**
 * The sealing keys: `--encryption-key` / `--previous-encryption-key` or, better (a command line is
 * visible to every user of the machine), NEST_OPEN_PLATFORM_ENCRYPTION_KEY and
 * NEST_OPEN_PLATFORM_PREVIOUS_ENCRYPTION_KEYS (comma-separated). Never echoed.
 */
export function sealKeys(
  flagKey: string | undefined,
  flagPrevious: readonly string[],
  env: Record<string, string | undefined>,
): SealKeys {
  const encryptionKey = flagKey ?? (env.NEST_OPEN_PLATFORM_ENCRYPTION_KEY || undefined);
  const previousEncryptionKeys = flagPrevious.length
    ? [...flagPrevious]
    : (env.NEST_OPEN_PLATFORM_PREVIOUS_ENCRYPTION_KEYS ?? '')
        .split(',')
        .map((k) => k.trim())
        .filter(Boolean);
  const problem = encryptionKey === undefined ? undefined : encryptionKeyProblem(encryptionKey);
  if (problem) throw new UsageError(`the encryption key ${problem}`);
  previousEncryptionKeys.forEach((k, i) => {
    const p = encryptionKeyProblem(k);
    if (p) throw new UsageError(`previous encryption key #${i + 1} ${p}`);
  });
  return { encryptionKey, previousEncryptionKeys };
}

type KeyvPostgresClass = new (options: {
  uri: string;
  table: string;
  max: number;
}) => ConstructorParameters<typeof KeyvDurableStore>[0] & { disconnect(): Promise<void> };

async function loadPostgres(): Promise<KeyvPostgresClass> {
  const name = '@keyv/postgres';
  try {
    const mod = (await import(name)) as { default: KeyvPostgresClass };
    return mod.default;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') throw err;
    throw new CliFailure(`a postgres:// store needs the package ${name}: npm install ${name}`);
  }
}

/** The URL without the password it may carry. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//***@');
  }
}
