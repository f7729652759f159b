import type { ParseArgsConfig } from 'node:util';
import type { CliIo } from './cli-io.js';

/** The option declarations of `util.parseArgs`. */
export type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

/** Parsed option values, as `util.parseArgs` gives them. */
export type OptionValues = Record<string, string | boolean | Array<string | boolean> | undefined>;

/** One `nest-open-platform <command>`. */
export interface CliCommand {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** The `--help` text (after the usage line). */
  help: string;
  /** The usage line, e.g. `export --store <url> [--out <file>]`. */
  usage: string;
  options: OptionsConfig;
  /** Whether positional arguments are accepted. Default false. */
  positionals?: boolean;
  /** Runs the command; resolves with its exit code. Throws UsageError / CliFailure / anything. */
  run(values: OptionValues, positionals: string[], io: CliIo): Promise<number>;
}
