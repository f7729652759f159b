import { out } from '../core/cli-io.js';
import type { CliCommand } from '../core/command.js';
import { ExitCode } from '../core/exit-codes.js';
import { stringOption } from '../core/options.js';
import { bootModule, readModuleConfig } from './module-app.js';

/** `status`: `TokenService.status()` for a configuration, as JSON. */
export const statusCommand: CliCommand = {
  name: 'status',
  summary: 'print TokenService.status() for a configuration (tickets, component tokens, authorizer counts)',
  usage: 'status --config <app.json> [--component <appid>]',
  help: `
Boots the module on the configuration (no HTTP routes, no scheduled renewal, no platform call)
and prints TokenService.status() as one JSON line on stdout: per component whether a ticket is
held and how old it is, whether the component token is valid, how many authorizers are active,
revoked or need re-authorization. With redis in the configuration it reads the fleet's shared
state, so it describes the running deployment. Never prints a token. Exit 1 when the
configuration does not boot.

Options:
  --config <file>       the module options as JSON (see docs/cli.md), plus durableStore {url, keyPrefix, table}
  --component <appid>   one component only
`,
  options: { config: { type: 'string' }, component: { type: 'string' } },
  async run(values, _positionals, io) {
    const config = await readModuleConfig(stringOption(values, 'config', true));
    const app = await bootModule(config, io);
    try {
      out(io, JSON.stringify(await app.tokens.status(stringOption(values, 'component'))));
      return ExitCode.OK;
    } finally {
      await app.close();
    }
  },
};
