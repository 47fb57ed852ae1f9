// Compatibility dates: one simulator with two spec versions serves each request the routes,
// parameters and response shapes of the version its X-Compatibility-Date selects, with the same
// universe and the same values wherever the two schemas share a field.
import { inlineSchema, type OperationSpec, type ParameterSpec } from '@esikit/spec';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { call, oldSpecFile, type Reply, SPEC_FILE, specDocument } from '../test/helpers.js';
import { validatorFor } from '../test/schemas.js';
import { type Simulator, SimulatorClock, startSimulator } from './index.js';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const T0 = Date.UTC(2026, 10, 22, 12, 0, 10);

async function twoDates(seed = 13): Promise<Simulator> {
  const clock = new SimulatorClock();
  clock.freeze(T0);
  // A file path and a parsed document, in the "wrong" order: the simulator sorts by date.
  return startSimulator({ specs: [specDocument(), oldSpecFile()], clock, seed });
}

const key = (op: OperationSpec): string => `${op.method} ${op.path}`;

function valueFor(p: ParameterSpec, sim: Simulator): string {
  const pilot = sim.characters.find((c) => c.allianceId !== undefined)!;
  const known: Record<string, string> = {
    character_id: String(pilot.id),
    corporation_id: String(pilot.corporationId),
    alliance_id: String(pilot.allianceId),
    region_id: '10000002',
    type_id: '34',
    division: '1',
    killmail_hash: 'd3a2f5e4b1c0',
  };
  const value = known[p.name];
  if (value !== undefined) return value;
  if (p.enum) return String(p.enum[0]);
  if (p.format === 'uuid') return '8b9e2e0a-6c1f-4c6e-9f0a-2d3b4c5d6e7f';
  if (p.type === 'array') return p.items?.enum ? String(p.items.enum[0]) : '1';
  return p.type === 'integer' ? String(p.minimum ?? 30000142) : p.type === 'string' ? 'Jita' : '1';
}

function urlOf(op: OperationSpec, sim: Simulator): string {
  let path = op.path;
  const query = new URLSearchParams();
  for (const p of op.parameters) {
    if (p.in === 'path') path = path.replace(`{${p.name}}`, valueFor(p, sim));
    else if (p.in === 'query' && p.required) query.set(p.name, valueFor(p, sim));
  }
  return query.size > 0 ? `${path}?${query.toString()}` : path;
}

async function allScopes(sim: Simulator): Promise<string> {
  const pilot = sim.characters.find((c) => c.allianceId !== undefined)!;
  const { access_token } = await sim.issueTokens({
    characterId: pilot.id,
    scopes: [...new Set(sim.tables.flatMap((t) => t.scopes))],
  });
  return access_token;
}

const at = (date: string | undefined, token?: string) => ({
  ...(date !== undefined ? { headers: { 'x-compatibility-date': date } } : {}),
  ...(token !== undefined ? { token } : {}),
});

