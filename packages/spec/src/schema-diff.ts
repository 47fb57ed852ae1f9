import type { OperationTable } from './types.js';

type Json = Record<string, unknown>;

/** A component schema that differs between two specs, and the operations whose answers use it. */
export interface ChangedSchema {
  /** Name under `components.schemas`. */
  readonly name: string;
  /** Human-readable differences, e.g. `property mercenary_den_id added (optional)`. */
  readonly changes: readonly string[];
  /** Operations whose response schema is or reaches this schema, in the newer spec. */
  readonly operations: readonly string[];
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function schemasOf(document: unknown): Json {
  const components = isObject(document) && isObject(document.components) ? document.components : {};
  return isObject(components.schemas) ? components.schemas : {};
}

const SHAPE_KEYS = ['type', 'format', 'enum', '$ref', 'minimum', 'maximum', 'maxItems', 'minItems'];

/** Differences between two versions of one schema node; `at` names the node for people. */
function diffNode(a: Json, b: Json, at: string, out: string[]): void {
  const where = at === '' ? '' : ` at ${at}`;
  for (const key of SHAPE_KEYS) {
    if (JSON.stringify(a[key]) !== JSON.stringify(b[key])) {
      out.push(
        `${key}${where} ${JSON.stringify(a[key]) ?? '—'} → ${JSON.stringify(b[key]) ?? '—'}`,
      );
    }
  }
  const reqA = new Set(Array.isArray(a.required) ? (a.required as unknown[]).map(String) : []);
  const reqB = new Set(Array.isArray(b.required) ? (b.required as unknown[]).map(String) : []);
  const propsA = isObject(a.properties) ? a.properties : {};
  const propsB = isObject(b.properties) ? b.properties : {};
  const prefix = at === '' ? '' : `${at}.`;
  for (const [name, schema] of Object.entries(propsB)) {
    const old = propsA[name];
    if (old === undefined) {
      out.push(`property ${prefix}${name} added (${reqB.has(name) ? 'required' : 'optional'})`);
    } else if (isObject(old) && isObject(schema)) {
      diffNode(old, schema, `${prefix}${name}`, out);
    }
  }
  for (const name of Object.keys(propsA)) {
    if (!(name in propsB)) out.push(`property ${prefix}${name} removed`);
  }
  for (const name of reqB) {
    if (!reqA.has(name) && name in propsA) out.push(`property ${prefix}${name} now required`);
  }
  for (const name of reqA) {
    if (!reqB.has(name) && name in propsB) out.push(`property ${prefix}${name} now optional`);
  }
  if (isObject(a.items) && isObject(b.items)) diffNode(a.items, b.items, `${prefix}[]`, out);
  for (const key of ['oneOf', 'anyOf', 'allOf'] as const) {
    if (JSON.stringify(a[key]) !== JSON.stringify(b[key])) out.push(`${key}${where} changed`);
  }
}

/** Names of the component schemas `schema` refers to, directly or through others. */
function reachable(schemas: Json, start: string): Set<string> {
  const seen = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!isObject(node)) return;
    const ref = node.$ref;
    if (typeof ref === 'string' && ref.startsWith('#/components/schemas/')) {
      const name = ref.slice('#/components/schemas/'.length);
      if (!seen.has(name)) {
        seen.add(name);
        visit(schemas[name]);
      }
    }
    Object.values(node).forEach(visit);
  };
  seen.add(start);
  visit(schemas[start]);
  return seen;
}

/**
 * Compares `components.schemas` of two spec documents: CCP adds optional fields within one
 * compatibility date, which changes no operation's own declaration, only the schemas its answer
 * uses.
 */
export function diffComponentSchemas(
  before: unknown,
  after: unknown,
  table: OperationTable,
): ChangedSchema[] {
  const a = schemasOf(before);
  const b = schemasOf(after);
  const users = new Map<string, string[]>();
  for (const op of table.operations) {
    if (!op.responseSchema) continue;
    for (const name of reachable(b, op.responseSchema)) {
      users.set(name, [...(users.get(name) ?? []), op.id]);
    }
  }
  const changed: ChangedSchema[] = [];
  const names = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  for (const name of names) {
    const x = a[name];
    const y = b[name];
    if (JSON.stringify(x) === JSON.stringify(y)) continue;
    const changes: string[] = [];
    if (!isObject(x)) changes.push('schema added');
    else if (!isObject(y)) changes.push('schema removed');
    else diffNode(x, y, '', changes);
    if (changes.length === 0) continue; // descriptions and examples only
    changed.push({ name, changes, operations: (users.get(name) ?? []).sort() });
  }
  return changed;
}
