// Every GET of every loaded spec version, called at that version's compatibility date with valid
// parameters (and a token holding every scope), answers with a body that a real JSON Schema
// validator accepts against that version's schemas.
import type { OperationTable, ParameterSpec } from '@esikit/spec';
import { describe, expect, it } from 'vitest';
import { call, oldSpecFile, specDocument } from '../test/helpers.js';
import { validatorFor } from '../test/schemas.js';
import { NO_VIOLATIONS, type Simulator, SimulatorClock, startSimulator } from './index.js';
import { SchemaGenerator } from './internal/datagen.js';
import { Prng } from './internal/prng.js';
import { createUniverse } from './internal/universe.js';

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

/** Both versions, oldest first, each with its document (the validator needs the right one). */
function versions(): object[] {
  return [specDocument(oldSpecFile()), specDocument()];
}

function docOf(docs: object[], table: OperationTable): object {
  const doc = docs.find(
    (d) => (d as { info?: { version?: string } }).info?.version === table.compatibilityDate,
  );
  expect(doc).toBeDefined();
  return doc!;
}

describe('schema sweep', () => {
  // Optional properties and union branches are drawn at random: several seeds cover more of them.
  it.each([3, 11, 42])(
    "every GET of both spec dates answers 200 with a body valid against that date's response schema (seed %i)",
    async (seed) => {
      const clock = new SimulatorClock();
      clock.freeze(Date.UTC(2026, 10, 22, 9, 30));
      const docs = versions();
      await using sim = await startSimulator({ specs: docs, clock, seed });
      expect(sim.tables).toHaveLength(2);
      const pilot = sim.characters.find((c) => c.allianceId !== undefined)!;
      const { access_token } = await sim.issueTokens({
        characterId: pilot.id,
        scopes: [...new Set(sim.tables.flatMap((t) => t.scopes))],
      });
      const failures: string[] = [];
      for (const table of sim.tables) {
        const date = table.compatibilityDate;
        const compile = validatorFor(docOf(docs, table));
        const gets = table.operations.filter((op) => op.method === 'GET');
        expect(gets.length).toBeGreaterThan(150);
        for (const op of gets) {
          let path = op.path;
          const query = new URLSearchParams();
          for (const p of op.parameters) {
            if (p.in === 'path') path = path.replace(`{${p.name}}`, valueFor(p, sim));
            else if (p.in === 'query' && p.required) query.set(p.name, valueFor(p, sim));
          }
          const url = query.size > 0 ? `${path}?${query.toString()}` : path;
          const reply = await call(sim, url, {
            headers: { 'x-compatibility-date': date },
            ...(op.scope ? { token: access_token } : {}),
          });
          if (reply.status !== 200) {
            failures.push(`${date} ${op.id} ${url}: status ${reply.status} ${reply.text}`);
            continue;
          }
          const validate = compile(op);
          if (!validate(reply.json)) {
            failures.push(`${date} ${op.id}: ${JSON.stringify(validate.errors?.slice(0, 3))}`);
          }
        }
      }
      expect(failures).toEqual([]);
      // Good citizens: every request above was a first request (per date) with a proper User-Agent.
      expect(sim.stats().violations).toEqual(NO_VIOLATIONS);
    },
  );
});

describe('write sweep', () => {
  it('every POST/PUT/DELETE of both spec dates accepts a schema-valid request and answers its documented status and schema', async () => {
    const clock = new SimulatorClock();
    clock.freeze(Date.UTC(2026, 10, 22, 9, 30));
    const docs = versions();
    await using sim = await startSimulator({ specs: docs, clock, seed: 5 });
    const pilot = sim.characters.find((c) => c.allianceId !== undefined)!;
    const { access_token } = await sim.issueTokens({
      characterId: pilot.id,
      scopes: [...new Set(sim.tables.flatMap((t) => t.scopes))],
    });
    const universe = createUniverse(5);
    // Bodies that must name real things; the rest are generated from the request schema.
    const known: Record<string, unknown> = {
      'POST /universe/names': [pilot.id, pilot.corporationId, 30000142],
      'POST /universe/ids': [pilot.name, 'Jita'],
      'POST /characters/affiliation': sim.characters.map((c) => c.id),
    };
    const failures: string[] = [];
    for (const table of sim.tables) {
      const date = table.compatibilityDate;
      const doc = docOf(docs, table);
      const compile = validatorFor(doc);
      const generator = new SchemaGenerator(doc);
      const writes = table.operations.filter((op) => op.method !== 'GET');
      expect(writes.length).toBeGreaterThan(20);
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
            ? generator.generate(op.body.schema, {
                rng: new Prng(op.id),
                universe,
                now: clock.now(),
              })
            : undefined);
        const url = query.size > 0 ? `${path}?${query.toString()}` : path;
        const reply = await call(sim, url, {
          method: op.method as 'POST' | 'PUT' | 'DELETE',
          headers: { 'x-compatibility-date': date },
          ...(op.scope ? { token: access_token } : {}),
          ...(body !== undefined ? { body } : {}),
        });
        if (reply.status !== op.successStatus) {
          failures.push(`${date} ${op.id} ${url}: status ${reply.status} ${reply.text}`);
          continue;
        }
        if (op.responseSchema === undefined && op.responseInlineSchema === undefined) {
          if (reply.text !== '')
            failures.push(`${date} ${op.id}: expected no body, got ${reply.text.slice(0, 80)}`);
          continue;
        }
        const validate = compile(op);
        if (!validate(reply.json))
          failures.push(`${date} ${op.id}: ${JSON.stringify(validate.errors?.slice(0, 3))}`);
      }
    }
    expect(failures).toEqual([]);
  });
});
