// A real JSON Schema validator (Ajv, 2020-12 dialect) over one spec document's components.
import { Ajv2020 } from 'ajv/dist/2020.js';
import formats from 'ajv-formats';
import type { OperationSpec } from '@esikit/spec';
import { expect } from 'vitest';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * ESI's tagged unions are `oneOf` branches that are objects with one optional property and no
 * `required`: every object matches every branch, so no value at all satisfies them (ESI's own
 * answers included). Those — and only those — are checked as `anyOf`; everything else in the
 * spec is validated as written. Returns how many were rewritten.
 */
function relaxTaggedUnions(node: unknown, resolve: (ref: string) => unknown): number {
  let count = 0;
  if (Array.isArray(node)) {
    for (const item of node) count += relaxTaggedUnions(item, resolve);
    return count;
  }
  if (!isObject(node)) return 0;
  const branches = node.oneOf;
  if (Array.isArray(branches)) {
    const resolved = (branches as unknown[]).map((b) =>
      isObject(b) && typeof b.$ref === 'string' ? resolve(b.$ref) : b,
    );
    const unsatisfiable = resolved.every(
      (b) =>
        isObject(b) &&
        b.type === 'object' &&
        (!Array.isArray(b.required) || b.required.length === 0) &&
        b.additionalProperties === undefined,
    );
    if (unsatisfiable) {
      node.anyOf = branches;
      delete node.oneOf;
      count++;
    }
  }
  for (const value of Object.values(node)) count += relaxTaggedUnions(value, resolve);
  return count;
}

/** Compiles response validators against `doc`'s schemas (each spec version its own). */
export function validatorFor(doc: object) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  // CommonJS module: under NodeNext the plugin function is its `default` property.
  formats.default(ajv);
  const components = structuredClone((doc as { components?: unknown }).components) as {
    schemas: Record<string, unknown>;
  };
  const relaxed = relaxTaggedUnions(
    components,
    (ref) => components.schemas[ref.replace('#/components/schemas/', '')],
  );
  expect(relaxed).toBeGreaterThan(0);
  expect(relaxed).toBeLessThan(60);
  ajv.addSchema({ $id: 'esi', components });
  return (op: OperationSpec) =>
    op.responseSchema !== undefined
      ? ajv.compile({ $ref: `esi#/components/schemas/${op.responseSchema}` })
      : ajv.compile(op.responseInlineSchema ?? {});
}
