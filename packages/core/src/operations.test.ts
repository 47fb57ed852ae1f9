// esi.operations() / esi.operation(id): the operation table as public, frozen metadata.
import { describe, expect, it } from 'vitest';
import { compileOperationDocs, compileSpec, readSpecFile } from '@esikit/spec';
import { APP, SPEC_FILE } from '../test/helpers.js';
import {
  createEsiClient,
  EsiAbortedError,
  EsiValidationError,
  type EsiOperationTable,
  type JsonSchema,
} from './index.js';

const generated = createEsiClient({ ...APP, baseUrl: 'http://127.0.0.1:9' });
const fromFile = createEsiClient({ ...APP, baseUrl: 'http://127.0.0.1:9', specFile: SPEC_FILE });

function refsIn(schema: unknown, out: string[] = []): string[] {
  if (Array.isArray(schema)) schema.forEach((s) => refsIn(s, out));
  else if (typeof schema === 'object' && schema !== null) {
    for (const [key, value] of Object.entries(schema)) {
      if (key === '$ref' && typeof value === 'string') out.push(value);
      else refsIn(value, out);
    }
  }
  return out;
}

describe('esi.operations()', () => {
  it('lists every operation with what an adapter generates from', async () => {
    const { operations, compatibilityDate, languages, scopes } = await generated.operations();
    expect(compatibilityDate).toBe('2026-08-04');
    expect(operations).toHaveLength(225);
    expect(languages).toContain('de');
    expect(scopes).toContain('esi-wallet.read_character_wallet.v1');

    const orders = await generated.operation('GetMarketsRegionIdOrders');
    expect(orders).toMatchObject({
      id: 'GetMarketsRegionIdOrders',
      method: 'GET',
      path: '/markets/{region_id}/orders',
      tag: 'Market',
      tagKey: 'Market',
      methodName: 'getMarketsRegionIdOrders',
      summary: expect.any(String),
      description: 'Return a list of orders in a region',
      pagination: 'pages',
      cacheAge: 300,
      roles: [],
      readOnly: true,
      compatibilityDate: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
      response: {
        status: 200,
        otherStatuses: [],
        schema: { $ref: '#/components/schemas/MarketsRegionIdOrdersGet' },
        schemaName: 'MarketsRegionIdOrdersGet',
      },
    });
    expect(orders.scope).toBeUndefined();
    expect(orders.parameters.find((p) => p.name === 'order_type')).toEqual({
      name: 'order_type',
      in: 'query',
      required: true,
      type: 'string',
      enum: ['buy', 'sell', 'all'],
      default: 'all',
      description: expect.stringContaining('Filter buy/sell orders'),
    });
    expect(orders.parameters.find((p) => p.name === 'region_id')).toMatchObject({
      in: 'path',
      type: 'integer',
      format: 'int64',
      description: 'Return orders in this region',
    });

    const wallet = await generated.operation('GetCorporationsCorporationIdWallets');
    expect(wallet.scope).toBe('esi-wallet.read_corporation_wallets.v1');
    expect(wallet.roles.length).toBeGreaterThan(0);
    const limited = operations.find((op) => op.rateLimit !== undefined)!;
    expect(limited.rateLimit).toMatchObject({
      group: expect.any(String),
      maxTokens: expect.any(Number),
    });
    const mail = await generated.operation('PostCharactersCharacterIdMail');
    expect(mail).toMatchObject({ method: 'POST', readOnly: false, body: { required: true } });
    expect((mail.body!.schema as { type?: string }).type).toBe('object');
    expect(mail.response.status).toBe(201);
  });

  it('groups by the same tag keys and method names as esi.<Tag>.<method>', async () => {
    const { operations } = await generated.operations();
    const fw = operations.find((op) => op.id === 'GetFwStats')!;
    expect(fw).toMatchObject({ tag: 'Faction Warfare', tagKey: 'FactionWarfare' });
    const client = generated as unknown as Record<string, Record<string, unknown>>;
    for (const op of operations) expect(typeof client[op.tagKey]?.[op.methodName]).toBe('function');
  });

  it('marks GETs and scope-less POSTs read-only, and nothing else', async () => {
    const { operations } = await generated.operations();
    expect(
      operations.filter((op) => op.method !== 'GET' && op.readOnly).map((op) => op.id),
    ).toEqual(['PostCharactersAffiliation', 'PostRoute', 'PostUniverseIds', 'PostUniverseNames']);
    for (const op of operations)
      expect(op.readOnly).toBe(op.method === 'GET' || op.scope === undefined);
  });

  it('resolves every response schema: each $ref names one of the schemas', async () => {
    const { operations, schemas } = await generated.operations();
    let named = 0;
    for (const op of operations) {
      if (op.response.status === 204) continue;
      expect(op.response.schema, op.id).toBeDefined();
      for (const ref of refsIn(op.response.schema)) {
        expect(ref).toMatch(/^#\/components\/schemas\//);
        expect(schemas[ref.slice('#/components/schemas/'.length)], `${op.id} ${ref}`).toBeDefined();
        named += 1;
      }
    }
    expect(named).toBeGreaterThan(150);
    for (const ref of refsIn(schemas))
      expect(schemas[ref.slice('#/components/schemas/'.length)], ref).toBeDefined();
    // A schema a GraphQL generator would turn into a type.
    const status = schemas.StatusGet as JsonSchema & { properties: Record<string, unknown> };
    expect(Object.keys(status.properties)).toEqual(
      expect.arrayContaining(['players', 'server_version', 'start_time']),
    );
  });

  it('has no parameter named body, which esi.call and inputSchema reserve for the request body', async () => {
    const { operations } = await generated.operations();
    expect(operations.flatMap((op) => op.parameters).filter((p) => p.name === 'body')).toEqual([]);
  });

  it('is deeply frozen, and freezing it leaves the client working', async () => {
    const table: EsiOperationTable = await generated.operations();
    const op = table.operations[0]!;
    expect(Object.isFrozen(table)).toBe(true);
    expect(Object.isFrozen(op.parameters)).toBe(true);
    expect(Object.isFrozen(table.schemas.StatusGet)).toBe(true);
    expect(() => {
      (op as { path: string }).path = '/x';
    }).toThrow(TypeError);
    expect(() => (table.operations as unknown[]).push(op)).toThrow(TypeError);
    // The same object on every call and from every client of the generated table.
    expect(await generated.operations()).toBe(table);
    const other = createEsiClient({ ...APP, baseUrl: 'http://127.0.0.1:9' });
    expect(await other.operations()).toBe(table);
  });

  it('is the same from a specFile as from the generated table', async () => {
    const a = await generated.operations();
    const b = await fromFile.operations();
    expect(b).not.toBe(a);
    expect(b).toEqual(a);
    expect(Object.isFrozen(b.operations[3])).toBe(true);
    // And it matches the spec itself.
    const document = await readSpecFile(SPEC_FILE);
    const docs = compileOperationDocs(document);
    expect(Object.keys(b.schemas)).toEqual(Object.keys(docs.schemas));
    expect(b.operations.map((op) => op.id)).toEqual(
      compileSpec(document).operations.map((op) => op.id),
    );
  });

  it('operation(id) refuses an unknown id, naming it, from either source', async () => {
    await expect(generated.operation('GetNothing')).rejects.toThrow(EsiValidationError);
    await expect(generated.operation('GetNothing')).rejects.toThrow(
      /GetNothing: parameter operation/,
    );
    await expect(fromFile.operation('GetNothing')).rejects.toThrow(EsiValidationError);
    await expect(generated.operation(42 as unknown as string)).rejects.toThrow(
      /operation id string/,
    );
  });

  it('takes an AbortSignal, and methods work destructured', async () => {
    const { operations, operation } = createEsiClient({
      ...APP,
      baseUrl: 'http://127.0.0.1:9',
      specFile: SPEC_FILE,
    });
    await expect(operations({ signal: AbortSignal.abort(new Error('stop')) })).rejects.toThrow(
      EsiAbortedError,
    );
    expect((await operation('GetStatus')).tagKey).toBe('Status');
  });

  it('reports an unreadable specFile, naming it', async () => {
    const broken = createEsiClient({
      ...APP,
      baseUrl: 'http://127.0.0.1:9',
      specFile: '/nonexistent/openapi.json',
    });
    await expect(broken.operations()).rejects.toThrow(/nonexistent/);
    await expect(broken.operations()).rejects.toThrow(/nonexistent/);
  });
});
