// A sample from every tag over HTTP: for each tag, the operations whose required parameters can be
// filled from the simulated universe are tried until one answers (authenticated ones as a user
// holding every scope), and then 200 concurrent callers, with no citizenship violation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EsiOperation } from '@esikit/core';
import { routerTagKey } from './index.js';
import { startApp, type TestApp, closeClean } from '../test/app.js';

let app: TestApp;
let operations: readonly EsiOperation[];
const carol = 'carol';
beforeAll(async () => {
  app = await startApp();
  const table = await app.esi.operations();
  operations = table.operations;
  await app.sim.seedTokenStore(app.tokens.store, [
    { characterId: app.sim.characters[3]!.id, scopes: table.scopes, userId: carol },
  ]);
});
afterAll(() => closeClean(app));

type Procedure = {
  query(input?: unknown): Promise<unknown>;
  mutate(input?: unknown): Promise<unknown>;
};
type Caller = Record<string, Record<string, Record<string, Procedure>>>;

function inputFor(op: EsiOperation): Record<string, unknown> | undefined {
  const me = app.sim.characters[3]!;
  const known: Record<string, unknown> = {
    character_id: me.id,
    corporation_id: me.corporationId,
    alliance_id: me.allianceId,
    region_id: 10000002,
    type_id: 34,
    system_id: 30000142,
    solar_system_id: 30000142,
    constellation_id: 20000020,
    origin_system_id: 30000142,
    destination_system_id: 30002187,
    target_id: me.id,
    search: 'Jita',
    categories: ['solar_system'],
  };
  const input: Record<string, unknown> = {};
  for (const p of op.parameters) {
    if (!p.required || ['page', 'before', 'after', 'from_id'].includes(p.name)) continue;
    if (known[p.name] === undefined) {
      if (p.enum?.[0] === undefined) return undefined;
      input[p.name] = p.enum[0];
    } else input[p.name] = known[p.name];
  }
  if (op.body?.required === true) {
    // A body whose fields are all optional (the route planner's preferences) can be empty.
    const schema = op.body.schema as { type?: string; required?: readonly string[] };
    if (schema.type !== 'object' || (schema.required?.length ?? 0) > 0) return undefined;
    input.body = {};
  }
  if (op.scope !== undefined && !('character_id' in input)) input.asCharacter = me.id;
  return input;
}

describe('every tag', () => {
  it('answers at least one operation of each tag', async () => {
    const trpc = app.client(carol) as unknown as Caller;
    const tags = [...new Set(operations.map((op) => op.tagKey))];
    const answered: string[] = [];
    const unanswered: string[] = [];
    for (const tag of tags) {
      const candidates = operations
        .filter((op) => op.tagKey === tag)
        .map((op) => ({ op, input: inputFor(op) }))
        .filter((c) => c.input !== undefined)
        // Reads first; a tag with only writes (the in-game UI) is sampled by one of them.
        .sort(
          (a, b) =>
            Number(!a.op.readOnly) - Number(!b.op.readOnly) ||
            Object.keys(a.input!).length - Object.keys(b.input!).length,
        );
      let ok = false;
      for (const { op, input } of candidates.slice(0, 4)) {
        const procedure = trpc.esi![routerTagKey(tag)]![op.methodName]!;
        try {
          await (op.readOnly ? procedure.query(input) : procedure.mutate(input));
          answered.push(op.id);
          ok = true;
          break;
        } catch {
          // the simulated universe may not have this thing (404): try the next one
        }
      }
      if (!ok) unanswered.push(tag);
    }
    expect(unanswered, `no answer for ${unanswered.join(', ')}`).toEqual([]);
    expect(answered).toHaveLength(tags.length);
  });

  it('serves 200 concurrent callers with no request inside a cache window', async () => {
    const users = [undefined, app.users.alice, carol];
    const calls = Array.from({ length: 200 }, (_, i) => {
      const trpc = app.client(users[i % users.length]);
      switch (i % 4) {
        case 0:
          return trpc.esi.status.getStatus.query();
        case 1:
          return trpc.esi.market.getMarketsRegionIdOrders.query({
            region_id: 10000002,
            allPages: true,
          });
        case 2:
          return trpc.esi.universe.getUniverseSystemsSystemId.query({ system_id: 30000142 });
        default:
          return trpc.esi.market.getMarketsPrices.query();
      }
    });
    const results = await Promise.allSettled(calls);
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
  });
});
