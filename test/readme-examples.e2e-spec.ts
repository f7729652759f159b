import { describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import ts from 'typescript';

const root = join(import.meta.dirname, '..');

/** The README's TypeScript blocks, in order. */
function readmeExamples(): string[] {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  return [...readme.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
}

/** Type-checks each example as its own module against the built package; returns the diagnostics. */
async function typeCheck(examples: string[]): Promise<string[]> {
  // Inside the repository, so that node_modules resolves as in an app.
  const dir = join(root, '.tmp', `readme-examples-${process.pid}`);
  await mkdir(dir, { recursive: true });
  try {
    const files: string[] = [];
    for (const [i, code] of examples.entries()) {
      const file = join(dir, `example-${i}.ts`);
      await writeFile(file, `${code}\nexport {};\n`);
      files.push(file);
    }
    const program = ts.createProgram(files, {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      strict: true,
      experimentalDecorators: true,
      emitDecoratorMetadata: true,
      skipLibCheck: true,
      noEmit: true,
      types: ['node'],
      paths: {
        'nest-open-platform': [join(root, 'dist/index.d.ts')],
        '@nestjs/config': [join(root, 'test/support/nestjs-config.stub.d.ts')],
      },
    });
    return ts
      .getPreEmitDiagnostics(program)
      .map((d) => `${d.file?.fileName ?? ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// The quick starts are what a newcomer copies first: they must compile as written, against the
// package as built (`npm test` builds it before the suites run).
describe('README examples', () => {
  it('has the quick starts for WeChat and Douyin, and forRootAsync with ConfigService (useFactory and useClass)', () => {
    const examples = readmeExamples();
    expect(examples.some((e) => e.includes("platform: 'wechat'") && e.includes('OpenPlatformModule.forRoot('))).toBe(
      true,
    );
    expect(examples.some((e) => e.includes("platform: 'douyin'") && e.includes('OpenPlatformModule.forRoot('))).toBe(
      true,
    );
    expect(examples.some((e) => e.includes('useFactory: (config: ConfigService)'))).toBe(true);
    expect(examples.some((e) => e.includes('useClass: OpenPlatformConfig'))).toBe(true);
  });

  it('type-check, each as a module of its own, against the built package; a wrong option in a control example fails', async () => {
    expect(existsSync(join(root, 'dist/index.d.ts'))).toBe(true);
    const wrong =
      "import { OpenPlatformModule } from 'nest-open-platform';\n" +
      "OpenPlatformModule.forRoot({ components: [{ platform: 'wechat', appId: 1 }] });";
    const examples = readmeExamples();
    // One program for all (a second one costs seconds); the control comes last.
    const diagnostics = await typeCheck([...examples, wrong]);
    const control = `example-${examples.length}.ts: `;
    expect(diagnostics.filter((d) => !d.includes(control))).toEqual([]);
    expect(diagnostics.filter((d) => d.includes(control)).join('\n')).toMatch(/not assignable/);
  });
});
