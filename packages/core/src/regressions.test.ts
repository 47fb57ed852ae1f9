// One regression test per bug found in review, named after the bug; each failed before its fix.
import { describe, expect, it } from 'vitest';
import { harnessPerTest, tick } from '../test/helpers.js';
import { type AccessTokenSource } from './index.js';

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
});
