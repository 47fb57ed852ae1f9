// withMetadata: every result with its cache metadata, through createCaller (no HTTP needed to
// prove the shape; the HTTP paths are the same procedures).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initTRPC } from '@trpc/server';
import { createEsiRouter } from './index.js';
import { startApp, type TestApp } from '../test/app.js';

let app: TestApp;
beforeAll(async () => {
  app = await startApp();
});
afterAll(async () => {
  expect(app.sim.stats().violations.cacheWindow).toBe(0);
  await app.close();
});

describe('withMetadata', () => {
  it('returns data with expires, lastModified, etag, pages and fromCache', async () => {
    const t = initTRPC.create();
    const router = await createEsiRouter(t, {
      esi: app.esi,
      include: { tags: ['Market', 'FreelanceJobs'] },
      withMetadata: true,
    });
    const caller = t.createCallerFactory(router)({});
    const first = await caller.market.getMarketsRegionIdOrders({ region_id: 10000042 });
    expect(first.fromCache).toBe(false);
    expect(first.expires).toBeGreaterThan(app.sim.clock.now());
    expect(first.pages).toBe(3);
    expect(typeof first.etag).toBe('string');
    expect(Array.isArray(first.data)).toBe(true);
    const again = await caller.market.getMarketsRegionIdOrders({ region_id: 10000042 });
    expect(again.fromCache).toBe(true);
    expect(again.data).toEqual(first.data);
    const all = await caller.market.getMarketsRegionIdOrders({
      region_id: 10000042,
      allPages: true,
    });
    expect(all.pages).toBe(3);
    const jobs = await caller.freelanceJobs.getFreelanceJobsListing();
    expect(Array.isArray(jobs.data.records)).toBe(true);
    expect(typeof jobs.expires === 'number' || jobs.expires === undefined).toBe(true);
  });
});
