// Turns JSON Schemas (the OpenAPI 3.1 dialect ESI uses) into TypeScript type expressions.
// Pure functions of their input so the output is byte-identical for the same spec.
import { CodegenError } from './errors.js';

type Json = { readonly [key: string]: unknown };

/** A rendered type and whether it is a top-level union (and so needs parentheses in `T[]`). */
interface Rendered {
  readonly code: string;
  readonly union: boolean;
}

/** How `$ref`s are named: `#/components/schemas/Foo` → `Foo`. */
export type RefNamer = (ref: string) => string;

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A single-quoted TypeScript string literal (the repository's quote style) holding `value`. */
export function tsString(value: string): string {
  let out = "'";
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    if (ch === "'" || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x2028 || code === 0x2029) {
      out += `\\u${code.toString(16).padStart(4, '0')}`;
    } else out += ch;
  }
  return `${out}'`;
}

/** A property key as TypeScript accepts it: bare when it is an identifier, quoted otherwise. */
export function propertyKey(name: string): string {
  return IDENTIFIER.test(name) ? name : tsString(name);
}

/** The name a `#/components/schemas/X` reference points at, or a {@link CodegenError}. */
export function componentRefName(ref: string): string {
  const prefix = '#/components/schemas/';
  if (!ref.startsWith(prefix)) {
    throw new CodegenError(
      'ESIKIT_CODEGEN_UNSUPPORTED_SCHEMA',
      `Cannot generate a type for $ref ${ref}: only ${prefix}* references are supported`,
    );
  }
  const name = ref.slice(prefix.length);
  if (!IDENTIFIER.test(name)) {
    throw new CodegenError(
      'ESIKIT_CODEGEN_UNSUPPORTED_SCHEMA',
      `Schema name ${JSON.stringify(name)} is not a valid TypeScript identifier`,
    );
  }
  return name;
}

/**
 * Renders a JSDoc block (or nothing) at `indent`. `*\/` in CCP's text is escaped so a
 * description can never end the comment early.
 */
export function jsDoc(lines: readonly string[], indent: string): string {
  const body = lines
    .flatMap((line) => line.split(/\r?\n/))
    .map((line) => line.replaceAll('*/', '*\\/').trimEnd());
  while (body.length > 0 && body[body.length - 1] === '') body.pop();
  while (body.length > 0 && body[0] === '') body.shift();
  if (body.length === 0) return '';
  if (body.length === 1) return `${indent}/** ${body[0]} */\n`;
  return `${indent}/**\n${body.map((l) => (l ? `${indent} * ${l}` : `${indent} *`)).join('\n')}\n${indent} */\n`;
}

/** The documentation lines a schema carries: its description, enum meanings, deprecation. */
export function docLines(schema: Json): string[] {
  const lines: string[] = [];
  if (typeof schema.description === 'string') lines.push(schema.description);
  const meanings = schema['x-enum-descriptions'];
  if (
    Array.isArray(schema.enum) &&
    Array.isArray(meanings) &&
    meanings.length === schema.enum.length
  ) {
    if (lines.length > 0) lines.push('');
    schema.enum.forEach((value, i) =>
      lines.push(`- \`${JSON.stringify(value)}\`: ${String(meanings[i])}`),
    );
  }
  if (schema.deprecated === true) lines.push('@deprecated');
  return lines;
}

function literal(value: unknown, where: string): string {
  if (typeof value === 'string') return tsString(value);
  if (value === null || typeof value === 'boolean') return String(value);
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  throw new CodegenError(
    'ESIKIT_CODEGEN_UNSUPPORTED_SCHEMA',
    `Cannot turn ${JSON.stringify(value)} at ${where} into a TypeScript literal type`,
  );
}

function union(parts: readonly Rendered[]): Rendered {
  const unique = [...new Set(parts.map((p) => p.code))];
  if (unique.length === 1) return parts.find((p) => p.code === unique[0])!;
  return { code: unique.join(' | '), union: true };
}

function atom(code: string): Rendered {
  return { code, union: false };
}

/**
 * `oneOf` branches in ESI are tagged unions: each branch is an object with exactly one property,
 * named by its `title`, and none marks it required. Read literally every branch would accept `{}`,
 * which no ESI response ever is, so the tag is treated as required to let callers narrow with `in`.
 */
function taggedBranch(schema: Json): Json {
  const properties = schema.properties;
  if (!isObject(properties) || schema.required !== undefined) return schema;
  const keys = Object.keys(properties);
  if (keys.length !== 1) return schema;
  return { ...schema, required: keys };
}

