import { describe, expect, it } from 'vitest';
import { APP, harnessPerTest } from '../test/helpers.js';
import { createEsiClient } from './index.js';

// One simulator per test; it must count no citizenship violation.
const start = harnessPerTest();

describe('methods work without their object', () => {
  it('regression: `const { request } = esi`, tag methods and handle methods can be called unbound', async () => {
    const h = await start({ pages: { GetMarketsRegionIdOrders: 2 } });
    const { request, stats } = h.esi;
    const { getStatus } = h.esi.Status;
    expect((await request('GetStatus').result()).players).toEqual(expect.any(Number));
    const { result, resultWithResponse, results, resultsWithResponse } = getStatus();
    await result();
    await resultWithResponse();
    await results();
    expect((await resultsWithResponse()).fromCache).toBe(true);
    const { cursor, cursorPage } = request('GetFreelanceJobsListing', { limit: 10 });
    for await (const _ of cursor()) break;
    expect((await cursorPage()).records).toHaveLength(10);
    const { pages } = request('GetMarketsRegionIdOrders', { region_id: 10000002 });
    let count = 0;
    for await (const _ of pages()) count += 1;
    expect(count).toBe(2);
    expect(stats().requests).toBeGreaterThan(0);
    // close() too: on a client of its own, so the harness can still close its one.
    const { close } = createEsiClient({ ...APP, baseUrl: h.sim.esiUrl });
    await close();
  });
});