describe('compatibility dates: routes', () => {
  it('serves the routes of the newest loaded version on or before the date; no date → the oldest', async () => {
    await using sim = await twoDates();
    expect(sim.tables.map((t) => t.compatibilityDate)).toEqual(['2025-12-16', '2026-08-04']);
    expect(sim.table).toBe(sim.tables[1]);
    const [oldT, newT] = sim.tables as [(typeof sim.tables)[0], (typeof sim.tables)[0]];
    const token = await allScopes(sim);
    const newKeys = new Set(newT.operations.map(key));
    const oldKeys = new Set(oldT.operations.map(key));
    const oldOnly = oldT.operations.filter((op) => op.method === 'GET' && !newKeys.has(key(op)));
    const newOnly = newT.operations.filter((op) => op.method === 'GET' && !oldKeys.has(key(op)));
    expect(oldOnly.map((op) => op.path).sort()).toEqual([
      '/sovereignty/map',
      '/sovereignty/structures',
    ]);
    expect(newOnly.length).toBeGreaterThan(15);

    // Which version each requested date gets: [date, old routes answer, new routes answer].
    const cases: [string | undefined, boolean, boolean][] = [
      [undefined, true, false],
      ['2020-01-01', true, false], // ESI's oldest date: older than both specs → the oldest spec
      ['2025-12-16', true, false],
      ['2026-08-03', true, false],
      ['2026-08-04', false, true],
      ['2026-11-21', false, true],
    ];
    for (const [date, oldServed, newServed] of cases) {
      for (const op of [...oldOnly, ...newOnly]) {
        // Between two loaded versions, a newer route answers from its own x-compatibility-date.
        const served = oldOnly.includes(op)
          ? oldServed
          : newServed ||
            (date !== undefined && date > '2025-12-16' && op.compatibilityDate <= date);
        const r = await call(sim, urlOf(op, sim), at(date, op.scope ? token : undefined));
        expect.soft(r.status, `${date ?? 'no date'} ${op.id} ${r.text}`).toBe(served ? 200 : 404);
      }
    }
    // The query parameter does what the header does.
    expect((await call(sim, '/sovereignty/systems?compatibility_date=2026-08-04')).status).toBe(
      200,
    );
    expect((await call(sim, '/sovereignty/systems?compatibility_date=2025-12-16')).status).toBe(
      404,
    );
    const dates = await call(sim, '/meta/compatibility-dates', at('2026-08-04'));
    expect(dates.json).toEqual({ compatibility_dates: ['2025-12-16', '2026-08-04'] });
  });

  it("between two loaded versions, serves the newer version's routes whose own x-compatibility-date is on or before the date", async () => {
    await using sim = await twoDates();
    const [oldT, newT] = sim.tables as [(typeof sim.tables)[0], (typeof sim.tables)[0]];
    const own = (id: string) => newT.operations.find((op) => op.id === id)!.compatibilityDate;
    // What CCP's 2026-08-04 spec says about when each route took its current form.
    expect(own('GetSovereigntySystems')).toBe('2026-05-19'); // added
    expect(own('GetCharactersDetail')).toBe('2026-06-09'); // changed
    expect(own('GetMetaName')).toBe('2026-07-17'); // added
    expect(own('GetCorporationsCorporationId')).toBe('2026-07-21'); // changed
    expect(own('GetMilitaryCampaignsListing')).toBe('2026-08-04'); // added
    const validOld = validatorFor(specDocument(oldSpecFile()));
    const validNew = validatorFor(specDocument());
    const get = (t: typeof oldT, path: string) =>
      t.operations.find((op) => op.method === 'GET' && op.path === path)!;
    const pilot = sim.characters.find((c) => c.allianceId !== undefined)!;
    const status = async (path: string, date: string) => (await call(sim, path, at(date))).status;

    // [date, sovereignty/systems, meta/name, military-campaigns, character shape, corp shape]
    const cases = [
      ['2026-05-18', 404, 404, 404, 'old', 'old'],
      ['2026-05-19', 200, 404, 404, 'old', 'old'],
      ['2026-06-09', 200, 404, 404, 'new', 'old'],
      ['2026-07-20', 200, 200, 404, 'new', 'old'],
      ['2026-07-21', 200, 200, 404, 'new', 'new'],
      ['2026-08-04', 200, 200, 200, 'new', 'new'],
    ] as const;
    for (const [date, sov, name, campaigns, charShape, corpShape] of cases) {
      expect.soft(await status('/sovereignty/systems', date), `${date} sovereignty`).toBe(sov);
      expect.soft(await status('/meta/name', date), `${date} meta/name`).toBe(name);
      expect.soft(await status('/military-campaigns', date), `${date} campaigns`).toBe(campaigns);
      for (const [template, path, shape, marker] of [
        ['/characters/{character_id}', `/characters/${pilot.id}`, charShape, 'achievement_score'],
        [
          '/corporations/{corporation_id}',
          `/corporations/${pilot.corporationId}`,
          corpShape,
          'tax_rates',
        ],
      ] as const) {
        const r = await call(sim, path, at(date));
        expect(r.status, `${date} ${path}`).toBe(200);
        const what = `${date} ${path} (${shape} shape)`;
        expect(Object.hasOwn(r.json as Json, marker), what).toBe(shape === 'new');
        if (shape === 'new') expect(validNew(get(newT, template))(r.json), what).toBe(true);
        else expect(validOld(get(oldT, template))(r.json), what).toBe(true);
      }
    }
    // The older version's own routes stay until the newer version's date.
    expect(await status('/sovereignty/structures', '2026-07-21')).toBe(200);
    expect(await status('/sovereignty/structures', '2026-08-04')).toBe(404);
  });

  it('answers 400 for a date before the oldest ESI supports, malformed or in the future', async () => {
    await using sim = await twoDates();
    const get = (date: string): Promise<Reply> => call(sim, '/alliances', at(date));
    const before = await get('2019-12-31');
    expect(before.status).toBe(400);
    expect(before.json).toEqual({
      error:
        'X-Compatibility-Date 2019-12-31 is before the oldest supported compatibility date 2020-01-01',
    });
    expect((await get('2026-02-30')).status).toBe(400);
    expect((await get('2026-11-23')).status).toBe(400);
    // Even on a path no version has: the date is judged first.
    expect((await call(sim, '/nowhere', at('2019-01-01'))).status).toBe(400);
    expect((await call(sim, '/nowhere', at('2026-08-04'))).status).toBe(404);
  });

  it('takes the oldest accepted date from oldestCompatibilityDate', async () => {
    const clock = new SimulatorClock();
    clock.freeze(T0);
    await using sim = await startSimulator({
      specs: [oldSpecFile(), specDocument()],
      clock,
      oldestCompatibilityDate: '2025-12-16',
    });
    const r = await call(sim, '/alliances', at('2025-12-15'));
    expect(r.status).toBe(400);
    expect(r.text).toContain('before the oldest supported compatibility date 2025-12-16');
    expect((await call(sim, '/alliances', at('2025-12-16'))).status).toBe(200);
    await expect(
      startSimulator({ spec: specDocument(), clock, oldestCompatibilityDate: '2026-08-05' }),
    ).rejects.toThrow(
      'option "oldestCompatibilityDate" must not be later than the oldest loaded spec (2026-08-04), got "2026-08-05"',
    );
  });
});

