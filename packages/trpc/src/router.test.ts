// The router over real HTTP: the test app (own context, superjson, own procedures beside `esi`)
// on the standalone adapter, @trpc/client with httpBatchLink and httpBatchStreamLink, against the
// simulator on loopback.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TRPCClientError } from '@trpc/client';
import { failure, startApp, T0, type AppRouter, type TestApp, closeClean } from '../test/app.js';

let app: TestApp;
beforeAll(async () => {
  app = await startApp();
});
afterAll(() => closeClean(app));

describe('mounted in the app', () => {
  it("keeps the app's own procedures, context and transformer beside esi", async () => {
    const hello = await app.client(undefined).hello.query();
    expect(hello.at).toBeInstanceOf(Date); // superjson round trip
    expect(hello.at.getTime()).toBe(T0);
    expect(hello.requestId).toMatch(/^r\d+$/);
  });

  it('answers a public GET, typed from the spec, over both batch links', async () => {
    for (const link of ['batch', 'stream'] as const) {
      const status = await app.client(undefined, link).esi.status.getStatus.query();
      expect(typeof status.players).toBe('number');
    }
  });

  it('answers a sample of operations from every tag it can reach without a token', async () => {
    const trpc = app.client(undefined);
    const [races, alliances, prices, names, route] = await Promise.all([
      trpc.esi.universe.getUniverseRaces.query(),
      trpc.esi.alliance.getAlliances.query(),
      trpc.esi.market.getMarketsPrices.query(),
      trpc.esi.universe.postUniverseNames.query({ body: [30000142] }),
      trpc.esi.routes.postRoute.query({
        origin_system_id: 30000142,
        destination_system_id: 30002187,
        body: { preference: 'Safer' },
      }),
    ]);
    expect(races.length).toBeGreaterThan(0);
    expect(Array.isArray(alliances)).toBe(true);
    expect(prices.length).toBeGreaterThan(0);
    expect(names[0]?.id).toBe(30000142);
    expect(route).toBeDefined();
  });
});

describe('validation', () => {
  it('refuses a bad input as BAD_REQUEST naming the parameter, before ESI', async () => {
    const before = app.seen('GetMarketsRegionIdOrders');
    const e = await failure(
      app
        .client(undefined)
        .esi.market.getMarketsRegionIdOrders.query({ region_id: 'x' as unknown as number }),
    );
    expect(e.data).toMatchObject({
      code: 'BAD_REQUEST',
      esiCode: 'ESIKIT_VALIDATION',
      parameter: 'region_id',
      app: 'test-app',
    });
    expect(e.message).toContain('region_id');
    expect(app.seen('GetMarketsRegionIdOrders')).toBe(before);
  });

  it('refuses a wrong enum value and an unknown parameter', async () => {
    const trpc = app.client(undefined);
    const bad = await failure(
      trpc.esi.market.getMarketsRegionIdOrders.query({
        region_id: 10000002,
        order_type: 'both' as 'all',
      }),
    );
    expect(bad.data).toMatchObject({ code: 'BAD_REQUEST', parameter: 'order_type' });
    const unknown = await failure(trpc.esi.status.getStatus.query({ nope: 1 } as never));
    expect(unknown.data).toMatchObject({ code: 'BAD_REQUEST' });
    expect(unknown.message).toContain('nope');
  });

  it('refuses page and allPages together, and before with after', async () => {
    const trpc = app.client(undefined);
    const both = await failure(
      trpc.esi.market.getMarketsRegionIdOrders.query({
        region_id: 10000002,
        page: 2,
        allPages: true,
      }),
    );
    expect(both.data).toMatchObject({ code: 'BAD_REQUEST', parameter: 'page' });
    const cursor = await failure(
      trpc.esi.freelanceJobs.getFreelanceJobsListing.query({ before: 'a', after: 'b' }),
    );
    expect(cursor.data).toMatchObject({ code: 'BAD_REQUEST', parameter: 'before' });
  });
});

describe('paging', () => {
  it('X-Pages: one page, or every page as one snapshot', async () => {
    const trpc = app.client(undefined);
    const one = await trpc.esi.market.getMarketsRegionIdOrders.query({ region_id: 10000002 });
    const two = await trpc.esi.market.getMarketsRegionIdOrders.query({
      region_id: 10000002,
      page: 2,
    });
    const all = await trpc.esi.market.getMarketsRegionIdOrders.query({
      region_id: 10000002,
      allPages: true,
    });
    expect(one.length).toBeGreaterThan(0);
    expect(two).not.toEqual(one);
    expect(all.length).toBeGreaterThanOrEqual(one.length + two.length);
    expect(all.slice(0, one.length)).toEqual(one);
  });

  it('cursor: records with the tokens to continue from', async () => {
    const trpc = app.client(undefined);
    const first = await trpc.esi.freelanceJobs.getFreelanceJobsListing.query();
    expect(Array.isArray(first.records)).toBe(true);
    expect(typeof first.before === 'string' || first.before === undefined).toBe(true);
    expect(typeof first.after).toBe('string');
    const newer = await trpc.esi.freelanceJobs.getFreelanceJobsListing.query({
      after: first.after!,
    });
    expect(Array.isArray(newer.records)).toBe(true);
  });

  it('from_id: records newest first, and the newest id to pass as untilId', async () => {
    const trpc = app.client(app.users.alice);
    const all = await trpc.esi.wallet.getCharactersCharacterIdWalletTransactions.query({
      character_id: app.chars.a1,
    });
    expect(all.records.length).toBeGreaterThan(0);
    expect(all.newestId).toBe(Math.max(...all.records.map((r) => r.transaction_id)));
    const since = await trpc.esi.wallet.getCharactersCharacterIdWalletTransactions.query({
      character_id: app.chars.a1,
      untilId: all.newestId!,
    });
    expect(since.records).toEqual([]);
    expect(since.newestId).toBe(all.newestId);
  });
});

