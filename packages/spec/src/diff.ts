import { compileSpec } from './compile.js';
import { diffComponentSchemas, type ChangedSchema } from './schema-diff.js';
import type { OperationSpec, OperationTable } from './types.js';

/** One operation that exists in both tables but differs. */
export interface ChangedOperation {
  readonly id: string;
  /** Human-readable differences, e.g. `x-cache-age 300 → 60`. */
  readonly changes: readonly string[];
}

/** What changed between two compiled specs. */
export interface SpecDiff {
  readonly from: string;
  readonly to: string;
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly changed: readonly ChangedOperation[];
  /** Component schemas that changed (only from {@link diffSpecDocuments}). */
  readonly schemas?: readonly ChangedSchema[];
}

function show(value: unknown): string {
  return value === undefined ? '—' : JSON.stringify(value);
}

function compare(a: OperationSpec, b: OperationSpec): string[] {
  const changes: string[] = [];
  const scalar = (label: string, x: unknown, y: unknown) => {
    if (JSON.stringify(x) !== JSON.stringify(y)) changes.push(`${label} ${show(x)} → ${show(y)}`);
  };
  scalar('method', a.method, b.method);
  scalar('path', a.path, b.path);
  scalar('x-compatibility-date', a.compatibilityDate, b.compatibilityDate);
  scalar('x-cache-age', a.cacheAge, b.cacheAge);
  scalar('x-rate-limit', a.rateLimit, b.rateLimit);
  scalar('scope', a.scope, b.scope);
  scalar('x-required-roles', a.roles, b.roles);
  scalar('pagination', a.pagination, b.pagination);
  scalar('response schema', a.responseSchema, b.responseSchema);
  scalar('request body', a.body, b.body);
  scalar('inline response schema', a.responseInlineSchema, b.responseInlineSchema);
  const before = new Map(a.parameters.map((p) => [`${p.in}:${p.name}`, p]));
  const after = new Map(b.parameters.map((p) => [`${p.in}:${p.name}`, p]));
  for (const [key, p] of after) {
    const old = before.get(key);
    if (!old) changes.push(`parameter ${p.name} (${p.in}) added${p.required ? ', required' : ''}`);
    else if (JSON.stringify(old) !== JSON.stringify(p)) changes.push(`parameter ${p.name} changed`);
  }
  for (const [key, p] of before) {
    if (!after.has(key)) changes.push(`parameter ${p.name} (${p.in}) removed`);
  }
  return changes;
}

/**
 * Lists the operations added, removed and changed from one compiled spec to another.
 *
 * @example
 * const diff = diffOperationTables(compileSpec(oldDoc), compileSpec(newDoc));
 * console.log(formatSpecDiff(diff));
 */
export function diffOperationTables(from: OperationTable, to: OperationTable): SpecDiff {
  const a = new Map(from.operations.map((op) => [op.id, op]));
  const b = new Map(to.operations.map((op) => [op.id, op]));
  const added = [...b.keys()].filter((id) => !a.has(id)).sort();
  const removed = [...a.keys()].filter((id) => !b.has(id)).sort();
  const changed: ChangedOperation[] = [];
  for (const [id, op] of b) {
    const old = a.get(id);
    if (!old) continue;
    const changes = compare(old, op);
    if (changes.length > 0) changed.push({ id, changes });
  }
  changed.sort((x, y) => (x.id < y.id ? -1 : 1));
  return { from: from.compatibilityDate, to: to.compatibilityDate, added, removed, changed };
}

/** Renders a {@link SpecDiff} as plain text for a terminal. */
export function formatSpecDiff(diff: SpecDiff): string {
  const lines = [
    `ESI spec ${diff.from} → ${diff.to}: ${diff.added.length} added, ${diff.removed.length} removed, ${diff.changed.length} changed`,
  ];
  for (const id of diff.added) lines.push(`  + ${id}`);
  for (const id of diff.removed) lines.push(`  - ${id}`);
  for (const { id, changes } of diff.changed) {
    lines.push(`  ~ ${id}`);
    for (const change of changes) lines.push(`      ${change}`);
  }
  if (diff.schemas && diff.schemas.length > 0) {
    lines.push(`  ${diff.schemas.length} component schema(s) changed:`);
    for (const { name, changes, operations } of diff.schemas) {
      lines.push(
        `  * ${name}${operations.length > 0 ? ` (used by ${operations.join(', ')})` : ''}`,
      );
      for (const change of changes) lines.push(`      ${change}`);
    }
  }
  return lines.join('\n');
}

/**
 * Diffs two spec documents: operations added, removed and changed — counting an operation as
 * changed when a component schema its answer uses changed — plus the schema changes themselves.
 *
 * @example
 * console.log(formatSpecDiff(diffSpecDocuments(oldDoc, newDoc)));
 */
export function diffSpecDocuments(before: unknown, after: unknown): SpecDiff {
  const to = compileSpec(after);
  const base = diffOperationTables(compileSpec(before), to);
  const schemas = diffComponentSchemas(before, after, to);
  const changed = new Map(base.changed.map((c) => [c.id, [...c.changes]]));
  const removed = new Set(base.removed);
  const added = new Set(base.added);
  for (const schema of schemas) {
    for (const id of schema.operations) {
      if (added.has(id) || removed.has(id)) continue;
      const list = changed.get(id) ?? [];
      list.push(`response uses changed schema ${schema.name}`);
      changed.set(id, list);
    }
  }
  return {
    ...base,
    changed: [...changed]
      .map(([id, changes]) => ({ id, changes }))
      .sort((x, y) => (x.id < y.id ? -1 : 1)),
    schemas,
  };
}