describe('compatibility dates: options', () => {
  it('refuses a bad spec list with a message naming the option and the value', async () => {
    const doc = specDocument();
    await expect(startSimulator({ spec: doc, specs: [doc] })).rejects.toThrow(
      'startSimulator: option "specs" must be absent when "spec" is given (use one of them), got an array',
    );
    await expect(startSimulator({ specs: [] })).rejects.toThrow(
      'option "specs" must be a non-empty array of file paths or parsed OpenAPI documents, got an array',
    );
    await expect(startSimulator({ specs: [doc, 42 as unknown as string] })).rejects.toThrow(
      'option "specs[1]" must be a file path or a parsed OpenAPI document, got 42',
    );
    await expect(startSimulator({ specs: [oldSpecFile(), doc, doc] })).rejects.toThrow(
      'option "specs[2]" (the document given) has the compatibility date 2026-08-04 of "specs[1]"; give one spec per date',
    );
    await expect(
      startSimulator({ specs: [{ ...doc, info: { version: 'latest' } }] }),
    ).rejects.toThrow(/option "specs\[0\]" \(the document given\) has info.version "latest"/);
    await expect(
      startSimulator({ specs: ['/nonexistent/openapi-2020-01-01.json'] }),
    ).rejects.toThrow(/nonexistent\/openapi-2020-01-01\.json/);
    await expect(
      startSimulator({ spec: doc, oldestCompatibilityDate: '2020-1-1' }),
    ).rejects.toThrow('option "oldestCompatibilityDate" must be a YYYY-MM-DD date, got "2020-1-1"');
  });

  it('loads the spec found by default plus the dated versions beside it', async () => {
    const previous = process.env.ESI_SPEC_FILE;
    process.env.ESI_SPEC_FILE = SPEC_FILE;
    try {
      await using sim = await startSimulator();
      expect(sim.tables.map((t) => t.compatibilityDate)).toEqual(['2025-12-16', '2026-08-04']);
    } finally {
      if (previous === undefined) delete process.env.ESI_SPEC_FILE;
      else process.env.ESI_SPEC_FILE = previous;
    }
  });

  it('without ESI_SPEC_FILE, loads .cache/esi/ as codegen fills it: openapi.json and openapi-<date>.json', async () => {
    // A fresh machine: codegen downloaded the locked date and the lock's extraSpecs (with their
    // meta files) into <workspace>/.cache/esi/. Links to CCP's files, never copies.
    const workspace = await mkdtemp(join(tmpdir(), 'esikit-sim-cache-'));
    const cache = join(workspace, '.cache', 'esi');
    await mkdir(cache, { recursive: true });
    await symlink(SPEC_FILE, join(cache, 'openapi.json'));
    const old = basename(oldSpecFile());
    await symlink(oldSpecFile(), join(cache, old));
    await writeFile(join(cache, old.replace(/\.json$/, '.meta.json')), '{}');
    await writeFile(join(cache, 'openapi.meta.json'), '{}');
    const previous = { env: process.env.ESI_SPEC_FILE, cwd: process.cwd() };
    delete process.env.ESI_SPEC_FILE;
    process.chdir(join(workspace, '.cache'));
    try {
      await using sim = await startSimulator();
      expect(sim.tables.map((t) => t.compatibilityDate)).toEqual(['2025-12-16', '2026-08-04']);
    } finally {
      process.chdir(previous.cwd);
      if (previous.env !== undefined) process.env.ESI_SPEC_FILE = previous.env;
      await rm(workspace, { recursive: true, force: true });
    }
  });
});

