// ESI's limits through Yoga over HTTP. Core waits in its gate for a limit's reset rather than
// send into it; a 420 or 429 it could not foresee (another process on the same address spent
// the budget) becomes RATE_LIMITED with `retryAfter` (seconds) once its retries are spent — here
// none, so the test need not wait out a reset. The rest of the query still resolves, and nothing
// is sent that CCP counts against an app (the afterEach checks the simulator's audit).
import { describe, expect, it } from 'vitest';
import { harnessPerTest, type Harness } from '../test/fixture.js';

const start = harnessPerTest();

interface Extensions {
  readonly code?: string;
  readonly retryAfter?: number;
}

/** Another app on this address, as the simulator tells apps apart (by User-Agent). */
const neighbour = (h: Harness, path: string): Promise<Response> =>
  fetch(`${h.sim.esiUrl}${path}`, {
    headers: { 'user-agent': 'neighbour/1.0 (neighbour@esikit.invalid)' },
  });

describe('ESI limits over HTTP', () => {
  it('a rate-limit bucket another app emptied: RATE_LIMITED with retryAfter, other fields resolve', async () => {
    const h = await start(
      { limits: { groups: { 'factional-warfare': { maxTokens: 4, windowMs: 900_000 } } } },
      {},
      { retries: { server: 0 } },
    );
    await h.query('{ status { players } }'); // cached now: the query below asks ESI once
    // Public routes' buckets are per address: two answers (2 tokens each) empty it.
    expect((await neighbour(h, '/fw/stats')).status).toBe(200);
    expect((await neighbour(h, '/fw/wars')).status).toBe(200);
    const res = await h.query('{ fwSystems { solar_system_id } status { players } }');
    expect(res.body.data!.status.players).toEqual(expect.any(Number));
    expect(res.body.data!.fwSystems).toBeNull();
    const error = res.body.errors![0]!.extensions as Extensions;
    expect(error.code).toBe('RATE_LIMITED');
    expect(error.retryAfter).toBeGreaterThan(0);
    expect(h.sim.audit().filter((e) => e.status === 429)).toHaveLength(1);
  });

  it('an error limit another app spent: RATE_LIMITED with retryAfter, other fields resolve', async () => {
    const h = await start({ limits: { errorLimit: 3 } }, {}, { retries: { server: 0 } });
    await h.query('{ status { players } }');
    for (const id of [1, 2, 3]) expect((await neighbour(h, `/alliances/${id}`)).status).toBe(404);
    const res = await h.query('{ alliance(alliance_id: 99000001) { name } status { players } }');
    expect(res.body.data!.status.players).toEqual(expect.any(Number));
    const error = res.body.errors![0]!.extensions as Extensions;
    expect(error.code).toBe('RATE_LIMITED');
    expect(error.retryAfter).toBeGreaterThan(0);
    // Core's one request got the 420; nothing more was sent before the reset.
    expect(h.sim.audit().filter((e) => e.status === 420)).toHaveLength(1);
    // The next query waits in core's gate: nothing is sent until the error window resets.
    const sent = (): number => h.esiRequests('GetAlliancesAllianceId');
    const before = sent();
    const held = h.query('{ alliance(alliance_id: 99000002) { name } }');
    await new Promise((ok) => setTimeout(ok, 300));
    expect(sent()).toBe(before);
    h.sim.clock.advance(60_000); // the error window resets
    const after = await held;
    expect(sent()).toBe(before + 1);
    expect(after.body.errors?.map((e) => (e.extensions as Extensions).code) ?? []).not.toContain(
      'RATE_LIMITED',
    );
    expect(h.sim.audit().filter((e) => e.status === 420)).toHaveLength(1);
  });
});
