// One regression test per bug found in review, named after the bug; each failed before its fix.
import { describe, expect, it } from 'vitest';
import { harnessPerTest, tick } from '../test/helpers.js';
import { collectPages } from './internal/pages.js';
import type { EsiResponse } from './internal/pipeline.js';
import {
  createEsiClient,
  EsiAbortedError,
  EsiHttpError,
  EsiIncompleteResultError,
  EsiOptionError,
  EsiValidationError,
  type AccessTokenSource,
} from './index.js';

// One simulator per test; it must count no citizenship violation (checked after each test).
const start = harnessPerTest();

describe('review regressions', () => {
  it('a request whose token arrives after a 420 waits for the reset before it is sent', async () => {
    const h = await start(
      { limits: { errorLimit: 1, errorWindowSeconds: 60 } },
      { errorLimitThreshold: 0 },
    );
    const t = await h.token(0, []);
    // Spends the one error the window allows.
    await h.esi
      .request('GetAlliancesAllianceId', { alliance_id: 99_000_001 }, { token: t.accessToken })
      .result()
      .catch(() => undefined);
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    // A token source in the middle of an SSO refresh: it answers only when told to.
    const slow: AccessTokenSource = {
      characterId: t.characterId,
      getAccessToken: async () => {
        await released;
        return t.accessToken;
      },
    };
    const waiting = h.esi.request('GetUniverseRegions', {}, { token: slow }).result();
    await tick(20);
    // Meanwhile another request meets ESI's 420: everything must now wait for the reset.
    const code = await h.esi
      .request('GetUniverseConstellations', {}, { token: t.accessToken })
      .result({ retries: { server: 0 } })
      .catch((e: { code?: string }) => e.code);
    expect(code).toBe('ESIKIT_ERROR_LIMITED');
    release();
    await tick(200);
    // Still held: nothing went out after the 420.
    expect(h.sim.audit().map((e) => e.status)).toEqual([404, 420]);
    h.sim.clock.advance(60_000);
    await expect(waiting).resolves.toBeDefined();
    expect(h.sim.audit().map((e) => e.status)).toEqual([404, 420, 200]);
    expect(h.sim.stats().violations.afterErrorLimit).toBe(0);
  });
  it('a caller with a signal that joins a coalesced request started without one can still abort', async () => {
    const h = await start({ faults: { routes: { GetStatus: { latencyMs: 1000 } } } });
    let firstDone = false;
    const first = h.esi
      .request('GetStatus')
      .result()
      .then((v) => {
        firstDone = true;
        return v;
      });
    await tick(30);
    const c = new AbortController();
    const second = h.esi.request('GetStatus').result({ signal: c.signal });
    c.abort(new Error('user left'));
    await expect(second).rejects.toBeInstanceOf(EsiAbortedError);
    // The joiner left at once; the shared request goes on for the caller that stayed.
    expect(firstDone).toBe(false);
    await expect(first).resolves.toBeDefined();
    expect(h.seen('GetStatus')).toBe(1);
  });

  it('an ignoreCache caller does not join a normal caller’s revalidation; it gets a fresh copy', async () => {
    const h = await start({ latencyMs: 50 });
    // Races have only an ETag: the normal call below revalidates (If-None-Match → 304).
    await h.esi.request('GetUniverseRaces').result();
    const [normal, fresh] = await Promise.all([
      h.esi.request('GetUniverseRaces').resultWithResponse(),
      h.esi.request('GetUniverseRaces').resultWithResponse({ ignoreCache: true }),
    ]);
    expect(normal.fromCache).toBe(true);
    expect(fresh.fromCache).toBe(false);
    const audit = h.sim.audit().filter((e) => e.operationId === 'GetUniverseRaces');
    expect(audit).toHaveLength(3);
    expect(audit.filter((e) => e.ifNoneMatch === undefined).map((e) => e.status)).toEqual([
      200, 200,
    ]);
  });
  it('results() stops fetching pages once one page has failed', async () => {
    const h = await start(
      { pages: { GetMarketsRegionIdOrders: 30 }, latencyMs: 20 },
      { pageConcurrency: 4 },
    );
    const call = { region_id: 10000002 };
    await h.esi.request('GetMarketsRegionIdOrders', call).result();
    h.sim.setFaults({ failNext: { count: 1, with: 500, operationId: 'GetMarketsRegionIdOrders' } });
    const e = await h.esi
      .request('GetMarketsRegionIdOrders', call)
      .results()
      .catch((x: unknown) => x);
    // The first error wins (not the aborts of the pages in flight that it cancelled).
    expect(e).toBeInstanceOf(EsiHttpError);
    expect((e as EsiHttpError).status).toBe(500);
    await tick(400);
    // Page 1 (then from cache), and at most the pages in flight or started by workers before the
    // failure was known — never the 28 others.
    expect(h.seen('GetMarketsRegionIdOrders')).toBeLessThanOrEqual(1 + 2 * 4);
  });

  it('reports the snapshot attempts it really made when the next window is too far away', async () => {
    const now = Date.UTC(2026, 10, 22, 12, 0, 0);
    const page = (n: number, lastModified: number): EsiResponse<unknown> => ({
      data: [n],
      status: 200,
      headers: {},
      etag: undefined,
      // The older page's window ends in an hour: too long to wait within one results().
      expires: now + 3600_000,
      lastModified: new Date(lastModified).toUTCString(),
      pages: 2,
      fromCache: false,
    });
    let calls = 0;
    const e = await collectPages(
      (n) => {
        calls += 1;
        return Promise.resolve(page(n, n === 1 ? now - 60_000 : now));
      },
      { operation: 'GetX', concurrency: 2, clock: () => now, signal: undefined, maxAttempts: 3 },
    ).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(EsiIncompleteResultError);
    expect(calls).toBe(2);
    expect((e as EsiIncompleteResultError).attempts).toBe(1);
    expect((e as Error).message).toContain('after 1 attempt');
  });
  it('never shows an access token, or a store’s connection options, in an error message', async () => {
    const h = await start();
    const jwt = (await h.token(0, [])).accessToken;
    const signature = jwt.split('.')[2] ?? '';
    expect(signature.length).toBeGreaterThan(20);
    const leaks = (message: string): boolean =>
      message.includes(signature.slice(0, 12)) || message.includes(jwt.slice(0, 24));
    const messageOf = async (
      f: () => unknown,
      type: typeof EsiOptionError | typeof EsiValidationError,
    ): Promise<string> => {
      try {
        await f();
      } catch (e) {
        expect(e).toBeInstanceOf(type);
        return (e as Error).message;
      }
      throw new Error('did not throw');
    };
    // The token where the call options go (a common slip: `request(id, params, token)`).
    const asOptions = await messageOf(
      () =>
        (h.esi.request as (...a: unknown[]) => unknown)(
          'GetCharactersCharacterIdWallet',
          { character_id: 1 },
          jwt,
        ),
      EsiOptionError,
    );
    expect(leaks(asOptions)).toBe(false);
    expect(asOptions).toContain('Invalid option options');
    expect(asOptions).toContain(`a string of ${jwt.length} characters`);
    // …and where the parameters go.
    const asParams = await messageOf(
      () =>
        (h.esi.request as (...a: unknown[]) => { result(): Promise<unknown> })(
          'GetStatus',
          jwt,
        ).result(),
      EsiValidationError,
    );
    expect(leaks(asParams)).toBe(false);
    expect(asParams).toContain('parameter params');
    // …and where the operation id goes.
    const asId = await messageOf(
      () => (h.esi.request as (id: string) => { result(): Promise<unknown> })(jwt).result(),
      EsiValidationError,
    );
    expect(leaks(asId)).toBe(false);
    // A client object passed as the cache: named by its class, its options never printed.
    class FakeRedis {
      readonly options = { host: 'redis.internal', password: 'redis-password-42' };
    }
    const asCache = await messageOf(
      () => createEsiClient({ cache: new FakeRedis() as never }),
      EsiOptionError,
    );
    expect(asCache).not.toContain('redis-password-42');
    expect(asCache).toContain('Invalid option cache');
    expect(asCache).toContain('FakeRedis');
    expect(h.sim.audit()).toHaveLength(0);
  });
});
