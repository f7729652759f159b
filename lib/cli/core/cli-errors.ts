/** A wrong command line: reported with the command's usage, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A failure the user can act on, reported as its message alone (no stack), exit code 1. */
export class CliFailure extends Error {
  override readonly name = 'CliFailure';
}
