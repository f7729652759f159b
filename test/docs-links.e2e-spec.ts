import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { urlSyntaxProblem } from '../scripts/remark-url-syntax.mjs';

const root = join(import.meta.dirname, '..');
const run = promisify(execFile);

/** Runs the project's link check (its .remarkrc.mjs) over `files`; never throws. */
async function checkLinks(cwd: string, files: string[]): Promise<{ code: number; output: string }> {
  const remark = join(root, 'node_modules/.bin/remark');
  const args = ['--quiet', '--frail', '--no-color', '--rc-path', join(root, '.remarkrc.mjs'), ...files];
  try {
    const { stdout, stderr } = await run(remark, args, { cwd });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, output: e.stdout + e.stderr };
  }
}

describe('link check of README.md and docs/ (npm run docs:links)', () => {
  it('accepts http(s) and mailto URLs with a host, and relative links and anchors (left to remark-validate-links)', () => {
    for (const url of [
      'https://developers.weixin.qq.com/doc/oplatform/en/index.html',
      'http://127.0.0.1:9464/metrics',
      'http://localhost:3000/open-platform',
      'mailto:ops@example.com',
      'docs/fleet-mode.md#key-layout',
      '#two-commands',
      '../README.md',
    ]) {
      expect(urlSyntaxProblem(url)).toBeUndefined();
    }
  });

  it('refuses URLs that do not parse, other schemes, and hosts with no dot', () => {
    expect(urlSyntaxProblem('https://exa[mple.com/')).toMatch(/invalid URL/);
    expect(urlSyntaxProblem('http://')).toMatch(/invalid URL/);
    expect(urlSyntaxProblem('ftp://example.com/file')).toMatch(/unexpected scheme `ftp:`/);
    expect(urlSyntaxProblem('javascript:alert(1)')).toMatch(/unexpected scheme/);
    expect(urlSyntaxProblem('https://wwwexamplecom/')).toMatch(/no host name/);
  });

  it('fails on a missing file, a missing heading (here or in another page) and a bad URL; passes once fixed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'docs-links-'));
    try {
      await writeFile(join(dir, 'other.md'), '# Other page\n\n## 全网发布 check\n');
      await writeFile(
        join(dir, 'page.md'),
        [
          '# Page',
          '',
          '[ok](other.md#全网发布-check) [ok](#page) [ok](https://example.com/)',
          '[bad](missing.md) [bad](#nowhere) [bad](other.md#nowhere) [bad](ftp://example.com/)',
          '',
        ].join('\n'),
      );
      const broken = await checkLinks(dir, ['page.md', 'other.md']);
      expect(broken.code).toBe(1);
      expect(broken.output).toContain('Cannot find file `missing.md`');
      expect(broken.output).toContain('Cannot find heading for `#nowhere`');
      expect(broken.output).toContain('Cannot find heading for `#nowhere` in `other.md`');
      expect(broken.output).toContain('unexpected scheme `ftp:`');
      expect(broken.output).toMatch(/4 warnings/);

      await writeFile(join(dir, 'page.md'), '# Page\n\n[ok](other.md#全网发布-check) [ok](#page)\n');
      expect(await checkLinks(dir, ['page.md', 'other.md'])).toEqual({ code: 0, output: '' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("passes on this repository's README.md and docs/", async () => {
    const result = await checkLinks(root, ['README.md', 'docs']);
    expect(result.output).toBe('');
    expect(result.code).toBe(0);
  });
});
