// Emits `operations.ts` (the runtime operation table) and the `index.ts` that re-exports both files.
import type { OperationDocs, OperationTable } from '@esikit/spec';
import { tagMethodMap } from './emit-types.js';
import { tsString } from './schema-to-ts.js';

/**
 * A JSON value as a single-quoted JavaScript string literal that `JSON.parse` turns back into it.
 * ASCII only (other characters as JSON `\u` escapes): V8 keeps a module's source and this
 * literal in memory, and one non-ASCII character (CCP's ’) would store both at two bytes a
 * character — about 1 MB more for the operation table and docs.
 */
export function jsonStringLiteral(value: unknown): string {
  return tsString(
    JSON.stringify(value).replace(
      /[\u007f-\uffff]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    ),
  );
}

/**
 * Renders `operations.ts`: the spec's date and hash, the compiled {@link OperationTable} and the
 * tag → method → operationId map the client builds `esi.Market.getX(...)` from.
 */
export function emitOperations(header: string, table: OperationTable, sha256: string): string {
  return (
    header +
    "\nimport type { OperationDocs, OperationTable } from '@esikit/spec';\n\n" +
    '/** The compatibility date of the spec these operations were generated from. */\n' +
    `export const SPEC_COMPATIBILITY_DATE = ${tsString(table.compatibilityDate)};\n\n` +
    '/** sha256 of the spec document these operations were generated from. */\n' +
    `export const SPEC_SHA256 = ${tsString(sha256)};\n\n` +
    '/** Parsed once when first imported; JSON.parse is far cheaper than an object literal of this size. */\n' +
    `export const operationTable: OperationTable = JSON.parse(${jsonStringLiteral(table)}) as OperationTable;\n\n` +
    '/** Tag key -> method name -> operationId; the runtime twin of the `Tags` type. */\n' +
    'export const tagMethods: Record<string, Record<string, string>> = JSON.parse(\n' +
    `  ${jsonStringLiteral(tagMethodMap(table))},\n` +
    ') as Record<string, Record<string, string>>;\n'
  );
}

/**
 * Renders `docs.ts`: descriptions and the named response schemas. Not re-exported by `index.ts`:
 * the client imports it dynamically when an adapter asks for metadata, so start-up never parses
 * it (it is larger than the operation table).
 */
export function emitDocs(header: string, docs: OperationDocs): string {
  return (
    header +
    "\nimport type { OperationDocs } from '@esikit/spec';\n\n" +
    '/** Descriptions per operation and `components.schemas`; loaded on demand only. */\n' +
    `export const operationDocs: OperationDocs = JSON.parse(${jsonStringLiteral(docs)}) as OperationDocs;\n`
  );
}

/** Renders the `index.ts` that re-exports the generated modules. */
export function emitIndex(header: string): string {
  return `${header}\nexport * from './types.js';\nexport * from './operations.js';\n`;
}
