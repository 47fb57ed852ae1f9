// esiResponseMeta over HTTP: Cache-Control from the earliest Expires of a batch of ESI queries,
// private when any was authenticated, and nothing when it cannot be cached.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp, closeClean } from '../test/app.js';

let app: TestApp;
beforeAll(async () => {
  app = await startApp();
});
afterAll(() => closeClean(app));

/** The Cache-Control of the one response a batch made. */
async function cacheControlOf(batch: () => Promise<unknown>): Promise<string | undefined> {
  const before = app.responses.length;
  await batch().catch(() => undefined);
  await new Promise((ok) => setTimeout(ok, 20)); // 'finish' follows the client's read
  const made = app.responses.slice(before);
  expect(made).toHaveLength(1);
  return made[0]!.cacheControl;
}

/** Seconds left in the window core holds for a call (a cache hit: no request). */
async function secondsLeft(expires: number | undefined): Promise<number> {
  return Math.floor((expires! - app.sim.clock.now()) / 1000);
}

describe('esiResponseMeta', () => {
  it('public, max-age from the earliest Expires of a batch of public GETs', async () => {
    const trpc = app.client(undefined);
    const header = await cacheControlOf(() =>
      Promise.all([trpc.esi.status.getStatus.query(), trpc.esi.market.getMarketsPrices.query()]),
    );
    const status = await app.esi.request('GetStatus').resultWithResponse();
    const prices = await app.esi.request('GetMarketsPrices').resultWithResponse();
    const expected = Math.min(await secondsLeft(status.expires), await secondsLeft(prices.expires));
    expect(status.fromCache && prices.fromCache).toBe(true);
    expect(header).toBe(`public, max-age=${expected}`);
  });

  it('private when any call in the batch used a token', async () => {
    const trpc = app.client(app.users.alice);
    const header = await cacheControlOf(() =>
      Promise.all([
        trpc.esi.status.getStatus.query(),
        trpc.esi.wallet.getCharactersCharacterIdWallet.query({ character_id: app.chars.a1 }),
      ]),
    );
    expect(header).toMatch(/^private, max-age=\d+$/);
  });

  it("nothing for a batch with the app's own procedure, an error, a mutation or a stream", async () => {
    const trpc = app.client(undefined);
    expect(
      await cacheControlOf(() =>
        Promise.all([trpc.esi.status.getStatus.query(), trpc.hello.query()]),
      ),
    ).toBeUndefined();
    expect(
      await cacheControlOf(() =>
        Promise.all([
          trpc.esi.status.getStatus.query(),
          trpc.esi.alliance.getAlliancesAllianceId.query({ alliance_id: 1 }),
        ]),
      ),
    ).toBeUndefined();
    expect(
      await cacheControlOf(() =>
        app.client(app.users.alice).esi.mail.postCharactersCharacterIdMailLabels.mutate({
          character_id: app.chars.a1,
          body: { name: 'x' },
        }),
      ),
    ).toBeUndefined();
    expect(
      await cacheControlOf(() => app.client(undefined, 'stream').esi.status.getStatus.query()),
    ).toBeUndefined();
  });
});
