#!/usr/bin/env node
// The `nest-open-platform` executable (package.json "bin"). Not part of the library's API.
import { runCli } from './cli.js';

const stopRequested = new Promise<string>((resolve) => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => resolve(signal));
});

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  stopRequested,
});
