// useEsi in GraphQL Yoga, queried over real HTTP, with the simulator as ESI.
import { describe, expect, it } from 'vitest';
import { getNamedType, isObjectType, type GraphQLField } from 'graphql';
import { harnessPerTest } from '../test/fixture.js';

const start = harnessPerTest();

const selectionFor = (field: GraphQLField<unknown, unknown>): string => {
  const named = getNamedType(field.type);
  if (!isObjectType(named)) return '';
  if (named.name.endsWith('Connection')) return '{ pageInfo { hasNextPage } nodes { __typename } }';
  return '{ __typename }';
};

describe('queries over HTTP', () => {
  it('answers a sample field of every tag, public and authenticated', async () => {
    const h = await start();
    const pilot = h.sim.characters[0]!;
    const { operations, scopes } = await h.esi.operations();
    await h.sim.seedTokenStore(h.tokens.store, [
      { characterId: pilot.id, scopes: [...scopes], userId: 'alice' },
    ]);
    // Values for the required arguments, as GraphQL literals.
    const known: Record<string, string> = {
      character_id: `${pilot.id}`,
      corporation_id: `${pilot.corporationId}`,
      alliance_id: `${pilot.allianceId ?? 99000001}`,
      region_id: '10000002',
      order_type: 'all',
      system_id: '30000142',
      type_id: '34',
      station_id: '60003760',
      categories: '[solar_system]',
      search: '"Jita"',
      origin_system_id: '30000142',
      destination_system_id: '30000144',
      body: '{ preference: Shorter }',
    };
    const fields = h.esiSchema.schema.getQueryType()!.getFields();
    const byTag = new Map<string, string>();
    for (const [name, id] of Object.entries(h.esiSchema.fields.query)) {
      const op = operations.find((o) => o.id === id)!;
      if (byTag.has(op.tag)) continue;
      const field = fields[name]!;
      const required = field.args.filter((a) => a.type.toString().endsWith('!'));
      if (!required.every((a) => a.name in known)) continue;
      const args = required.map((a) => `${a.name}: ${known[a.name]}`);
      if (op.scope !== undefined && field.args.some((a) => a.name === 'asCharacterId'))
        args.push(`asCharacterId: ${pilot.id}`);
      byTag.set(
        op.tag,
        `${name}${args.length ? `(${args.join(', ')})` : ''} ${selectionFor(field)}`,
      );
    }
    const tags = new Set(operations.map((o) => o.tag));
    // Every tag with a read; User Interface only writes (its mutation is in viewer.test.ts).
    expect([...tags].filter((t) => !byTag.has(t))).toEqual(['User Interface']);
    const failed: string[] = [];
    for (const [tag, q] of byTag) {
      const res = await h.query(`{ ${q} }`, { user: 'alice' });
      for (const e of res.body.errors ?? []) failed.push(`${tag}: ${e.message}`);
      if (!res.body.errors) expect(Object.values(res.body.data!)[0]).not.toBeUndefined();
    }
    expect(failed).toEqual([]);
  }, 60_000);

  it('returns every X-Pages page as one list by default, one page with `page`', async () => {
    const h = await start({ pages: { GetMarketsRegionIdOrders: 3 } });
    const all = await h.query(
      '{ marketsOrders(region_id: 10000002, order_type: all) { order_id } }',
    );
    const one = await h.query(
      '{ marketsOrders(region_id: 10000002, order_type: all, page: 2) { order_id } }',
    );
    expect(all.body.errors).toBeUndefined();
    const allIds = all.body.data!.marketsOrders.map((o: { order_id: number }) => o.order_id);
    const pageTwo = one.body.data!.marketsOrders.map((o: { order_id: number }) => o.order_id);
    expect(pageTwo.length).toBeGreaterThan(0);
    expect(allIds.length).toBeGreaterThan(pageTwo.length * 2);
    expect(allIds).toEqual(expect.arrayContaining(pageTwo));
    expect(h.esiRequests('GetMarketsRegionIdOrders')).toBe(3);
  });

  it('pages cursor routes as Relay connections', async () => {
    const h = await start();
    const first = await h.query(
      '{ freelanceJobs { nodes { id } edges { cursor } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }',
    );
    expect(first.body.errors).toBeUndefined();
    const conn = first.body.data!.freelanceJobs;
    expect(conn.nodes.length).toBeGreaterThan(0);
    expect(conn.pageInfo.startCursor).toEqual(expect.any(String));
    if (conn.pageInfo.hasNextPage) {
      const next = await h.query(
        `query($after: String) { freelanceJobs(after: $after) { nodes { id } } }`,
        { variables: { after: conn.pageInfo.endCursor } },
      );
      expect(next.body.errors).toBeUndefined();
      const ids = new Set(conn.nodes.map((n: { id: string }) => n.id));
      expect(next.body.data!.freelanceJobs.nodes.some((n: { id: string }) => ids.has(n.id))).toBe(
        false,
      );
    }
    const changed = await h.query(
      `query($before: String) { freelanceJobs(before: $before) { nodes { id } pageInfo { hasPreviousPage } } }`,
      { variables: { before: conn.pageInfo.startCursor } },
    );
    expect(changed.body.errors).toBeUndefined();
  });

  it('pages from_id routes (wallet transactions) as connections with record cursors', async () => {
    const h = await start();
    const pilot = h.sim.characters[0]!;
    await h.sim.seedTokenStore(h.tokens.store, [
      { characterId: pilot.id, scopes: ['esi-wallet.read_character_wallet.v1'], userId: 'alice' },
    ]);
    const q = `query($id: Int64!, $after: String) { charactersWalletTransactions(character_id: $id, first: 3, after: $after) {
      edges { cursor node { transaction_id } } pageInfo { hasNextPage endCursor } } }`;
    const first = await h.query(q, { user: 'alice', variables: { id: pilot.id } });
    expect(first.body.errors).toBeUndefined();
    // A walk has no single Expires: nobody may cache an answer holding one, whatever else it holds.
    const mixed = await h.query(
      `{ status { players } charactersWalletTransactions(character_id: ${pilot.id}, first: 1) { nodes { transaction_id } } }`,
      { user: 'alice' },
    );
    expect(mixed.body.errors).toBeUndefined();
    expect(mixed.headers.get('cache-control')).toBe('no-store');
    const conn = first.body.data!.charactersWalletTransactions;
    expect(conn.edges.length).toBeGreaterThan(0);
    expect(conn.edges.length).toBeLessThanOrEqual(3);
    for (const e of conn.edges) expect(e.cursor).toBe(String(e.node.transaction_id));
    if (conn.pageInfo.hasNextPage) {
      const next = await h.query(q, {
        user: 'alice',
        variables: { id: pilot.id, after: conn.pageInfo.endCursor },
      });
      const older = next.body.data!.charactersWalletTransactions.edges;
      expect(older[0].node.transaction_id).toBeLessThan(Number(conn.pageInfo.endCursor));
    }
  });

  it('links entities in one request: character → corporation → alliance', async () => {
    const h = await start();
    const pilot = h.sim.characters.find((c) => c.allianceId !== undefined) ?? h.sim.characters[0]!;
    const res = await h.query(
      `query($id: Int64!) { character(character_id: $id) { id name corporation { id name member_count alliance { id name } } } }`,
      { variables: { id: pilot.id } },
    );
    expect(res.body.errors).toBeUndefined();
    const c = res.body.data!.character;
    expect(c).toMatchObject({
      id: pilot.id,
      name: pilot.name,
      corporation: { id: pilot.corporationId },
    });
    expect(c.corporation.member_count).toEqual(expect.any(Number));
    if (pilot.allianceId !== undefined) expect(c.corporation.alliance.id).toBe(pilot.allianceId);
  });

  it('puts ESI metadata in extensions when asked, and Cache-Control from the earliest Expires', async () => {
    const h = await start();
    const plain = await h.query('{ status { players } }');
    expect(plain.body.extensions?.esi).toBeUndefined();
    expect(plain.headers.get('cache-control')).toMatch(/^public, max-age=\d+$/);
    const asked = await h.query('{ status { players } marketsPrices { type_id } }', {
      extensions: { esi: true },
    });
    const fields = asked.body.extensions!.esi.fields as {
      path: string;
      expires: number;
      fromCache: boolean;
    }[];
    const status = fields.find((f) => f.path === 'status')!;
    expect(status.fromCache).toBe(true);
    expect(fields.find((f) => f.path === 'marketsPrices')!.fromCache).toBe(false);
    const earliest = Math.min(...fields.map((f) => f.expires));
    const maxAge = Number(/max-age=(\d+)/.exec(asked.headers.get('cache-control')!)![1]);
    expect(maxAge).toBe(Math.floor((earliest - h.sim.clock.now()) / 1000));
    // Inside the window the second query did not reach ESI for status.
    expect(h.esiRequests('GetStatus')).toBe(1);
  });

  it('maps core errors to extension codes with partial data', async () => {
    const h = await start();
    const pilot = h.sim.characters[0]!;
    // NOT_FOUND beside a field that still resolves.
    const res = await h.query('{ status { players } character(character_id: 123456) { name } }');
    expect(res.body.data!.status.players).toEqual(expect.any(Number));
    expect(res.body.errors![0]!.extensions).toMatchObject({
      code: 'NOT_FOUND',
      esikitCode: 'ESIKIT_HTTP',
    });
    // BAD_USER_INPUT naming the argument (core validates before sending).
    const bad = await h.query(
      '{ marketsOrders(region_id: 10000002, order_type: all, page: 0) { order_id } status { players } }',
    );
    expect(bad.body.errors![0]!.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      argument: 'page',
    });
    expect(bad.body.data!.status.players).toEqual(expect.any(Number));
    // UNAUTHENTICATED without a user, naming the scope.
    const anon = await h.query(`{ charactersWallet(character_id: ${pilot.id}) }`);
    expect(anon.body.errors![0]!.extensions).toMatchObject({
      code: 'UNAUTHENTICATED',
      scope: 'esi-wallet.read_character_wallet.v1',
    });
    // ESI_UNAVAILABLE for 5xx (after core's retries).
    h.sim.setFaults({ routes: { GetIncursions: { errorRate: 1, statuses: [503] } } });
    const down = await h.query('{ incursions { state } status { players } }');
    expect(down.body.errors![0]!.extensions).toMatchObject({ code: 'ESI_UNAVAILABLE' });
    expect(down.body.data!.status.players).toEqual(expect.any(Number));
    h.sim.setFaults({});
  });

  it('refuses too deep, too aliased and too expensive queries before any ESI call', async () => {
    const h = await start({}, { limits: { maxDepth: 5, maxAliases: 3, maxEsiCalls: 10 } });
    const deep = await h.query(
      '{ character(character_id: 1) { corporation { alliance { creator { corporation { alliance { name } } } } } } }',
    );
    expect(deep.body.errors![0]!.message).toMatch(/depth/i);
    const aliases = await h.query(
      '{ a: status { players } b: status { players } c: status { players } d: status { players } }',
    );
    expect(aliases.body.errors![0]!.message).toMatch(/aliases/i);
    const costly = await h.query(
      '{ marketsOrders(region_id: 10000002, order_type: all) { type { group_id } system { security_status } } }',
    );
    expect(costly.body.errors![0]!.extensions).toMatchObject({ code: 'TOO_EXPENSIVE', limit: 10 });
    expect(h.esiRequests()).toBe(0);
  });

  it('turns introspection and GraphiQL off when asked', async () => {
    const h = await start({}, { introspection: false, graphiql: false });
    const res = await h.query('{ __schema { queryType { name } } }');
    expect(res.body.errors![0]!.message).toMatch(/introspection/i);
    const page = await fetch(h.url, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(404);
    await page.body?.cancel();
  });
});