/** Keys that describe a schema without changing what values it allows. */
function shape(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(shape);
  if (!isObject(schema)) return schema;
  const out: Json = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === 'description' || k === 'examples' || k === 'title' || k.startsWith('x-')) continue;
    out[k] = shape(v);
  }
  return out;
}

interface Agreement {
  same: number;
  mismatches: string[];
}

/**
 * Where both schemas allow the same values the two bodies must be equal; where they differ,
 * the shared properties (and array items) are compared one level down.
 */
function agree(a: unknown, b: unknown, sa: Json, sb: Json, path: string, out: Agreement): void {
  if (isDeepStrictEqual(shape(sa), shape(sb))) {
    if (isDeepStrictEqual(a, b)) out.same++;
    else out.mismatches.push(`${path}: ${JSON.stringify(a)} ≠ ${JSON.stringify(b)}`);
    return;
  }
  if (isObject(a) && isObject(b)) {
    const pa = isObject(sa.properties) ? sa.properties : {};
    const pb = isObject(sb.properties) ? sb.properties : {};
    for (const k of Object.keys(a)) {
      if (k in b && isObject(pa[k]) && isObject(pb[k]))
        agree(a[k], b[k], pa[k], pb[k], `${path}.${k}`, out);
    }
  } else if (Array.isArray(a) && Array.isArray(b) && isObject(sa.items) && isObject(sb.items)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++)
      agree(a[i], b[i], sa.items, sb.items, `${path}[${i}]`, out);
  }
}

function responseSchema(doc: object, op: OperationSpec): Json {
  const schema =
    op.responseSchema !== undefined
      ? { $ref: `#/components/schemas/${op.responseSchema}` }
      : (op.responseInlineSchema ?? {});
  return inlineSchema(doc as Json, schema) as Json;
}

