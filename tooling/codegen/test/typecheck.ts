// Typechecks a directory of generated TypeScript with the compiler API under the repo's strict
// base tsconfig, resolving `@esikit/spec` to its sources.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { REPO_ROOT } from './spec-files.js';

/** Every diagnostic tsc reports for the `.ts` files under `dir`, formatted, one per entry. */
export function typecheckDir(dir: string, files: readonly string[]): string[] {
  // NodeNext treats .ts files as ESM only inside a "type": "module" package.
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
  const base = ts.readConfigFile(join(REPO_ROOT, 'tsconfig.base.json'), (f) => ts.sys.readFile(f));
  if (base.error) throw new Error(ts.flattenDiagnosticMessageText(base.error.messageText, '\n'));
  const parsed = ts.parseJsonConfigFileContent(base.config, ts.sys, dir);
  const options: ts.CompilerOptions = {
    ...parsed.options,
    noEmit: true,
    declaration: false,
    declarationMap: false,
    sourceMap: false,
    typeRoots: [join(REPO_ROOT, 'node_modules', '@types')],
    baseUrl: dir,
    paths: { '@esikit/spec': [join(REPO_ROOT, 'packages', 'spec', 'src', 'index.ts')] },
  };
  const program = ts.createProgram(
    files.map((f) => join(dir, f)),
    options,
  );
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    if (!d.file || d.start === undefined) return text;
    const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
    return `${d.file.fileName}:${line + 1}:${character + 1} ${text}`;
  });
}
