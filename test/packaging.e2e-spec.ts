import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..');

// The built package (dist/, made by `npm run build`, which `npm test` runs first) is imported by
// its name in real Node processes, as a CommonJS app and as an ESM app would.
describe('packaging', () => {
  it('has a build to test', () => {
    expect(existsSync(join(root, 'dist/index.js'))).toBe(true);
    expect(existsSync(join(root, 'dist/index.d.ts'))).toBe(true);
    expect(existsSync(join(root, 'dist/testing/index.d.ts'))).toBe(true);
  });

  it.each([
    ['cjs', 'test/packaging/cjs-app.cjs'],
    ['esm', 'test/packaging/esm-app.mjs'],
  ])('loads from a %s Nest app, main and testing entries', async (format, script) => {
    const { stdout } = await run(process.execPath, [join(root, script)], {
      cwd: root,
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    expect(JSON.parse(stdout)).toEqual({
      format,
      module: 'function',
      tokenService: 'function',
      crypto: 'function',
      emulator: 'function',
    });
  });

  it('50 concurrent calls through OpenPlatformHttpService make Node print no warning (e.g. an EventTarget leak)', async () => {
    const { stdout } = await run(process.execPath, [join(root, 'test/packaging/concurrent-calls.mjs')], {
      cwd: root,
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    expect(JSON.parse(stdout)).toEqual({ ok: 50, warnings: [] });
  });

  it('works, and emits nothing, when @opentelemetry/api is not installed (an optional peer)', async () => {
    const { stdout } = await run(process.execPath, [join(root, 'test/packaging/without-otel.mjs')], {
      cwd: root,
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    expect(JSON.parse(stdout)).toEqual({
      otel: 'ERR_MODULE_NOT_FOUND',
      moduleAskedForOtel: true,
      tokenServed: true,
      renewed: true,
      otelGlobal: [],
    });
  });

  it("ships the console's page, script and style sheet in the tarball (the build copies them into dist/)", async () => {
    const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd: root,
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    const files = (JSON.parse(stdout) as Array<{ files: Array<{ path: string }> }>)[0].files.map((f) => f.path);
    for (const asset of ['index.html', 'console.js', 'console.css'])
      expect(files).toContain(`dist/console/assets/${asset}`);
    expect(files.filter((f) => f.startsWith('lib/'))).toEqual([]);
  });

  it('does not ship specs in the build', () => {
    expect(existsSync(join(root, 'dist/crypto/message-crypto.spec.js'))).toBe(false);
  });
});
