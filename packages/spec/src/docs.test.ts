import { describe, expect, it } from 'vitest';
import {
  compileOperationDocs,
  compileSpec,
  isReadOnly,
  methodName,
  readSpecFile,
  SpecError,
  tagKey,
} from './index.js';

const current = new URL('../../../../shared/esi/openapi.json', import.meta.url).pathname;
const specFile = process.env.ESI_SPEC_FILE ?? current;

describe('compileOperationDocs on the 2026-08-04 spec', async () => {
  const document = await readSpecFile(specFile);
  const table = compileSpec(document);
  const docs = compileOperationDocs(document, table);

  it('documents every operation of the table, with parameter descriptions', () => {
    expect(Object.keys(docs.operations).sort()).toEqual(table.operations.map((op) => op.id));
    const orders = docs.operations.GetMarketsRegionIdOrders!;
    expect(orders.description).toBe('Return a list of orders in a region');
    expect(orders.parameters).toMatchObject({
      region_id: 'Return orders in this region',
      page: 'Which page of results to return.',
    });
    // Standard headers are the client's business, not a parameter to document.
    expect(Object.keys(orders.parameters!)).not.toContain('Accept-Language');
    expect(orders.response).toBe('OK');
  });

  it('keeps every named schema, and every $ref of the table resolves into them', () => {
    expect(Object.keys(docs.schemas)).toHaveLength(327);
    for (const op of table.operations) {
      if (op.responseSchema !== undefined) expect(docs.schemas[op.responseSchema]).toBeDefined();
    }
    const refs = JSON.stringify(docs.schemas).match(/#\/components\/schemas\/[^"]+/g) ?? [];
    expect(refs.length).toBeGreaterThan(100);
    for (const ref of refs) expect(docs.schemas[ref.split('/').pop()!]).toBeDefined();
  });

  it('says which operations are read-only: GETs and scope-less POSTs', () => {
    const lookups = table.operations
      .filter((op) => op.method !== 'GET' && isReadOnly(op))
      .map((op) => op.id);
    expect(lookups).toEqual([
      'PostCharactersAffiliation',
      'PostRoute',
      'PostUniverseIds',
      'PostUniverseNames',
    ]);
    const mail = table.operations.find((op) => op.id === 'PostCharactersCharacterIdMail')!;
    expect(isReadOnly(mail)).toBe(false);
  });
});

describe('compileOperationDocs on bad documents', () => {
  const minimal = (schemas: unknown) => ({
    openapi: '3.1.0',
    info: { version: '2026-01-01' },
    paths: {},
    components: { schemas },
  });

  it('refuses a $ref outside #/components/schemas, naming where it is', () => {
    const doc = minimal({ A: { properties: { b: { $ref: '#/components/parameters/X' } } } });
    expect(() => compileOperationDocs(doc)).toThrow(SpecError);
    expect(() => compileOperationDocs(doc)).toThrow(
      '#/components/schemas/A/properties/b: $ref #/components/parameters/X',
    );
  });

  it('refuses a $ref to a schema that does not exist', () => {
    const doc = minimal({ A: { items: { $ref: '#/components/schemas/Missing' } } });
    expect(() => compileOperationDocs(doc)).toThrow('Missing');
  });
});

describe('tag and method names', () => {
  it('are what the client uses for esi.<Tag>.<method>', () => {
    expect(tagKey('Faction Warfare')).toBe('FactionWarfare');
    expect(tagKey('Planetary Interaction')).toBe('PlanetaryInteraction');
    expect(tagKey('3rd party')).toBe('_3rdParty');
    expect(tagKey('')).toBe('Default');
    expect(methodName('GetMarketsRegionIdOrders')).toBe('getMarketsRegionIdOrders');
  });
});
