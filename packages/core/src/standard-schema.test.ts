// esi.inputSchema(id): each operation's validator as a Standard Schema v1 object.
import { initTRPC, TRPCError } from '@trpc/server';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { APP, harnessPerTest, SPEC_FILE } from '../test/helpers.js';
import type { OperationSpec } from '@esikit/spec';
import { operationTable } from './generated/operations.js';
import { buildRequest } from './internal/validate.js';
import {
  createEsiClient,
  EsiValidationError,
  type EsiInput,
  type StandardSchemaV1,
} from './index.js';

const esi = createEsiClient({ ...APP, baseUrl: 'http://127.0.0.1:9' });
const start = harnessPerTest();

function validateSync(schema: StandardSchemaV1, value: unknown): StandardSchemaV1.Result<unknown> {
  const result = schema['~standard'].validate(value);
  if (result instanceof Promise) throw new Error('expected a synchronous result');
  return result;
}

describe('esi.inputSchema', () => {
  it('is a Standard Schema v1 object from esikit', () => {
    const schema = esi.inputSchema('GetMarketsRegionIdOrders');
    expect(schema['~standard'].version).toBe(1);
    expect(schema['~standard'].vendor).toBe('esikit');
    expect(typeof schema['~standard'].validate).toBe('function');
    expectTypeOf(schema).toEqualTypeOf<
      StandardSchemaV1<EsiInput<'GetMarketsRegionIdOrders'>, EsiInput<'GetMarketsRegionIdOrders'>>
    >();
    const anyId: string = 'GetMarketsRegionIdOrders';
    const loose = esi.inputSchema(anyId);
    expectTypeOf(loose).toEqualTypeOf<
      StandardSchemaV1<Readonly<Record<string, unknown>>, Readonly<Record<string, unknown>>>
    >();
  });

  it('returns valid input as it is', () => {
    const input = { region_id: 10000002, type_id: 34, order_type: 'sell' };
    const result = validateSync(esi.inputSchema('GetMarketsRegionIdOrders'), input);
    expect(result).toEqual({ value: input });
    expect(validateSync(esi.inputSchema('GetStatus'), undefined)).toEqual({ value: {} });
    expect(validateSync(esi.inputSchema('PostUniverseNames'), { body: [1, 2] })).toEqual({
      value: { body: [1, 2] },
    });
  });

  it('reports every problem, naming the parameter in path, with core messages', () => {
    const result = validateSync(esi.inputSchema('GetMarketsRegionIdOrders'), {
      type_id: 'x',
      order_type: 'both',
      colour: 'red',
    });
    expect(result.issues).toEqual([
      {
        message: expect.stringContaining('parameter colour is not a parameter of this operation'),
        path: ['colour'],
      },
      {
        message:
          'GetMarketsRegionIdOrders: parameter order_type must be one of "buy", "sell", "all", got "both"',
        path: ['order_type'],
      },
      { message: 'GetMarketsRegionIdOrders: parameter region_id is required', path: ['region_id'] },
      {
        message: 'GetMarketsRegionIdOrders: parameter type_id must be an integer, got "x"',
        path: ['type_id'],
      },
    ]);
  });

  it('gives each problem the message esi.request would throw for it', () => {
    const cases: [string, Record<string, unknown>][] = [
      ['GetMarketsRegionIdOrders', { region_id: 1.5 }],
      ['GetMarketsRegionIdOrders', { region_id: 2 ** 53 }],
      ['GetMarketsRegionIdOrders', { region_id: 1, page: 0 }],
      ['GetUniverseTypesTypeId', { type_id: '34' }],
      ['GetCharactersCharacterIdWalletJournal', { character_id: 1, page: 'x' }],
      ['GetStatus', { x: 1 }],
      ['GetStatus', { body: {} }],
      ['PostUniverseNames', {}],
      ['PostUniverseNames', { body: 'x' }],
      ['PostUniverseNames', { body: [1, 'two'] }],
    ];
    for (const [id, input] of cases) {
      const op = findOp(id);
      const { body, ...params } = input;
      let thrown: string | undefined;
      try {
        buildRequest(op, params, body);
      } catch (e) {
        thrown = (e as Error).message;
      }
      const result = validateSync(esi.inputSchema(id), input);
      expect(thrown, `${id} ${JSON.stringify(input)}`).toBeDefined();
      expect(result.issues?.[0]?.message).toBe(thrown);
    }
  });

  it('names nested body paths', async () => {
    const mail = esi.inputSchema('PostCharactersCharacterIdMail');
    const result = validateSync(mail, {
      character_id: 1,
      body: {
        subject: 's',
        body: 'b',
        recipients: [{ recipient_id: 'x', recipient_type: 'character' }],
      },
    });
    expect(result.issues).toEqual([
      {
        message: expect.stringContaining(
          'parameter body.recipients[0].recipient_id must be an integer',
        ),
        path: ['body', 'recipients', 0, 'recipient_id'],
      },
    ]);
    const names = validateSync(esi.inputSchema('PostUniverseNames'), { body: [1, 'two'] });
    expect(names.issues?.[0]?.path).toEqual(['body', 1]);
  });

  it('refuses input that is not an object, without echoing it', () => {
    const token = 'eyJhbGciOiJSUzI1NiJ9.secret-looking-token';
    const result = validateSync(esi.inputSchema('GetStatus'), token);
    expect(result.issues).toHaveLength(1);
    expect(result.issues?.[0]?.path).toEqual([]);
    expect(result.issues?.[0]?.message).not.toContain('secret');
  });

  it('throws for an unknown operation when the schema is made', () => {
    expect(() => esi.inputSchema('GetNothing')).toThrow(EsiValidationError);
  });

  it('validates asynchronously once the spec is loaded from specFile', async () => {
    const fromFile = createEsiClient({
      ...APP,
      baseUrl: 'http://127.0.0.1:9',
      specFile: SPEC_FILE,
    });
    const { inputSchema } = fromFile;
    const schema = inputSchema('GetMarketsRegionIdOrders');
    const result = await schema['~standard'].validate({ region_id: 'x' });
    expect(result.issues?.[0]).toMatchObject({ path: ['region_id'] });
    // Loaded now: an unknown id is refused where the schema is made.
    expect(() => inputSchema('GetNothing')).toThrow(EsiValidationError);
    // Before the spec is loaded, the first validation refuses it.
    const cold = createEsiClient({ ...APP, baseUrl: 'http://127.0.0.1:9', specFile: SPEC_FILE });
    await expect(cold.inputSchema('GetNothing')['~standard'].validate({})).rejects.toThrow(
      EsiValidationError,
    );
  });
});

