// No N+1: a thousand market orders with each order's type name and system name cost the order
// pages plus a few batched /universe/names lookups, counted from the simulator's audit log.
import { expect, it } from 'vitest';
import { harness, NO_VIOLATIONS } from '../test/fixture.js';

// The simulator puts about eight orders on a page: enough pages for well over 1,000.
const PAGES = 150;

it('resolves 1,000 orders with type and system names in a handful of ESI requests', async () => {
  await using h = await harness({ pages: { GetMarketsRegionIdOrders: PAGES } });
  const res = await h.query(
    `{ marketsOrders(region_id: 10000002, order_type: all) { order_id type_id type { name } system_id system { name } } }`,
    { extensions: { esi: true } },
  );
  expect(res.body.errors).toBeUndefined();
  const orders = res.body.data!.marketsOrders as {
    type_id: number;
    type: { name: string };
    system_id: number;
    system: { name: string };
  }[];
  expect(orders.length).toBeGreaterThanOrEqual(1000);
  for (const o of orders) {
    expect(o.type.name).toEqual(expect.any(String));
    expect(o.system.name).toEqual(expect.any(String));
  }
  const distinct = new Set(orders.flatMap((o) => [o.type_id, o.system_id])).size;
  const pages = h.esiRequests('GetMarketsRegionIdOrders');
  const names = h.esiRequests('PostUniverseNames');
  expect(pages).toBe(PAGES);
  // Deduplicated and batched up to ESI's 1,000 ids per call.
  expect(names).toBe(Math.ceil(distinct / 1000));
  expect(h.esiRequests()).toBe(pages + names);
  expect(h.esiRequests('GetUniverseTypesTypeId')).toBe(0);
  expect(h.sim.stats().violations).toEqual(NO_VIOLATIONS);
});
