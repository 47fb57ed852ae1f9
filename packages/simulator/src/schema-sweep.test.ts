// Every GET of the spec, called with valid parameters (and a token holding every scope),
// answers with a body that a real JSON Schema validator accepts.
import { Ajv2020 } from 'ajv/dist/2020.js';
import formats from 'ajv-formats';
import type { OperationSpec, ParameterSpec } from '@esikit/spec';
import { describe, expect, it } from 'vitest';
import { call, specDocument } from '../test/helpers.js';
import { type Simulator, SimulatorClock, startSimulator } from './index.js';
import { SchemaGenerator } from './internal/datagen.js';
import { Prng } from './internal/prng.js';
import { createUniverse } from './internal/universe.js';

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

function validatorFor(doc: { components?: unknown }) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  // CommonJS module: under NodeNext the plugin function is its `default` property.
  formats.default(ajv);
  const components = structuredClone(doc.components) as { schemas: Record<string, unknown> };
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

function valueFor(p: ParameterSpec, sim: Simulator): string {
  const pilot = sim.characters.find((c) => c.allianceId !== undefined)!;
  switch (p.name) {
    case 'character_id':
      return String(pilot.id);
    case 'corporation_id':
      return String(pilot.corporationId);
    case 'alliance_id':
      return String(pilot.allianceId);
    case 'region_id':
      return '10000002';
    case 'type_id':
      return '34';
    case 'division':
      return '1';
    case 'killmail_hash':
      return 'd3a2f5e4b1c0';
    default:
      break;
  }
  if (p.enum) return String(p.enum[0]);
  if (p.format === 'uuid') return '8b9e2e0a-6c1f-4c6e-9f0a-2d3b4c5d6e7f';
  switch (p.type) {
    case 'integer':
      return String(p.minimum ?? 30000142);
    case 'number':
      return '1';
    case 'boolean':
      return 'true';
    case 'array':
      return p.items?.enum ? String(p.items.enum[0]) : '1';
    case 'string':
      return 'Jita';
  }
}

describe('schema sweep', () => {
  // Optional properties and union branches are drawn at random: several seeds cover more of them.
  it.each([3, 11, 42])(
    'every GET answers 200 with a body valid against its response schema (seed %i)',
    async (seed) => {
      const clock = new SimulatorClock();
      clock.freeze(Date.UTC(2026, 10, 22, 9, 30));
      const doc = specDocument() as { components?: unknown };
      await using sim = await startSimulator({ spec: doc, clock, seed });
      const pilot = sim.characters.find((c) => c.allianceId !== undefined)!;
      const { access_token } = await sim.issueTokens({
        characterId: pilot.id,
        scopes: sim.table.scopes,
      });
      const compile = validatorFor(doc);
      const gets = sim.table.operations.filter((op) => op.method === 'GET');
      expect(gets.length).toBeGreaterThan(150);
      const failures: string[] = [];
      for (const op of gets) {
        let path = op.path;
        const query = new URLSearchParams();
        for (const p of op.parameters) {
          if (p.in === 'path') path = path.replace(`{${p.name}}`, valueFor(p, sim));
          else if (p.in === 'query' && p.required) query.set(p.name, valueFor(p, sim));
        }
        const url = query.size > 0 ? `${path}?${query.toString()}` : path;
        const reply = await call(sim, url, op.scope ? { token: access_token } : {});
        if (reply.status !== 200) {
          failures.push(`${op.id} ${url}: status ${reply.status} ${reply.text}`);
          continue;
        }
        const validate = compile(op);
        if (!validate(reply.json)) {
          failures.push(`${op.id}: ${JSON.stringify(validate.errors?.slice(0, 3))}`);
        }
      }
      expect(failures).toEqual([]);
      // Good citizens: every request above was a first request with a proper User-Agent.
      expect(sim.stats().violations).toEqual({
        cacheWindow: 0,
        afterErrorLimit: 0,
        duringRetryAfter: 0,
        missingUserAgent: 0,
      });
    },
  );
});

describe('write sweep', () => {
  it('every POST/PUT/DELETE accepts a schema-valid request and answers its documented status and schema', async () => {
    const clock = new SimulatorClock();
    clock.freeze(Date.UTC(2026, 10, 22, 9, 30));
    const doc = specDocument() as { components?: unknown };
    await using sim = await startSimulator({ spec: doc, clock, seed: 5 });
    const pilot = sim.characters.find((c) => c.allianceId !== undefined)!;
    const { access_token } = await sim.issueTokens({
      characterId: pilot.id,
      scopes: sim.table.scopes,
    });
    const compile = validatorFor(doc);
    const generator = new SchemaGenerator(doc);
    const universe = createUniverse(5);
    // Bodies that must name real things; the rest are generated from the request schema.
    const known: Record<string, unknown> = {
      'POST /universe/names': [pilot.id, pilot.corporationId, 30000142],
      'POST /universe/ids': [pilot.name, 'Jita'],
      'POST /characters/affiliation': sim.characters.map((c) => c.id),
    };
    const writes = sim.table.operations.filter((op) => op.method !== 'GET');
    expect(writes.length).toBeGreaterThan(20);
    const failures: string[] = [];
    for (const op of writes) {
      let path = op.path;
      const query = new URLSearchParams();
      for (const p of op.parameters) {
        if (p.in === 'path') path = path.replace(`{${p.name}}`, valueFor(p, sim));
        else if (p.in === 'query' && p.required) query.set(p.name, valueFor(p, sim));
      }
      const body =
        known[`${op.method} ${op.path}`] ??
        (op.body
          ? generator.generate(op.body.schema, { rng: new Prng(op.id), universe, now: clock.now() })
          : undefined);
      const url = query.size > 0 ? `${path}?${query.toString()}` : path;
      const reply = await call(sim, url, {
        method: op.method as 'POST' | 'PUT' | 'DELETE',
        ...(op.scope ? { token: access_token } : {}),
        ...(body !== undefined ? { body } : {}),
      });
      if (reply.status !== op.successStatus) {
        failures.push(`${op.id} ${url}: status ${reply.status} ${reply.text}`);
        continue;
      }
      if (op.responseSchema === undefined && op.responseInlineSchema === undefined) {
        if (reply.text !== '')
          failures.push(`${op.id}: expected no body, got ${reply.text.slice(0, 80)}`);
        continue;
      }
      const validate = compile(op);
      if (!validate(reply.json))
        failures.push(`${op.id}: ${JSON.stringify(validate.errors?.slice(0, 3))}`);
    }
    expect(failures).toEqual([]);
  });
});
