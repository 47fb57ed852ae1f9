import { describe, expect, it } from 'vitest';
import { compileSpec, diffOperationTables, readSpecFile, SpecError } from './index.js';

const current = new URL('../../../../shared/esi/openapi.json', import.meta.url).pathname;
const older = new URL('../../../../shared/esi/openapi-2025-12-16.json', import.meta.url).pathname;
const specFile = process.env.ESI_SPEC_FILE ?? current;

describe('compileSpec on the 2026-08-04 spec', async () => {
  const table = compileSpec(await readSpecFile(specFile));

  it('extracts the counts the issue pins', () => {
    const ops = table.operations;
    expect(table.compatibilityDate).toBe('2026-08-04');
    expect(ops).toHaveLength(225);
    expect(ops.filter((op) => op.rateLimit)).toHaveLength(163);
    expect(ops.filter((op) => op.pagination === 'cursor')).toHaveLength(7);
    expect(ops.filter((op) => op.pagination === 'pages')).toHaveLength(40);
    expect(ops.filter((op) => op.pagination === 'from_id')).toHaveLength(2);
    expect(ops.filter((op) => op.scope)).toHaveLength(139);
  });

  it('resolves parameters, limits, scopes and roles', () => {
    const orders = table.operations.find((op) => op.id === 'GetMarketsRegionIdOrders')!;
    expect(orders.method).toBe('GET');
    expect(orders.path).toBe('/markets/{region_id}/orders');
    expect(orders.pagination).toBe('pages');
    expect(orders.parameters.find((p) => p.name === 'order_type')).toMatchObject({
      in: 'query',
      required: true,
      enum: ['buy', 'sell', 'all'],
      default: 'all',
    });
    expect(orders.parameters.find((p) => p.name === 'page')).toMatchObject({
      minimum: 1,
      format: 'int32',
    });
    expect(orders.standardHeaders).toContain('X-Compatibility-Date');

    const contacts = table.operations.find((op) => op.id === 'GetAlliancesAllianceIdContacts')!;
    expect(contacts.rateLimit).toEqual({
      group: 'alliance-social',
      maxTokens: 300,
      windowSize: '15m',
      windowMs: 900_000,
    });
    expect(contacts.scope).toBe('esi-alliances.read_contacts.v1');
    expect(contacts.cacheAge).toBe(300);
    expect(contacts.parameters.find((p) => p.name === 'alliance_id')).toMatchObject({
      type: 'integer',
      format: 'int64',
      required: true,
    });

    const extractions = table.operations.find(
      (op) => op.path === '/corporation/{corporation_id}/mining/extractions',
    )!;
    expect(extractions.roles).toEqual(['Station_Manager']);

    const names = table.operations.find((op) => op.id === 'PostUniverseNames')!;
    expect(names.body?.schema).toMatchObject({
      type: 'array',
      maxItems: 1000,
      items: { format: 'int64' },
    });
    expect(table.languages).toEqual(['en', 'de', 'fr', 'ja', 'ru', 'zh', 'ko', 'es']);
    expect(table.scopes).toContain('esi-wallet.read_character_wallet.v1');
  });

  it('is deterministic', async () => {
    const again = compileSpec(await readSpecFile(specFile));
    expect(JSON.stringify(again)).toBe(JSON.stringify(table));
  });

  it('diffs against the 2025-12-16 spec', async () => {
    const old = compileSpec(await readSpecFile(older));
    expect(old.compatibilityDate).toBe('2025-12-16');
    expect(old.operations).toHaveLength(208);
    const diff = diffOperationTables(old, table);
    expect(diff.added.length - diff.removed.length).toBe(225 - 208);
    expect(diff.added.length).toBeGreaterThan(0);
  });
});

describe('compileSpec on bad input', () => {
  it('names what is wrong', () => {
    expect(() => compileSpec([])).toThrow(SpecError);
    expect(() => compileSpec({ openapi: '2.0' })).toThrow(/#\/openapi/);
    expect(() =>
      compileSpec({
        openapi: '3.1.0',
        info: { version: 'x' },
        paths: { '/a': { get: { responses: { '200': {} } } } },
      }),
    ).toThrow(/missing operationId/);
    expect(() =>
      compileSpec({
        openapi: '3.1.0',
        info: { version: 'x' },
        paths: {
          '/a': { get: { operationId: 'A', responses: {}, parameters: [{ $ref: '#/nope' }] } },
        },
      }),
    ).toThrow(/#\/nope/);
  });
});

describe('findSpecFile', () => {
  it('resolves a relative ESI_SPEC_FILE from the cwd or the workspace root, and names a missing one', async () => {
    const { findSpecFile } = await import('./index.js');
    const pkgDir = new URL('..', import.meta.url).pathname;
    const fromRoot = findSpecFile(pkgDir, { ESI_SPEC_FILE: '../shared/esi/openapi.json' });
    expect(fromRoot).toBe(current);
    expect(() => findSpecFile(pkgDir, { ESI_SPEC_FILE: 'nope/openapi.json' })).toThrow(
      /ESI_SPEC_FILE=nope\/openapi.json does not exist/,
    );
  });
});

describe('rateLimitTokenCost', () => {
  it('charges what ESI documents per status class', async () => {
    const { rateLimitTokenCost } = await import('./index.js');
    expect([200, 201, 204, 304, 400, 403, 404, 420, 429, 500, 503].map(rateLimitTokenCost)).toEqual(
      [2, 2, 2, 1, 5, 5, 5, 5, 0, 0, 0],
    );
  });
});

describe('diffSpecDocuments', () => {
  it('reports schema changes within a date and the operations whose answers reach them', async () => {
    const { diffSpecDocuments, formatSpecDiff } = await import('./index.js');
    const before = (await readSpecFile(specFile)) as {
      components: { schemas: Record<string, Record<string, unknown>> };
    };
    const after = structuredClone(before);
    const skill = after.components.schemas.CharactersSkillsSkill as {
      properties: Record<string, unknown>;
      required: string[];
    };
    skill.properties.notes = { type: 'string' };
    skill.required = skill.required.filter((name) => name !== 'skill_id');
    delete (after.components.schemas.StatusGet as { properties: Record<string, unknown> })
      .properties.vip;
    const diff = diffSpecDocuments(before, after);
    expect(diff.added).toEqual([]);
    expect(diff.removed).toEqual([]);
    expect(diff.schemas?.map((s) => s.name)).toEqual(['CharactersSkillsSkill', 'StatusGet']);
    expect(diff.schemas?.[0]).toEqual({
      name: 'CharactersSkillsSkill',
      changes: ['property notes added (optional)', 'property skill_id now optional'],
      operations: ['GetCharactersCharacterIdSkills'],
    });
    expect(diff.schemas?.[1]?.changes).toEqual(['property vip removed']);
    expect(diff.changed.map((c) => c.id)).toEqual(['GetCharactersCharacterIdSkills', 'GetStatus']);
    expect(formatSpecDiff(diff)).toContain('2 component schema(s) changed');
    expect(diffSpecDocuments(before, structuredClone(before)).changed).toEqual([]);
  });

  it('finds the schema changes between the 2025-12-16 and 2026-08-04 specs', async () => {
    const { diffSpecDocuments } = await import('./index.js');
    const diff = diffSpecDocuments(await readSpecFile(older), await readSpecFile(specFile));
    expect(diff.schemas!.length).toBeGreaterThan(0);
    expect(diff.schemas!.every((s) => s.changes.length > 0)).toBe(true);
  });
});
