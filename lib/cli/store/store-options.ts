import type { CliIo } from '../core/cli-io.js';
import type { OptionsConfig, OptionValues } from '../core/command.js';
import { stringList, stringOption } from '../core/options.js';
import { DurableOnlyStore } from './durable-only-store.js';
import { openStore, sealKeys, type OpenedStore, type SealKeys } from './open-store.js';

/** The options naming one store: `--store`, `--key-prefix`, `--table`. */
export const STORE_OPTIONS: OptionsConfig = {
  store: { type: 'string' },
  'key-prefix': { type: 'string' },
  table: { type: 'string' },
};

/** The sealing-key options (prefer the environment variables: a command line is visible to all). */
export const SEAL_OPTIONS: OptionsConfig = {
  'encryption-key': { type: 'string' },
  'previous-encryption-key': { type: 'string', multiple: true },
};

export const STORE_HELP = `
Store:
  --store <url>             memory | redis://host:6379 | postgres://user@host:5432/db
  --key-prefix <p>          Redis: the module's redis.keyPrefix (default op);
                            PostgreSQL: the KeyvDurableStore namespace (default open-platform)
  --table <name>            PostgreSQL: the Keyv table (default keyv)`;

export const SEAL_HELP = `
Sealing (a store sealed with storage.encryptionKey):
  NEST_OPEN_PLATFORM_ENCRYPTION_KEY, NEST_OPEN_PLATFORM_PREVIOUS_ENCRYPTION_KEYS (comma-separated)
  --encryption-key <base64>, --previous-encryption-key <base64> (repeatable): visible in ps; prefer the env`;

/** Opens the store `--{name}` names (`store`, `from`, `to`), listing durable data only. */
export async function openNamedStore(
  values: OptionValues,
  name: string,
  overrides: { keyPrefix?: string; table?: string } = {},
): Promise<OpenedStore> {
  const opened = await openStore({
    url: stringOption(values, name, true),
    keyPrefix: overrides.keyPrefix ?? stringOption(values, 'key-prefix'),
    table: overrides.table ?? stringOption(values, 'table'),
  });
  return { ...opened, raw: new DurableOnlyStore(opened.raw) };
}

/** The sealing keys from the options and the environment. */
export function sealKeysOf(values: OptionValues, io: CliIo): SealKeys {
  return sealKeys(stringOption(values, 'encryption-key'), stringList(values, 'previous-encryption-key'), io.env);
}
