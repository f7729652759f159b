import { parseArgs } from 'node:util';
import { CliFailure, UsageError } from './core/cli-errors.js';
import { say, out, type CliIo } from './core/cli-io.js';
import type { CliCommand } from './core/command.js';
import { ExitCode } from './core/exit-codes.js';
import { describeError } from './core/describe-error.js';
import { emulatorCommand } from './emulator/emulator.command.js';
import { exportCommand } from './backup/export.command.js';
import { importCommand } from './authorizer-import/import.command.js';
import { migrateCommand } from './backup/migrate.command.js';
import { resealCommand } from './backup/reseal.command.js';
import { statusCommand } from './app/status.command.js';

const COMMANDS: readonly CliCommand[] = [
  emulatorCommand,
  importCommand,
  exportCommand,
  migrateCommand,
  resealCommand,
  statusCommand,
];

const PROGRAM = 'nest-open-platform';

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    `Usage: ${PROGRAM} <command> [options]`,
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    `Run \`${PROGRAM} <command> --help\` for a command's options. Exit codes: 0 ok, 1 failure, 2 usage error,`,
    '3 partly done (some rows refused). Documentation: docs/cli.md in the package repository.',
  ].join('\n');
}

function commandHelp(c: CliCommand): string {
  return `Usage: ${PROGRAM} ${c.usage}\n\n${c.help.trim()}\n`;
}

/**
 * Runs one command line (`argv` without `node` and the script) and resolves with the exit code.
 * Never throws: every failure becomes a message on stderr and a documented exit code.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    out(io, overview());
    return name === undefined ? ExitCode.USAGE : ExitCode.OK;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    say(io, `${PROGRAM}: unknown command ${JSON.stringify(name)}\n\n${overview()}`);
    return ExitCode.USAGE;
  }
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({
      args: [...rest],
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: command.positionals ?? false,
      strict: true,
    });
  } catch (err) {
    say(io, `${PROGRAM} ${name}: ${(err as Error).message}\n\n${commandHelp(command)}`);
    return ExitCode.USAGE;
  }
  if (parsed.values.help === true) {
    out(io, commandHelp(command));
    return ExitCode.OK;
  }
  try {
    return await command.run(parsed.values as Parameters<CliCommand['run']>[0], parsed.positionals, io);
  } catch (err) {
    if (err instanceof UsageError) {
      say(io, `${PROGRAM} ${name}: ${err.message}\n\n${commandHelp(command)}`);
      return ExitCode.USAGE;
    }
    say(io, `${PROGRAM} ${name}: ${err instanceof CliFailure ? err.message : describeError(err)}`);
    return ExitCode.FAILURE;
  }
}
