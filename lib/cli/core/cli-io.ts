/** Where a command writes: results on stdout (machine-readable with `--json`), progress on stderr. */
export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  env: Record<string, string | undefined>;
  /** Resolves when the process is asked to stop (SIGTERM, SIGINT); long-running commands await it. */
  stopRequested: Promise<string>;
}

/** Writes one line to stdout. */
export function out(io: CliIo, line: string): void {
  io.stdout.write(`${line}\n`);
}

/** Writes one line to stderr (progress, reports of refused rows, warnings). */
export function say(io: CliIo, line: string): void {
  io.stderr.write(`${line}\n`);
}

/**
 * A progress reporter for long work: at most one stderr line per `every` items, and the last one,
 * so a 100,000-row import does not print 100,000 lines.
 */
export function progress(io: CliIo, label: string, total: number, every = 500): (done: number) => void {
  return (done) => {
    if (done === total || done % every === 0) say(io, `${label}: ${done}/${total}`);
  };
}