describe('with tRPC 11', () => {
  it('validates a procedure input with core rules and feeds esi.call', async () => {
    const h = await start();
    const t = initTRPC.create();
    const id: string = 'GetMarketsRegionIdOrders';
    const router = t.router({
      orders: t.procedure
        .input(h.esi.inputSchema(id))
        .query(({ input }) => h.esi.call(id, input).results()),
      typed: t.procedure.input(h.esi.inputSchema('GetUniverseTypesTypeId')).query(({ input }) => {
        expectTypeOf(input.type_id).toEqualTypeOf<number>();
        return h.esi.request('GetUniverseTypesTypeId', input).result();
      }),
    });
    const caller = t.createCallerFactory(router)({});
    const orders = await caller.orders({ region_id: 10000002, type_id: 34 });
    expect(Array.isArray(orders)).toBe(true);
    const sent = h.seen('GetMarketsRegionIdOrders');
    expect((await caller.typed({ type_id: 34 })).type_id).toBe(34);

    const e = await caller.orders({ region_id: 'Jita' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(TRPCError);
    expect((e as TRPCError).code).toBe('BAD_REQUEST');
    const issues = ((e as TRPCError).cause as unknown as { issues: StandardSchemaV1.Issue[] })
      .issues;
    expect(issues).toEqual([
      {
        message: 'GetMarketsRegionIdOrders: parameter region_id must be an integer, got "Jita"',
        path: ['region_id'],
      },
    ]);
    // The refused input never reached ESI.
    expect(h.seen('GetMarketsRegionIdOrders')).toBe(sent);
  });
});

function findOp(id: string): OperationSpec {
  const op = operationTable.operations.find((o) => o.id === id);
  if (!op) throw new Error(id);
  return op;
}
