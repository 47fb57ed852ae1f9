// The documentation half of the spec: descriptions and the named response schemas. Kept apart
// from the operation table so the table the client parses at start-up stays small; adapters
// that generate schemas (GraphQL, tRPC, OpenAPI) load this on demand.
import { SpecError } from './errors.js';
import { compileSpec, resolvePointer } from './compile.js';
import type { JsonSchema, OperationTable } from './types.js';

/** Descriptions of one operation, from the spec. */
export interface OperationDoc {
  /** The operation's `description` (the `summary` is in the table). */
  readonly description?: string;
  /** Parameter name → description, for the non-standard parameters that have one. */
  readonly parameters?: Readonly<Record<string, string>>;
  /** The success response's `description`. */
  readonly response?: string;
}

/** What {@link compileOperationDocs} extracts: descriptions per operation and the named schemas. */
export interface OperationDocs {
  /** Operation id → its descriptions. */
  readonly operations: Readonly<Record<string, OperationDoc>>;
  /**
   * `components.schemas` exactly as the spec writes them. `$ref`s inside (and in
   * `OperationSpec.responseSchema`) point at `#/components/schemas/<name>`, so a JSON Schema tool
   * resolves them against `{ components: { schemas } }`. Kept by name, not inlined: the names
   * are the spec's type names (and the generated TypeScript types'), and inlining would repeat
   * shared schemas such as `CharacterID` hundreds of times.
   */
  readonly schemas: Readonly<Record<string, JsonSchema>>;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

const METHODS = ['get', 'post', 'put', 'delete'] as const;

/**
 * Extracts the descriptions and the named component schemas of an ESI OpenAPI document; the
 * counterpart of {@link compileSpec} for tools that need documentation and response shapes.
 *
 * @throws {SpecError} `ESIKIT_SPEC_INVALID` when the document is not an OpenAPI object, or a
 * component schema `$ref` points outside `#/components/schemas`.
 * @example
 * const docs = compileOperationDocs(document);
 * docs.operations.GetStatus?.description; // 'EVE Server status'
 * docs.schemas.StatusGet; // { type: 'object', properties: { players: … } }
 */
export function compileOperationDocs(
  document: unknown,
  table: OperationTable = compileSpec(document),
): OperationDocs {
  if (!isObject(document) || !isObject(document.paths))
    throw new SpecError('ESIKIT_SPEC_INVALID', 'ESI spec is invalid at #/paths: missing paths');
  const known = new Set(table.operations.map((op) => op.id));
  const operations: Record<string, OperationDoc> = {};
  for (const item of Object.values(document.paths)) {
    if (!isObject(item)) continue;
    const shared: unknown[] = Array.isArray(item.parameters) ? item.parameters : [];
    for (const method of METHODS) {
      const op = item[method];
      if (!isObject(op) || typeof op.operationId !== 'string' || !known.has(op.operationId))
        continue;
      const own: unknown[] = Array.isArray(op.parameters) ? op.parameters : [];
      const parameters: Record<string, string> = {};
      for (const raw of [...shared, ...own]) {
        if (!isObject(raw)) continue;
        const p = typeof raw.$ref === 'string' ? resolvePointer(document, raw.$ref) : raw;
        const schema = isObject(p.schema) ? p.schema : {};
        const description = text(p.description) ?? text(schema.description);
        if (typeof p.name === 'string' && description !== undefined && p.in !== 'header')
          parameters[p.name] = description;
      }
      const doc: { -readonly [K in keyof OperationDoc]: OperationDoc[K] } = {};
      const description = text(op.description);
      if (description !== undefined) doc.description = description;
      if (Object.keys(parameters).length > 0) doc.parameters = parameters;
      const responses = isObject(op.responses) ? op.responses : {};
      const success = Object.keys(responses)
        .filter((code) => /^2\d\d$/.test(code))
        .sort()[0];
      const raw = success === undefined ? undefined : responses[success];
      if (isObject(raw)) {
        const response = typeof raw.$ref === 'string' ? resolvePointer(document, raw.$ref) : raw;
        const responseText = text(response.description);
        if (responseText !== undefined) doc.response = responseText;
      }
      operations[op.operationId] = doc;
    }
  }

  const components = isObject(document.components) ? document.components : {};
  const schemas = isObject(components.schemas) ? components.schemas : {};
  const out: Record<string, JsonSchema> = {};
  for (const name of Object.keys(schemas).sort()) {
    const schema = schemas[name];
    if (!isObject(schema)) continue;
    checkRefs(schema, `#/components/schemas/${name}`, schemas);
    out[name] = schema;
  }
  return { operations, schemas: out };
}

/** Every `$ref` in a named schema must name another named schema: that is all adapters resolve. */
function checkRefs(node: unknown, pointer: string, schemas: Json): void {
  if (Array.isArray(node)) {
    node.forEach((item, i) => checkRefs(item, `${pointer}/${i}`, schemas));
    return;
  }
  if (!isObject(node)) return;
  for (const [key, value] of Object.entries(node)) {
    if (key === '$ref' && typeof value === 'string') {
      const name = value.startsWith('#/components/schemas/')
        ? value.slice('#/components/schemas/'.length)
        : undefined;
      if (name === undefined || !isObject(schemas[name]))
        throw new SpecError(
          'ESIKIT_SPEC_UNRESOLVED_REF',
          `ESI spec is invalid at ${pointer}: $ref ${value} is not a schema under #/components/schemas`,
        );
    } else checkRefs(value, `${pointer}/${key}`, schemas);
  }
}
