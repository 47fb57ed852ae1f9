// Emits `types.ts`: one type per `components.schemas` entry, the `Operations` map and `Tags`.
import { methodName, tagKey } from '@esikit/spec';
import type { OperationSpec, OperationTable, ValueConstraints } from '@esikit/spec';
import {
  componentRefName,
  docLines,
  isInterfaceSchema,
  jsDoc,
  propertyKey,
  schemaToTs,
  tsString,
} from './schema-to-ts.js';

type Json = { readonly [key: string]: unknown };

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const INT64_NOTE = `/**
 * Integers: ESI declares many ids as \`int64\`. They are typed as \`number\` because every EVE id
 * (characters, corporations, items, structures, orders, killmails…) is below 2^53 and so is exact
 * in a JavaScript number. The client never rounds silently: an integer in a response or a
 * parameter that a number cannot represent exactly (beyond Number.MAX_SAFE_INTEGER) is refused
 * with a typed error instead of being passed on with a different value.
 *
 * \`date\` and \`date-time\` values stay ISO 8601 strings, exactly as ESI sends them.
 *
 * @packageDocumentation
 */
`;

// One definition of the names, shared with the client's runtime metadata (`@esikit/spec`).
export { methodName, tagKey };

/** Tag key → method name → operation id, every level sorted. */
export function tagMethodMap(table: OperationTable): Record<string, Record<string, string>> {
  const groups = new Map<string, Map<string, string>>();
  for (const op of table.operations) {
    const key = tagKey(op.tag);
    const group = groups.get(key) ?? new Map<string, string>();
    group.set(methodName(op.id), op.id);
    groups.set(key, group);
  }
  const out: Record<string, Record<string, string>> = {};
  for (const key of [...groups.keys()].sort()) {
    const group = groups.get(key)!;
    out[key] = Object.fromEntries([...group.keys()].sort().map((m) => [m, group.get(m)!]));
  }
  return out;
}

function componentTypes(schemas: Json): string {
  const names = Object.keys(schemas).sort();
  const taken = new Set(names);
  let out = '';
  for (const name of names) {
    const schema = schemas[name];
    const where = `#/components/schemas/${name}`;
    componentRefName(where);
    const doc = isObject(schema) ? docLines(schema) : [];
    if (isInterfaceSchema(schema)) {
      const body = schemaToTs(schema, componentRefName, '', where);
      out += `\n${jsDoc(doc, '')}export interface ${name} ${body}\n`;
      continue;
    }
    // A list of inline objects gets a named element type so callers can name one row.
    const items = isObject(schema) && schema.type === 'array' ? schema.items : undefined;
    const itemName = `${name}Item`;
    if (isInterfaceSchema(items) && !taken.has(itemName)) {
      taken.add(itemName);
      const itemBody = schemaToTs(items, componentRefName, '', `${where}/items`);
      out += `\n${jsDoc(docLines(items), '')}export interface ${itemName} ${itemBody}\n`;
      out += `\n${jsDoc(doc, '')}export type ${name} = ${itemName}[];\n`;
      continue;
    }
    out += `\n${jsDoc(doc, '')}export type ${name} = ${schemaToTs(schema, componentRefName, '', where)};\n`;
  }
  return out;
}

function constraintType(c: ValueConstraints): string {
  if (c.enum && c.enum.length > 0) {
    return [...new Set(c.enum.map((v) => (typeof v === 'string' ? tsString(v) : String(v))))].join(
      ' | ',
    );
  }
  switch (c.type) {
    case 'integer':
    case 'number':
      return 'number';
    case 'string':
      return 'string';
    case 'boolean':
      return 'boolean';
    case 'array': {
      const item = c.items ? constraintType(c.items) : 'unknown';
      return item.includes(' | ') ? `readonly (${item})[]` : `readonly ${item}[]`;
    }
  }
}

function paramsType(op: OperationSpec, indent: string): string {
  if (op.parameters.length === 0) return 'Record<string, never>';
  const inner = `${indent}  `;
  const lines = op.parameters.map((p) => {
    // A required parameter with a default is optional to callers: the client fills the default.
    const optional = !p.required || p.default !== undefined;
    const doc =
      p.default !== undefined ? jsDoc([`@default ${JSON.stringify(p.default)}`], inner) : '';
    return `${doc}${inner}${propertyKey(p.name)}${optional ? '?' : ''}: ${constraintType(p)};`;
  });
  return `{\n${lines.join('\n')}\n${indent}}`;
}