describe('compatibility dates: shapes', () => {
  it('/corporations/{id} and /characters/{id} answer each date its own shape, valid only against that date', async () => {
    await using sim = await twoDates();
    const [oldT, newT] = sim.tables as [(typeof sim.tables)[0], (typeof sim.tables)[0]];
    const oldDoc = specDocument(oldSpecFile());
    const newDoc = specDocument();
    const validOld = validatorFor(oldDoc);
    const validNew = validatorFor(newDoc);
    const pilot = sim.characters.find((c) => c.allianceId !== undefined)!;
    const npcCorp = 1000045;

    for (const [path, template, exclusive] of [
      [`/corporations/${pilot.corporationId}`, '/corporations/{corporation_id}', true],
      [`/corporations/${npcCorp}`, '/corporations/{corporation_id}', true],
      // Only additions and an optional removal: a new body still fits the old schema.
      [`/characters/${pilot.id}`, '/characters/{character_id}', false],
    ] as const) {
      const oldOp = oldT.operations.find((op) => op.method === 'GET' && op.path === template)!;
      const newOp = newT.operations.find((op) => op.method === 'GET' && op.path === template)!;
      const early = await call(sim, path); // no date: the oldest
      const late = await call(sim, path, at('2026-08-04'));
      expect(early.status).toBe(200);
      expect(late.status).toBe(200);
      expect(validOld(oldOp)(early.json), `${path} old shape`).toBe(true);
      expect(validNew(newOp)(late.json), `${path} new shape`).toBe(true);
      // The shapes really differ: each body fails the other date's schema.
      expect(validNew(newOp)(early.json), `${path} old body against new schema`).toBe(false);
      if (exclusive)
        expect(validOld(oldOp)(late.json), `${path} new body against old schema`).toBe(false);
      expect(early.headers.etag).not.toBe(late.headers.etag);
    }

    const corp = async (date?: string) =>
      (await call(sim, `/corporations/${pilot.corporationId}`, at(date))).json as Json;
    const [early, late] = [await corp(), await corp('2026-08-04')];
    expect(early).toHaveProperty('tax_rate');
    expect(early).not.toHaveProperty('tax_rates');
    expect(late).toHaveProperty('tax_rates');
    expect(late).not.toHaveProperty('tax_rate');
    expect(late).toMatchObject({ type: 'player_owned' });
    for (const k of ['name', 'ticker', 'ceo_id', 'creator_id', 'member_count', 'alliance_id'])
      expect(late[k], k).toEqual(early[k]);
    const character = async (date?: string) =>
      (await call(sim, `/characters/${pilot.id}`, at(date))).json as Json;
    // CCP renamed the operation (GetCharactersCharacterId → GetCharactersDetail); same data.
    const [before, after] = [await character(), await character('2026-08-04')];
    expect(after).toHaveProperty('achievement_score');
    expect(before).not.toHaveProperty('achievement_score');
    for (const k of ['name', 'corporation_id', 'alliance_id', 'birthday', 'race_id'])
      expect(after[k], k).toEqual(before[k]);
    const npc = (await call(sim, `/corporations/${npcCorp}`, at('2026-08-04'))).json as Json;
    expect(npc).toMatchObject({ type: 'npc_owned' });
    expect(npc).not.toHaveProperty('alliance_id');
  });

  it('bodies of the same resource agree across dates wherever the two schemas share a field', async () => {
    await using sim = await twoDates(29);
    const [oldT, newT] = sim.tables as [(typeof sim.tables)[0], (typeof sim.tables)[0]];
    const oldDoc = specDocument(oldSpecFile());
    const newDoc = specDocument();
    const token = await allScopes(sim);
    const newByKey = new Map(newT.operations.map((op) => [key(op), op]));
    const result: Agreement = { same: 0, mismatches: [] };
    let partial = 0;
    let compared = 0;
    for (const oldOp of oldT.operations.filter((op) => op.method === 'GET')) {
      const newOp = newByKey.get(key(oldOp));
      // A route whose cache age changed (GetMetaChangelog gained one) changes its data on
      // another period: the two dates see different windows of it.
      if (!newOp || newOp.cacheAge !== oldOp.cacheAge) continue;
      const url = urlOf(oldOp, sim);
      const auth = oldOp.scope ? token : undefined;
      const [early, late] = [
        await call(sim, url, at(undefined, auth)),
        await call(sim, url, at('2026-08-04', auth)),
      ];
      expect.soft(early.status, `${oldOp.id} old`).toBe(200);
      expect.soft(late.status, `${newOp.id} new`).toBe(200);
      const sa = responseSchema(oldDoc, oldOp);
      const sb = responseSchema(newDoc, newOp);
      if (!isDeepStrictEqual(shape(sa), shape(sb))) partial++;
      agree(early.json, late.json, sa, sb, oldOp.id, result);
      compared++;
    }
    expect(result.mismatches).toEqual([]);
    expect(compared).toBeGreaterThan(150);
    // Some schemas changed between the dates (corporations, characters, notifications, …) and
    // were compared field by field.
    expect(partial).toBeGreaterThan(3);
    expect(result.same).toBeGreaterThan(compared);
    expect(sim.stats().violations.cacheWindow).toBe(0);
  });
});
