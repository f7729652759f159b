import { SealedDurableStore } from '../../store/sealed-durable-store.js';
import { UsageError } from '../core/cli-errors.js';
import { out, say } from '../core/cli-io.js';
import type { CliCommand } from '../core/command.js';
import { ExitCode } from '../core/exit-codes.js';
import { flag } from '../core/options.js';
import {
  openNamedStore,
  SEAL_HELP,
  SEAL_OPTIONS,
  sealKeysOf,
  STORE_HELP,
  STORE_OPTIONS,
} from '../store/store-options.js';

/** `reseal`: every sealed value rewritten under the current key (SealedDurableStore.reseal()). */
export const resealCommand: CliCommand = {
  name: 'reseal',
  summary: 'rewrite every sealed value (and every unsealed credential) under the current encryption key',
  usage: 'reseal --store <url> [--key-prefix <p>] [--json]  (keys from NEST_OPEN_PLATFORM_ENCRYPTION_KEY…)',
  help: `
After rotating storage.encryptionKey (the old one moved to storage.previousEncryptionKeys), rewrites
every record whose credentials are unsealed or sealed under a previous key, so all are under the
current key; then previous keys may be dropped from the configuration. Each record is read and
written back whole; run it with the app stopped or idle. A value no key opens fails the command
(exit 1) and is left as it is.
${STORE_HELP}
${SEAL_HELP}
  --json   print {rewritten} on stdout`,
  options: { ...STORE_OPTIONS, ...SEAL_OPTIONS, json: { type: 'boolean' } },
  async run(values, _positionals, io) {
    const keys = sealKeysOf(values, io);
    if (!keys.encryptionKey) throw new UsageError('reseal needs the current key (NEST_OPEN_PLATFORM_ENCRYPTION_KEY)');
    const store = await openNamedStore(values, 'store');
    try {
      const sealed = new SealedDurableStore(store.raw, keys.encryptionKey, keys.previousEncryptionKeys);
      await sealed.verify();
      say(io, `reseal: rewriting ${store.label}`);
      const rewritten = await sealed.reseal();
      say(io, `reseal: ${rewritten} records rewritten under the current key`);
      if (flag(values, 'json')) out(io, JSON.stringify({ rewritten }));
      return ExitCode.OK;
    } finally {
      await store.close();
    }
  },
};
