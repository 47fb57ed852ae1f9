// The runtime router against core's operation table: every operation once, named as core's tag
// API, query/mutation by the rule the types use, live forms where the types have them; the
// selection options; option validation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEsiClient, type EsiOperation } from '@esikit/core';
import { initTRPC } from '@trpc/server';
import { getProcedureAtPath } from '@trpc/server/unstable-core-do-not-import';
import { createEsiAuth, createEsiRouter, EsiRouterOptionError, routerTagKey } from './index.js';

const esi = createEsiClient({
  appInfo: { name: 'esikit-trpc-tests', version: '1.0.0' },
  contactEmail: 'tests@esikit.invalid',
  baseUrl: 'http://127.0.0.1:9',
});
let operations: readonly EsiOperation[];
beforeAll(async () => {
  operations = (await esi.operations()).operations;
});
afterAll(() => esi.close());

type Procedures = Record<string, { _def: { type: string } }>;
const proceduresOf = (router: unknown): Procedures =>
  (router as { _def: { procedures: Procedures } })._def.procedures;

describe('the full router', () => {
  it('has one procedure per operation, named as core names it, of the right kind', async () => {
    const t = initTRPC.create();
    const router = await createEsiRouter(t, { esi });
    // The live forms load on first use (a lazy sub-router): before, only the operations.
    expect(Object.keys(proceduresOf(router))).toHaveLength(operations.length);
    expect(await getProcedureAtPath(router, 'live.status.getStatus')).not.toBeNull();
    const procedures = proceduresOf(router);
    expect(operations.length).toBeGreaterThan(200);
    for (const op of operations) {
      // The type-level rule (EsiProcedureKind) is this one; the table must agree with it.
      expect(op.readOnly).toBe(
        op.method === 'GET' || (op.method === 'POST' && op.scope === undefined),
      );
      const path = `${routerTagKey(op.tagKey)}.${op.methodName}`;
      expect(procedures[path]?._def.type).toBe(op.readOnly ? 'query' : 'mutation');
      const live = procedures[`live.${path}`];
      const hasLive =
        op.method === 'GET' && (op.pagination === 'none' || op.pagination === 'pages');
      expect(live?._def.type).toBe(hasLive ? 'subscription' : undefined);
    }
    const lives = operations.filter(
      (op) => op.method === 'GET' && (op.pagination === 'none' || op.pagination === 'pages'),
    ).length;
    expect(Object.keys(procedures)).toHaveLength(operations.length + lives);
  });

  it('include and exclude by tag and operation id', async () => {
    const t = initTRPC.create();
    const router = await createEsiRouter(t, {
      esi,
      include: { tags: ['Market'], operations: ['GetStatus'] },
      exclude: { operations: ['GetMarketsPrices'] },
    });
    const paths = Object.keys(proceduresOf(router)).filter((p) => !p.startsWith('live.'));
    const expected = operations
      .filter(
        (op) => (op.tagKey === 'Market' || op.id === 'GetStatus') && op.id !== 'GetMarketsPrices',
      )
      .map((op) => `${routerTagKey(op.tagKey)}.${op.methodName}`);
    expect(paths.sort()).toEqual(expected.sort());
    const none = await createEsiRouter(t, { esi, exclude: { tags: ['Market'] } });
    expect(Object.keys(proceduresOf(none)).some((p) => p.includes('market.'))).toBe(false);
  });

  it('refuses bad options, naming the option and the value', async () => {
    const t = initTRPC.create();
    const bad = [
      [{ esi: undefined }, '"esi"'],
      [
        { esi, tokens: 'secret-looking-string' },
        '"tokens" must be a TokenManager or a function of the context, got a string of 21 characters',
      ],
      [{ esi, userId: 'alice' }, '"userId"'],
      [{ esi, withMetadata: 'yes' }, '"withMetadata"'],
      [{ esi, include: { tags: 'Market' } }, '"include.tags"'],
      [
        { esi, live: { fallbackIntervalMs: 5 } },
        '"live.fallbackIntervalMs" must be a number of milliseconds >= 1000, got 5',
      ],
    ] as const;
    const notT = await createEsiRouter({ _config: { $types: {} } } as never, { esi }).catch(
      (e: unknown) => e,
    );
    expect(notT).toBeInstanceOf(EsiRouterOptionError);
    expect((notT as Error).message).toContain('"t" must be');
    for (const [options, message] of bad) {
      const error = await createEsiRouter(t, options as never).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EsiRouterOptionError);
      expect((error as Error).message).toContain(message);
    }
  });

  it('createEsiAuth refuses bad options the same way', () => {
    expect(() => createEsiAuth({ tokens: undefined as never, userId: () => 'u' })).toThrow(
      EsiRouterOptionError,
    );
    expect(() =>
      createEsiAuth({ tokens: (() => undefined) as never, userId: 'u' as never }),
    ).toThrow(/"userId" must be a function/);
  });
});
