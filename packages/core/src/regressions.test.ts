// One regression test per bug found in review, named after the bug; each failed before its fix.
import { describe, expect, it } from 'vitest';
import { harnessPerTest, tick } from '../test/helpers.js';
import { EsiAbortedError, type AccessTokenSource } from './index.js';

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
});
