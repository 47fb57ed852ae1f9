import { describe, expect, it } from 'vitest';
import {
  graphql,
  getNamedType,
  parse,
  validate,
  type GraphQLEnumType,
  type GraphQLObjectType,
} from 'graphql';
import { createEsiClient, type EsiOperation } from '@esikit/core';
import { createEsiSchema, EsiGraphQLOptionError, Int64 } from './index.js';
import { enumValueNames, rootFieldName } from './internal/naming.js';
import { APP, OLD_SPEC_FILE, SPEC_FILE } from '../test/fixture.js';

async function build(specFile: string) {
  const esi = createEsiClient({ ...APP, specFile });
  try {
    const table = await esi.operations();
    return { table, esiSchema: await createEsiSchema({ esi }) };
  } finally {
    await esi.close();
  }
}

describe('the schema from the operation table', () => {
  it.each([
    ['current', SPEC_FILE],
    ['2025-12-16', OLD_SPEC_FILE],
  ])('has one root field per operation and no name collision (%s spec)', async (_, file) => {
    const { table, esiSchema } = await build(file);
    const { query, mutation } = esiSchema.fields;
    const ids = [...Object.values(query), ...Object.values(mutation)];
    // Every operation is a field, each under its own name (the builder throws on a clash).
    expect(new Set(ids).size).toBe(table.operations.length);
    expect(ids.length).toBe(table.operations.length);
    for (const op of table.operations)
      expect((op.readOnly ? query : mutation)[rootFieldName(op)]).toBe(op.id);
    expect(esiSchema.renamed).toEqual([]);
    // Read-only POST lookups are queries; writes are mutations.
    expect(query.universeNames).toBe('PostUniverseNames');
    expect(Object.values(mutation).every((id) => !id.startsWith('Get'))).toBe(true);
    // Types and fields carry the spec's descriptions.
    const wallet = esiSchema.schema.getQueryType()!.getFields().charactersWallet!;
    expect(wallet.description).toMatch(/wallet/i);
  });

  it('names fields from paths, so they survive CCP renaming operationIds', async () => {
    const old = await build(OLD_SPEC_FILE);
    const current = await build(SPEC_FILE);
    // GetCharactersCharacterId became GetCharactersDetail; the field stays `character`.
    expect(old.esiSchema.fields.query.character).toBeDefined();
    expect(current.esiSchema.fields.query.character).toBe('GetCharactersDetail');
    const op = (path: string, method = 'GET', readOnly = true) =>
      ({ path, method, readOnly }) as EsiOperation;
    expect(rootFieldName(op('/markets/{region_id}/orders'))).toBe('marketsOrders');
    expect(rootFieldName(op('/universe/types/{type_id}'))).toBe('inventoryType');
    expect(rootFieldName(op('/wars/{war_id}'))).toBe('warsById');
    expect(rootFieldName(op('/characters/{character_id}/mail', 'POST', false))).toBe(
      'postCharactersMail',
    );
  });

  it('maps enum values that are not GraphQL names and keeps the original value', async () => {
    expect([...enumValueNames(['station', '1', 'low-sec', 'true', 'a b', 'a_b'])]).toEqual([
      ['station', 'station'],
      ['_1', '1'],
      ['low_sec', 'low-sec'],
      ['true_', 'true'],
      ['a_b', 'a b'],
      ['a_b_2', 'a_b'],
    ]);
    const { esiSchema } = await build(SPEC_FILE);
    const range = esiSchema.schema.getType('MarketsOrdersItemRange') as GraphQLEnumType;
    expect(range.getValue('_10')?.value).toBe('10');
    expect(range.serialize('solarsystem')).toBe('solarsystem');
  });

  it('links *_id fields to entity types', async () => {
    const { esiSchema } = await build(SPEC_FILE);
    const order = esiSchema.schema.getType('MarketsOrdersItem') as GraphQLObjectType;
    expect(getNamedType(order.getFields().type!.type).name).toBe('InventoryType');
    expect(getNamedType(order.getFields().system!.type).name).toBe('SolarSystem');
    const corp = esiSchema.schema.getType('Corporation') as GraphQLObjectType;
    expect(getNamedType(corp.getFields().alliance!.type).name).toBe('Alliance');
    expect(getNamedType(corp.getFields().ceo!.type).name).toBe('Character');
  });

  it('validates its options, naming the option and the value', async () => {
    await expect(createEsiSchema({ esi: {} as never })).rejects.toThrow(EsiGraphQLOptionError);
    const esi = createEsiClient(APP);
    await expect(createEsiSchema({ esi, limits: { maxDepth: 0 } })).rejects.toThrow(
      /"limits.maxDepth" must be a positive integer, got 0/,
    );
    await expect(createEsiSchema({ esi, subscriptions: 'yes' as never })).rejects.toThrow(
      /"subscriptions" must be true or false, got "yes"/,
    );
    await esi.close();
  });
});

describe('Int64', () => {
  it('round-trips ids above 2^31 exactly and refuses values beyond 2^53', async () => {
    expect(Int64.serialize(2_147_483_648_123)).toBe(2_147_483_648_123);
    expect(Int64.parseValue(9_007_199_254_740_991)).toBe(9_007_199_254_740_991);
    expect(() => Int64.serialize(2 ** 53)).toThrow(/beyond 2\^53/);
    expect(() => Int64.parseValue(2 ** 53 + 2)).toThrow(/beyond 2\^53/);
    expect(() => Int64.parseValue('123')).toThrow(/must be an integer/);
    const { esiSchema } = await build(SPEC_FILE);
    // A literal one past 2^53 - 1 is refused from its digits, not rounded first.
    const errors = validate(
      esiSchema.schema,
      parse('{ character(character_id: 9007199254740993) { id } }'),
    );
    expect(errors[0]?.message).toMatch(/9007199254740993 is beyond 2\^53/);
    const ok = await graphql({
      schema: esiSchema.schema,
      source: '{ character(character_id: 9007199254740993) { id } }',
    });
    expect(ok.errors?.[0]?.message).toMatch(/beyond 2\^53/);
  });
});