/** The request body's named schema when the spec names one, so callers can import that type. */
function namedBodySchema(document: Json, op: OperationSpec): string | undefined {
  const paths = isObject(document.paths) ? document.paths : {};
  const item = paths[op.path];
  const raw = isObject(item) ? item[op.method.toLowerCase()] : undefined;
  const body = isObject(raw) ? raw.requestBody : undefined;
  const content = isObject(body) && isObject(body.content) ? body.content : {};
  const media = content['application/json'];
  const schema = isObject(media) ? media.schema : undefined;
  const ref = isObject(schema) ? schema.$ref : undefined;
  return typeof ref === 'string' && ref.startsWith('#/components/schemas/')
    ? componentRefName(ref)
    : undefined;
}

function bodyType(document: Json, op: OperationSpec, indent: string): string {
  if (!op.body) return 'undefined';
  const where = `#/paths/${op.path.replaceAll('/', '~1')}/${op.method.toLowerCase()}/requestBody`;
  const type =
    namedBodySchema(document, op) ?? schemaToTs(op.body.schema, componentRefName, indent, where);
  return op.body.required ? type : `${type} | undefined`;
}

function responseType(op: OperationSpec, indent: string): string {
  const statuses = [op.successStatus, ...(op.otherSuccessStatuses ?? [])];
  const where = `#/paths/${op.path.replaceAll('/', '~1')}/${op.method.toLowerCase()}/responses`;
  let type: string | undefined;
  if (op.responseSchema !== undefined)
    type = componentRefName(`#/components/schemas/${op.responseSchema}`);
  else if (op.responseInlineSchema !== undefined) {
    type = schemaToTs(op.responseInlineSchema, componentRefName, indent, where);
  }
  if (type === undefined) return 'undefined';
  // Some routes answer 200 with a body or 204 without one.
  return statuses.includes(204) ? `${type} | undefined` : type;
}

function operationDoc(op: OperationSpec): string[] {
  const lines = [op.summary || op.id, '', `\`${op.method} ${op.path}\``];
  if (op.scope) lines.push(`@scope ${op.scope}`);
  if (op.roles) lines.push(`@roles ${op.roles.join(', ')}`);
  if (op.cacheAge !== undefined) lines.push(`@cacheAge ${op.cacheAge}s`);
  return lines;
}

function operationsInterface(document: Json, table: OperationTable): string {
  const entries = table.operations.map((op) => {
    const i = '    ';
    return (
      jsDoc(operationDoc(op), '  ') +
      `  ${propertyKey(op.id)}: {\n` +
      `${i}params: ${paramsType(op, i)};\n` +
      `${i}body: ${bodyType(document, op, i)};\n` +
      `${i}response: ${responseType(op, i)};\n` +
      `${i}method: ${tsString(op.method)};\n` +
      `${i}path: ${tsString(op.path)};\n` +
      `${i}tag: ${tsString(op.tag)};\n` +
      `${i}pagination: ${tsString(op.pagination)};\n` +
      `${i}scope: ${op.scope === undefined ? 'undefined' : tsString(op.scope)};\n` +
      `  };\n`
    );
  });
  return (
    '\n/** Every ESI operation by operationId: its parameters, body, response and routing facts. */\n' +
    `export interface Operations {\n${entries.join('')}}\n\n` +
    '/** The operationId of any ESI operation. */\n' +
    'export type OperationId = keyof Operations;\n'
  );
}

function tagsInterface(table: OperationTable): string {
  const summaries = new Map(table.operations.map((op) => [op.id, op.summary]));
  const groups = tagMethodMap(table);
  let out =
    '\n/** Operations grouped by tag, as the client exposes them: `esi.Market.getMarketsRegionIdOrders`. */\n';
  out += 'export interface Tags {\n';
  for (const [key, methods] of Object.entries(groups)) {
    out += `  ${key}: {\n`;
    for (const [method, id] of Object.entries(methods)) {
      out += jsDoc([summaries.get(id) ?? ''], '    ');
      out += `    ${propertyKey(method)}: ${tsString(id)};\n`;
    }
    out += '  };\n';
  }
  out +=
    '}\n\n/** A tag key of {@link Tags}, e.g. `FactionWarfare`. */\nexport type TagKey = keyof Tags;\n';
  return out;
}

/**
 * Renders `types.ts` for a spec. `header` is the generated-file banner.
 *
 * @example
 * const source = emitTypes(header, document, compileSpec(document));
 */
export function emitTypes(header: string, document: unknown, table: OperationTable): string {
  const doc = isObject(document) ? document : {};
  const components = isObject(doc.components) ? doc.components : {};
  const schemas = isObject(components.schemas) ? components.schemas : {};
  return (
    header +
    '\n' +
    INT64_NOTE +
    componentTypes(schemas) +
    operationsInterface(doc, table) +
    tagsInterface(table)
  );
}