describe('auth', () => {
  it("acts with the user's own token of the character", async () => {
    const balance = await app
      .client(app.users.alice)
      .esi.wallet.getCharactersCharacterIdWallet.query({ character_id: app.chars.a1 });
    expect(typeof balance).toBe('number');
    const skills = await app
      .client(app.users.alice)
      .esi.skills.getCharactersCharacterIdSkills.query({ character_id: app.chars.a2 });
    expect(skills).toHaveProperty('skills');
  });

  it('UNAUTHORIZED without a user, before ESI', async () => {
    const before = app.seen('GetCharactersCharacterIdWallet');
    const e = await failure(
      app
        .client(undefined)
        .esi.wallet.getCharactersCharacterIdWallet.query({ character_id: app.chars.a1 }),
    );
    expect(e.data).toMatchObject({
      code: 'UNAUTHORIZED',
      esiCode: 'ESIKIT_TOKEN_REQUIRED',
      operationId: 'GetCharactersCharacterIdWallet',
    });
    expect(app.seen('GetCharactersCharacterIdWallet')).toBe(before);
  });

  it("FORBIDDEN for another user's character and for a missing scope, before ESI", async () => {
    const before = app.seen('GetCharactersCharacterIdWallet');
    const other = await failure(
      app
        .client(app.users.bob)
        .esi.wallet.getCharactersCharacterIdWallet.query({ character_id: app.chars.a1 }),
    );
    expect(other.data).toMatchObject({ code: 'FORBIDDEN', esiCode: 'ESIKIT_TOKEN_FORBIDDEN' });
    expect(other.message).toContain('not one of your characters');
    const scope = await failure(
      app
        .client(app.users.alice)
        .esi.wallet.getCharactersCharacterIdWallet.query({ character_id: app.chars.a2 }),
    );
    expect(scope.data).toMatchObject({ code: 'FORBIDDEN', esiCode: 'ESIKIT_TOKEN_FORBIDDEN' });
    expect(scope.message).toContain('esi-wallet.read_character_wallet.v1');
    expect(app.seen('GetCharactersCharacterIdWallet')).toBe(before);
    // bob's own character still works for bob
    const mine = await app
      .client(app.users.bob)
      .esi.wallet.getCharactersCharacterIdWallet.query({ character_id: app.chars.b1 });
    expect(typeof mine).toBe('number');
  });

  it('asCharacter picks the acting character on routes without character_id', async () => {
    const corp = await app.esi
      .request('GetCharactersDetail', { character_id: app.chars.a2 })
      .result();
    const wallets = await app
      .client(app.users.alice)
      .esi.wallet.getCorporationsCorporationIdWallets.query({
        corporation_id: corp.corporation_id,
        asCharacter: app.chars.a2,
      });
    expect(Array.isArray(wallets)).toBe(true);
    const missing = await failure(
      app.client(app.users.alice).esi.wallet.getCorporationsCorporationIdWallets.query({
        corporation_id: corp.corporation_id,
      } as never),
    );
    expect(missing.data).toMatchObject({ code: 'BAD_REQUEST', parameter: 'asCharacter' });
    const bobs = await failure(
      app.client(app.users.bob).esi.wallet.getCorporationsCorporationIdWallets.query({
        corporation_id: corp.corporation_id,
        asCharacter: app.chars.a2,
      }),
    );
    expect(bobs.data).toMatchObject({ code: 'FORBIDDEN' });
  });

  it('tokenRequired and tokensRequired give the app its own procedures the token(s)', async () => {
    const wallet = await app.client(app.users.alice).myWallet.query({ character_id: app.chars.a1 });
    expect(wallet.characterId).toBe(app.chars.a1);
    expect(typeof wallet.balance).toBe('number');
    const forbidden = await failure(
      app.client(app.users.alice).myWallet.query({ character_id: app.chars.b1 }),
    );
    expect(forbidden.data).toMatchObject({ code: 'FORBIDDEN', esiCode: 'ESIKIT_TOKEN_FORBIDDEN' });
    expect(await app.client(app.users.alice).myCharacters.query()).toEqual(
      [app.chars.a1, app.chars.a2].sort((a, b) => a - b),
    );
    const none = await failure(app.client(app.users.bob).myCharacters.query());
    expect(none.data).toMatchObject({ code: 'FORBIDDEN' });
    const anon = await failure(app.client(undefined).myCharacters.query());
    expect(anon.data).toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('no access token appears in any error', async () => {
    const tokens = (await app.tokens.find({})).map((x) => x.accessToken);
    const errors: unknown[] = [];
    for (const user of [undefined, app.users.alice, app.users.bob])
      for (const character_id of Object.values(app.chars))
        await app
          .client(user)
          .esi.wallet.getCharactersCharacterIdWallet.query({ character_id })
          .catch((e: unknown) => errors.push(e));
    expect(errors.length).toBeGreaterThan(0);
    const text = JSON.stringify(
      errors.map((e) => [String(e), (e as TRPCClientError<AppRouter>).shape]),
    );
    for (const token of tokens) expect(text).not.toContain(token.slice(-40));
  });
});
