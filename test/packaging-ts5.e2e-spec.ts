import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..');
const scratch = join(root, '.tmp/ts5-consumer');

/**
 * Installs the packed tarball the way npm would (extracted into node_modules; its dependencies are
 * linked from this repo's node_modules, so no network is needed) into a consumer that compiles
 * with TypeScript 5, `"module": "commonjs"`, `"moduleResolution": "node"` — the setup of many
 * existing Nest apps, where package.json "exports" are ignored and "typesVersions" must map the
 * `/testing` entry.
 */
describe('packaging: a TypeScript 5 CommonJS consumer of the packed tarball', () => {
  it('type-checks against both entry points', async () => {
    rmSync(scratch, { recursive: true, force: true });
    const modules = join(scratch, 'node_modules');
    mkdirSync(join(modules, 'nest-open-platform'), { recursive: true });
    const { stdout } = await run('npm', ['pack', '--pack-destination', scratch, '--silent'], { cwd: root });
    const tarball = join(scratch, stdout.trim().split('\n').pop()!);
    await run('tar', ['-xzf', tarball, '-C', join(modules, 'nest-open-platform'), '--strip-components=1']);
    for (const entry of readdirSync(join(root, 'node_modules'))) {
      if (entry === 'nest-open-platform' || entry.startsWith('.')) continue;
      symlinkSync(join(root, 'node_modules', entry), join(modules, entry));
    }
    cpSync(join(root, 'test/packaging/ts5-cjs-consumer'), scratch, { recursive: true });

    const packed = readdirSync(join(modules, 'nest-open-platform'));
    expect(packed).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'package.json', 'dist']));

    const tsc = join(root, 'node_modules/typescript5/bin/tsc');
    const { stdout: version } = await run(process.execPath, [tsc, '--version']);
    expect(version).toMatch(/^Version 5\./);
    const result = await run(process.execPath, [tsc, '-p', join(scratch, 'tsconfig.json')], { cwd: scratch }).then(
      () => 'compiled',
      (err: Error & { stdout?: string }) => err.stdout || err.message,
    );
    expect(result).toBe('compiled');
  });
});
