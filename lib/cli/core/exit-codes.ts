/**
 * Exit codes of every command (documented in docs/cli.md): scripts branch on them, so they never
 * change meaning.
 */
export const ExitCode = {
  /** Done, everything as asked. */
  OK: 0,
  /** Failed: nothing (or, for a store write that broke midway, only whole records) was changed. */
  FAILURE: 1,
  /** The command line is wrong (unknown command or option, missing or malformed value). */
  USAGE: 2,
  /** Partly done: some rows were refused (each reported on stderr), the others imported. */
  PARTIAL: 3,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];
