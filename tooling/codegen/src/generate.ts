// Writes the generated modules for one spec document.
import { join, resolve } from 'node:path';
import { compileOperationDocs, compileSpec } from '@esikit/spec';
import type { OperationTable } from '@esikit/spec';
import { emitDocs, emitIndex, emitOperations } from './emit-operations.js';
import { emitTypes } from './emit-types.js';
import { writeFileAtomic } from './fs.js';

/** What {@link generate} needs: the parsed spec and the sha256 of its bytes. */
export interface GenerateOptions {
  /** Directory to write `types.ts`, `operations.ts`, `docs.ts` and `index.ts` into; created if missing. */
  readonly outDir: string;
  /** The parsed ESI OpenAPI document. */
  readonly document: unknown;
  /** sha256 (hex) of the document's bytes, recorded in every file's header. */
  readonly sha256: string;
}

/** What {@link generate} wrote. */
export interface GenerateResult {
  readonly compatibilityDate: string;
  readonly operations: number;
  /** Absolute paths of the generated files, in write order. */
  readonly files: readonly string[];
  /** The subset of `files` whose content changed. */
  readonly changed: readonly string[];
}

/**
 * The banner on every generated file; no timestamp, so output is byte-identical per spec. ASCII
 * only, like the JSON the modules parse: V8 keeps a module source with one non-ASCII character
 * at two bytes a character.
 */
export function generatedHeader(compatibilityDate: string, sha256: string): string {
  return `// generated from ESI spec ${compatibilityDate} (sha256 ${sha256}) by @esikit/codegen - do not edit\n`;
}

/** Renders every generated module in memory: file name → source. */
export function renderModules(
  document: unknown,
  sha256: string,
  table: OperationTable = compileSpec(document),
): Map<string, string> {
  const header = generatedHeader(table.compatibilityDate, sha256);
  return new Map([
    ['types.ts', emitTypes(header, document, table)],
    ['operations.ts', emitOperations(header, table, sha256)],
    ['docs.ts', emitDocs(header, compileOperationDocs(document, table))],
    ['index.ts', emitIndex(header)],
  ]);
}

/**
 * Generates `types.ts`, `operations.ts`, `docs.ts` and `index.ts` into `outDir`, each written atomically.
 *
 * @example
 * await generate({ outDir: 'src/generated', document, sha256 });
 */
export async function generate(options: GenerateOptions): Promise<GenerateResult> {
  const table = compileSpec(options.document);
  const modules = renderModules(options.document, options.sha256, table);
  const files: string[] = [];
  const changed: string[] = [];
  for (const [name, source] of modules) {
    const file = resolve(join(options.outDir, name));
    files.push(file);
    if (await writeFileAtomic(file, source)) changed.push(file);
  }
  return {
    compatibilityDate: table.compatibilityDate,
    operations: table.operations.length,
    files,
    changed,
  };
}
