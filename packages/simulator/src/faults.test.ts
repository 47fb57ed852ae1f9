import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { call, specDocument, UA } from '../test/helpers.js';
import { type FaultConfig, SimulatorClock, startSimulator } from './index.js';

async function sim(faults?: FaultConfig) {
  const clock = new SimulatorClock();
  clock.freeze(Date.UTC(2026, 10, 22, 12, 0, 0));
  return startSimulator({
    spec: specDocument(),
    clock,
    seed: 4,
    ...(faults ? { faults } : {}),
    limits: { errorLimit: 10_000 },
  });
}

describe('faults', () => {
  it('answers a seeded share of requests with the chosen 5xx statuses, the same way each run', async () => {
    const statuses = async () => {
      await using s = await sim({ global: { errorRate: 0.3, statuses: [502, 504] }, seed: 12 });
      const out: number[] = [];
      for (let i = 0; i < 100; i++) out.push((await call(s, `/universe/types/${i + 1}`)).status);
      return out;
    };
    const a = await statuses();
    expect(a).toEqual(await statuses());
    const failed = a.filter((x) => x !== 200);
    expect(failed.length).toBeGreaterThan(15);
    expect(failed.length).toBeLessThan(45);
    expect(new Set(failed)).toEqual(new Set([502, 504]));
  });

  it('applies per-route faults only to that route and can be changed at runtime', async () => {
    await using s = await sim({ routes: { GetAlliances: { errorRate: 1, statuses: [503] } } });
    const r = await call(s, '/alliances');
    expect(r.status).toBe(503);
    expect(r.json).toEqual({ error: 'Service Unavailable' });
    expect((await call(s, '/markets/prices')).status).toBe(200);
    s.setFaults({});
    expect((await call(s, '/alliances')).status).toBe(200);
    expect(() => s.setFaults({ global: { errorRate: 2 } })).toThrow(/global\.errorRate/);
  });

  it('fails the next N requests deterministically', async () => {
    await using s = await sim({ failNext: { count: 2, with: 500, operationId: 'GetStatus' } });
    expect((await call(s, '/alliances')).status).toBe(200);
    expect((await call(s, '/status')).status).toBe(500);
    expect((await call(s, '/status')).status).toBe(500);
    expect((await call(s, '/status')).status).toBe(200);
  });

  it('resets the connection and truncates bodies', async () => {
    await using s = await sim({ failNext: [{ count: 1, with: 'reset' }] });
    await expect(
      request(`${s.esiUrl}/alliances`, { headers: { 'user-agent': UA } }),
    ).rejects.toThrow();
    expect((await call(s, '/alliances')).status).toBe(200);
    s.setFaults({ failNext: { count: 1, with: 'truncate' } });
    const res = await request(`${s.esiUrl}/markets/prices`, { headers: { 'user-agent': UA } });
    expect(res.statusCode).toBe(200);
    const promised = Number(res.headers['content-length']);
    await expect(res.body.text()).rejects.toThrow();
    expect(promised).toBeGreaterThan(0);
    expect(s.stats()).toMatchObject({ resets: 1, truncated: 1 });
  });

  it('changes a paged resource after page 1 (new Last-Modified, ETag and data for the rest)', async () => {
    await using s = await sim({ routes: { GetMarketsRegionIdOrders: { pageChange: true } } });
    const base = '/markets/10000002/orders?order_type=all';
    const p1 = await call(s, `${base}&page=1`);
    const p2 = await call(s, `${base}&page=2`);
    const p3 = await call(s, `${base}&page=3`);
    expect(p2.headers['last-modified']).not.toBe(p1.headers['last-modified']);
    expect(p3.headers['last-modified']).toBe(p2.headers['last-modified']);
    expect(p2.headers.expires).toBe(p1.headers.expires);
    // Page 1 again is the new version too.
    const again = await call(s, `${base}&page=1`);
    expect(again.headers.etag).not.toBe(p1.headers.etag);
  });
});
