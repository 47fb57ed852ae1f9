// Citizenship under load: a hundred concurrent GraphQL requests for the same data reach ESI
// once per resource (core coalesces and caches), with no violation.
import { expect, it } from 'vitest';
import { harness, NO_VIOLATIONS } from '../test/fixture.js';

it('sends one ESI request per resource for 100 concurrent queries', async () => {
  await using h = await harness({ pages: { GetMarketsRegionIdOrders: 3 } });
  const pilot = h.sim.characters[0]!;
  const query = `{ status { players } character(character_id: ${pilot.id}) { name corporation { name } }
    marketsOrders(region_id: 10000002, order_type: all) { order_id type { name } } }`;
  const answers = await Promise.all(Array.from({ length: 100 }, () => h.query(query)));
  for (const a of answers) expect(a.body.errors).toBeUndefined();
  expect(h.esiRequests('GetStatus')).toBe(1);
  expect(h.esiRequests('GetCharactersDetail')).toBe(1);
  expect(h.esiRequests('GetMarketsRegionIdOrders')).toBe(3);
  // Names have no cache window at ESI; the schema's name cache shares them across requests, and
  // requests asking at once share one lookup (without it: 111 lookups for these 100 requests).
  expect(h.esiRequests('PostUniverseNames')).toBeLessThanOrEqual(2);
  expect(h.sim.stats().violations).toEqual(NO_VIOLATIONS);
});
