// The e2e suites' hostile request tables (test/support/hostile-*.ts), for plain-JS benchmarks:
// transpiled on the fly (TypeScript's transpileModule, one file at a time) into .tmp/, where their
// `../../lib/…` imports land on the built package through a symlink to dist/. One source of truth:
// the benchmark sends exactly what the suites send, and a new case there is a new case here.
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, '.tmp', 'bench-hostile');
const MODULES = ['hostile-cases', 'hostile-douyin-cases', 'hostile-runner', 'prng', 'fixtures', 'douyin-harness'];

/** Transpiles the support files the entries import (transitively, within test/support). */
function transpile() {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(join(out, 'test', 'support'), { recursive: true });
  symlinkSync(join(root, 'dist'), join(out, 'lib'), 'dir');
  const todo = MODULES.map((m) => `${m}.ts`);
  const done = new Set();
  while (todo.length) {
    const file = todo.pop();
    if (done.has(file)) continue;
    done.add(file);
    const source = readFileSync(join(root, 'test', 'support', file), 'utf8');
    for (const { fileName } of ts.preProcessFile(source, true, true).importedFiles)
      if (fileName.startsWith('./')) todo.push(fileName.slice(2).replace(/\.js$/, '.ts'));
    const { outputText } = ts.transpileModule(source, {
      fileName: file,
      compilerOptions: {
        module: ts.ModuleKind.ESNext,
        target: ts.ScriptTarget.ES2022,
        experimentalDecorators: true,
        useDefineForClassFields: false,
      },
    });
    writeFileSync(join(out, 'test', 'support', file.replace(/\.ts$/, '.js')), outputText);
  }
}

/** The support modules, loaded from their transpiled copies. */
export async function loadHostileSupport() {
  transpile();
  const load = (name) => import(pathToFileURL(join(out, 'test', 'support', `${name}.js`)).href);
  return Object.assign({}, ...(await Promise.all(MODULES.map(load))));
}
