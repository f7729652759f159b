import { afterAll, describe, expect, it } from '@jest/globals';
import { execFile, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runCli } from './support/cli.js';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..');
const scratch = join(root, '.tmp/cli-consumer');

/**
 * The CLI as a user gets it: the packed tarball installed in a scratch project (extracted into
 * node_modules as npm does, its dependencies linked from this repo's node_modules so no network is
 * needed, and the "bin" entry linked into node_modules/.bin and made executable, as npm install
 * does), then run through that link.
 */
describe('CLI from the packed tarball', () => {
  const bin = join(scratch, 'node_modules/.bin/nest-open-platform');

  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('installs with a working nest-open-platform bin: help, import, export, emulator', async () => {
    rmSync(scratch, { recursive: true, force: true });
    const modules = join(scratch, 'node_modules');
    const pkg = join(modules, 'nest-open-platform');
    mkdirSync(pkg, { recursive: true });
    mkdirSync(join(modules, '.bin'));
    const { stdout } = await run('npm', ['pack', '--pack-destination', scratch, '--silent'], { cwd: root });
    await run('tar', ['-xzf', join(scratch, stdout.trim().split('\n').pop()!), '-C', pkg, '--strip-components=1']);
    for (const entry of readdirSync(join(root, 'node_modules'))) {
      if (entry === 'nest-open-platform' || entry.startsWith('.')) continue;
      symlinkSync(join(root, 'node_modules', entry), join(modules, entry));
    }
    const manifest = (await import(join(pkg, 'package.json'), { with: { type: 'json' } })) as {
      default: { bin: Record<string, string> };
    };
    expect(manifest.default.bin).toEqual({ 'nest-open-platform': './dist/cli/main.js' });
    symlinkSync(join('..', 'nest-open-platform', manifest.default.bin['nest-open-platform']), bin);
    chmodSync(join(pkg, 'dist/cli/main.js'), 0o755);

    const exec = (args: string[]) =>
      run(bin, args, { cwd: scratch, env: { ...process.env, NODE_OPTIONS: '' } }).then(
        (r) => ({ code: 0, ...r }),
        (e: { code: number; stdout: string; stderr: string }) => e,
      );
    const help = await exec(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('emulator');
    expect((await exec(['import', '--help'])).stdout).toContain('--dry-run');

    writeFileSync(
      join(scratch, 'rows.json'),
      JSON.stringify([
        { platform: 'douyin', componentAppId: 'tt_pkg', authorizerAppId: 'tt_pkg_a', refreshToken: 'r1' },
      ]),
    );
    const dry = await exec(['import', 'rows.json', '--store', 'memory', '--dry-run', '--json']);
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({ dryRun: true, imported: 1 });
    const exported = await exec(['export', '--store', 'memory']);
    expect(exported.code).toBe(0);
    expect(JSON.parse(exported.stdout.split('\n')[0])).toMatchObject({ records: 0 });

    // The emulator from the installed package: up, answering its control API, stopped by SIGTERM.
    const child = spawn(bin, ['emulator', '--douyin-components', '0'], {
      cwd: scratch,
      env: { ...process.env, NODE_OPTIONS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const line = await new Promise<string>((resolve) => createInterface({ input: child.stdout }).once('line', resolve));
    const info = JSON.parse(line) as {
      control: string;
      wechat: { components: unknown[] };
      douyin: { components: unknown[] };
    };
    expect(info.wechat.components).toHaveLength(1);
    expect(info.douyin.components).toHaveLength(0);
    const calls = await (await fetch(`${info.control}/wechat/calls?endpoint=api_component_token`)).json();
    expect(calls).toEqual({ endpoint: 'api_component_token', calls: 0 });
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('the repository build answers the same (node dist/cli/main.js)', async () => {
    const result = await runCli(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Exit codes');
  });
});
