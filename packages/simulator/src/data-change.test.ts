import { describe, expect, it } from 'vitest';
import { call, specDocument } from '../test/helpers.js';
import { type SimulatorOptions, SimulatorClock, startSimulator } from './index.js';

const T0 = Date.UTC(2026, 10, 22, 12, 0, 0);
const HOUR = 3_600_000;

async function sim(options: SimulatorOptions = {}) {
  const clock = new SimulatorClock();
  clock.freeze(T0);
  return startSimulator({ spec: specDocument(), clock, seed: 3, ...options });
}

/** Revalidates `path` after each of `windows` rollovers; counts 304s. */
async function revalidations(
  s: Awaited<ReturnType<typeof sim>>,
  path: string,
  windows: number,
): Promise<{ notModified: number; lastModified: Set<string> }> {
  const first = await call(s, path);
  let etag = first.headers.etag!;
  let notModified = 0;
  const lastModified = new Set([first.headers['last-modified']!]);
  for (let i = 0; i < windows; i++) {
    s.clock.advance(HOUR);
    const r = await call(s, path, { headers: { 'if-none-match': etag } });
    expect([200, 304]).toContain(r.status);
    lastModified.add(r.headers['last-modified']!);
    if (r.status === 304) notModified++;
    else etag = r.headers.etag!;
  }
  return { notModified, lastModified };
}

describe('data change rate per cache window', () => {
  it('by default most resources are unchanged across a rollover, so revalidation gets 304', async () => {
    await using s = await sim();
    const { notModified, lastModified } = await revalidations(s, '/markets/prices', 40);
    expect(notModified).toBeGreaterThanOrEqual(25);
    expect(notModified).toBeLessThan(40); // and some windows do change
    // Last-Modified is when the data last changed, not the window start.
    expect(lastModified.size).toBe(1 + 40 - notModified);
    expect(s.stats().violations.cacheWindow).toBe(0);
  });

  it('1 changes the data every window, 0 never', async () => {
    await using always = await sim({ dataChangeRate: 1 });
    expect((await revalidations(always, '/markets/prices', 10)).notModified).toBe(0);
    await using never = await sim({ dataChangeRate: { GetMarketsPrices: 0 } });
    const frozen = await revalidations(never, '/markets/prices', 10);
    expect(frozen.notModified).toBe(10);
    expect(frozen.lastModified.size).toBe(1);
    // Per operation: other routes keep the default.
    const other = await revalidations(never, '/industry/systems', 40);
    expect(other.notModified).toBeLessThan(40);
    expect(other.notModified).toBeGreaterThan(20);
  });

  it('all pages of a resource change together', async () => {
    await using s = await sim({ dataChangeRate: 0.5 });
    const base = '/markets/10000002/orders?order_type=all';
    for (let i = 0; i < 6; i++) {
      const p1 = await call(s, `${base}&page=1`);
      const p3 = await call(s, `${base}&page=3`);
      expect(p3.headers['last-modified']).toBe(p1.headers['last-modified']);
      s.clock.advance(300_000);
    }
  });

  it('rejects a rate outside 0..1 or an unknown operation, naming the option', async () => {
    await expect(sim({ dataChangeRate: 2 })).rejects.toThrow(/"dataChangeRate".*2/);
    await expect(sim({ dataChangeRate: { NoSuchOp: 0.5 } })).rejects.toThrow(
      /dataChangeRate\.NoSuchOp/,
    );
  });
});
