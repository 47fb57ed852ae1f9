// Emits `operations.ts` (the runtime operation table) and the `index.ts` that re-exports both files.
import type { OperationTable } from '@esikit/spec';
import { tagMethodMap } from './emit-types.js';
import { tsString } from './schema-to-ts.js';

/** A JSON value as a single-quoted JavaScript string literal that `JSON.parse` turns back into it. */
export function jsonStringLiteral(value: unknown): string {
  return tsString(JSON.stringify(value));
}

/**
 * Renders `operations.ts`: the spec's date and hash, the compiled {@link OperationTable} and the
 * tag → method → operationId map the client builds `esi.Market.getX(...)` from.
 */
export function emitOperations(header: string, table: OperationTable, sha256: string): string {
  return (
    header +
    "\nimport type { OperationTable } from '@esikit/spec';\n\n" +
    '/** The compatibility date of the spec these operations were generated from. */\n' +
    `export const SPEC_COMPATIBILITY_DATE = ${tsString(table.compatibilityDate)};\n\n` +
    '/** sha256 of the spec document these operations were generated from. */\n' +
    `export const SPEC_SHA256 = ${tsString(sha256)};\n\n` +
    '/** Parsed once when first imported; JSON.parse is far cheaper than an object literal of this size. */\n' +
    `export const operationTable: OperationTable = JSON.parse(${jsonStringLiteral(table)}) as OperationTable;\n\n` +
    '/** Tag key → method name → operationId; the runtime twin of the `Tags` type. */\n' +
    'export const tagMethods: Record<string, Record<string, string>> = JSON.parse(\n' +
    `  ${jsonStringLiteral(tagMethodMap(table))},\n` +
    ') as Record<string, Record<string, string>>;\n'
  );
}

/** Renders the `index.ts` that re-exports the generated modules. */
export function emitIndex(header: string): string {
  return `${header}\nexport * from './types.js';\nexport * from './operations.js';\n`;
}