function objectType(schema: Json, ctx: Context, indent: string, where: string): Rendered {
  const properties = isObject(schema.properties) ? schema.properties : {};
  const required = new Set(Array.isArray(schema.required) ? schema.required.map(String) : []);
  const inner = `${indent}  `;
  let out = '';
  for (const name of Object.keys(properties).sort()) {
    const prop = properties[name];
    if (!isObject(prop)) continue;
    out += jsDoc(docLines(prop), inner);
    const type = render(prop, ctx, inner, `${where}/properties/${name}`).code;
    out += `${inner}${propertyKey(name)}${required.has(name) ? '' : '?'}: ${type};\n`;
  }
  const extra = schema.additionalProperties;
  if (extra === true || isObject(extra)) {
    // An index signature must admit every named property's type, so mixing both degrades to unknown.
    const valueType =
      isObject(extra) && Object.keys(properties).length === 0
        ? render(extra, ctx, inner, `${where}/additionalProperties`).code
        : 'unknown';
    out += `${inner}[key: string]: ${valueType};\n`;
  }
  if (out === '')
    return atom(extra === false ? 'Record<string, never>' : 'Record<string, unknown>');
  return atom(`{\n${out}${indent}}`);
}

interface Context {
  readonly refName: RefNamer;
}

function renderType(
  type: string,
  schema: Json,
  ctx: Context,
  indent: string,
  where: string,
): Rendered {
  switch (type) {
    case 'string':
      // date and date-time stay strings: parsing them is the caller's choice, not ours.
      return atom('string');
    case 'integer':
    case 'number':
      // int64 stays number; see the int64 note at the top of the generated types.ts.
      return atom('number');
    case 'boolean':
      return atom('boolean');
    case 'null':
      return atom('null');
    case 'array': {
      const items = isObject(schema.items)
        ? render(schema.items, ctx, indent, `${where}/items`)
        : atom('unknown');
      return atom(items.union ? `(${items.code})[]` : `${items.code}[]`);
    }
    case 'object':
      return objectType(schema, ctx, indent, where);
    default:
      throw new CodegenError(
        'ESIKIT_CODEGEN_UNSUPPORTED_SCHEMA',
        `Unsupported JSON Schema type ${JSON.stringify(type)} at ${where}`,
      );
  }
}

function render(schema: Json, ctx: Context, indent: string, where: string): Rendered {
  let result: Rendered;
  if (typeof schema.$ref === 'string') {
    result = atom(ctx.refName(schema.$ref));
  } else if (Array.isArray(schema.oneOf) || Array.isArray(schema.anyOf)) {
    const key = Array.isArray(schema.oneOf) ? 'oneOf' : 'anyOf';
    const branches = (schema[key] as unknown[]).filter(isObject);
    result = union(
      branches.map((branch, i) =>
        render(taggedBranch(branch), ctx, indent, `${where}/${key}/${i}`),
      ),
    );
  } else if (Array.isArray(schema.allOf)) {
    const parts = schema.allOf
      .filter(isObject)
      .map((part, i) => render(part, ctx, indent, `${where}/allOf/${i}`));
    result = atom(parts.map((p) => (p.union ? `(${p.code})` : p.code)).join(' & ') || 'unknown');
  } else if (schema.const !== undefined) {
    result = atom(literal(schema.const, `${where}/const`));
  } else if (Array.isArray(schema.enum)) {
    result = union(schema.enum.map((value, i) => atom(literal(value, `${where}/enum/${i}`))));
  } else if (Array.isArray(schema.type)) {
    result = union(
      schema.type.map((t) => renderType(String(t), schema, ctx, indent, `${where}/type`)),
    );
  } else if (typeof schema.type === 'string') {
    result = renderType(schema.type, schema, ctx, indent, where);
  } else if (isObject(schema.properties) || schema.additionalProperties !== undefined) {
    result = objectType(schema, ctx, indent, where);
  } else {
    result = atom('unknown');
  }
  if (schema.nullable === true && !/(^|\| )null( \||$)/.test(result.code)) {
    result = union([result, atom('null')]);
  }
  return result;
}

/**
 * Renders a schema as a TypeScript type expression. Nested object literals are indented from
 * `indent`; `where` (a JSON pointer) names the spot in error messages.
 *
 * @throws {CodegenError} `ESIKIT_CODEGEN_UNSUPPORTED_SCHEMA` naming the pointer.
 */
export function schemaToTs(schema: unknown, refName: RefNamer, indent = '', where = '#'): string {
  if (!isObject(schema)) return 'unknown';
  return render(schema, { refName }, indent, where).code;
}

/** Whether a schema is a plain object type that can be emitted as an `interface`. */
export function isInterfaceSchema(schema: unknown): schema is Json {
  return (
    isObject(schema) &&
    schema.type === 'object' &&
    schema.$ref === undefined &&
    schema.oneOf === undefined &&
    schema.anyOf === undefined &&
    schema.allOf === undefined &&
    schema.nullable !== true &&
    isObject(schema.properties) &&
    Object.keys(schema.properties).length > 0
  );
}
