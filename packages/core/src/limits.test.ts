import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { APP, harnessPerTest, tick, type Harness } from '../test/helpers.js';
import {
  createEsiClient,
  EsiAbortedError,
  EsiErrorLimitedError,
  EsiHttpError,
  EsiNetworkError,
  EsiRateLimitedError,
  EsiResponseError,
  EsiTimeoutError,
} from './index.js';

const WALLET = 'esi-wallet.read_character_wallet.v1';
const NO_ALLIANCE = 99_000_001;

// One simulator per test; it must count no citizenship violation.
const start = harnessPerTest();

describe('error limit', () => {
  it('sends nothing after a 420 until the reset, then carries on (420 storm)', async () => {
    const h = await start(
      { limits: { errorLimit: 3, errorWindowSeconds: 60 } },
      { errorLimitThreshold: 0 },
    );
    for (let i = 0; i < 3; i++) {
      await expect(
        h.esi.request('GetAlliancesAllianceId', { alliance_id: NO_ALLIANCE + i }).result(),
      ).rejects.toMatchObject({ status: 404 });
    }
    // The 4th request meets the 420; the others start while the client knows it is paused.
    const first = h.esi.request('GetUniverseRegions').result();
    while (!h.sim.audit().some((e) => e.status === 420)) await tick(10);
    const storm = Array.from({ length: 10 }, (_, i) =>
      h.esi
        .request('GetUniverseConstellationsConstellationId', { constellation_id: 20000001 + i })
        .result(),
    );
    const sentBefore = h.sim.audit().length;
    await tick(300);
    expect(h.sim.audit().length).toBe(sentBefore);
    expect(h.esi.stats().errorLimit.pausedUntil).toBeGreaterThan(h.sim.clock.now());
    h.sim.clock.advance(60_000);
    await Promise.all([first, ...storm]);
    const audit = h.sim.audit();
    expect(audit.filter((e) => e.status === 420)).toHaveLength(1);
    const pausedAt = audit.find((e) => e.status === 420)!.at;
    const after = audit.slice(audit.findIndex((e) => e.status === 420) + 1);
    expect(after).toHaveLength(11);
    expect(after.every((e) => e.at >= pausedAt + 1000)).toBe(true);
    expect(h.esi.stats().limitWaits).toBeGreaterThan(0);
  });

  it('slows down before the limit: under the threshold nothing is sent until the reset', async () => {
    const h = await start(
      { limits: { errorLimit: 12, errorWindowSeconds: 60 } },
      { errorLimitThreshold: 10 },
    );
    for (let i = 0; i < 3; i++) {
      await expect(
        h.esi.request('GetAlliancesAllianceId', { alliance_id: NO_ALLIANCE + i }).result(),
      ).rejects.toBeInstanceOf(EsiHttpError);
    }
    expect(h.esi.stats().errorLimit.remain).toBe(9);
    const waiting = h.esi.request('GetUniverseRegions').result();
    await tick(200);
    expect(h.sim.audit()).toHaveLength(3);
    h.sim.clock.advance(60_000);
    await waiting;
    expect(h.sim.audit().map((e) => e.status)).toEqual([404, 404, 404, 200]);
  });

  it('gives up with EsiErrorLimitedError when the budget does not allow waiting', async () => {
    const h = await start(
      { limits: { errorLimit: 1, errorWindowSeconds: 60 } },
      { errorLimitThreshold: 0 },
    );
    await expect(
      h.esi.request('GetAlliancesAllianceId', { alliance_id: NO_ALLIANCE }).result(),
    ).rejects.toBeInstanceOf(EsiHttpError);
    const e = await h.esi
      .request('GetUniverseRegions')
      .result({ retries: { server: 0 } })
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(EsiErrorLimitedError);
    expect((e as EsiErrorLimitedError).resetAt).toBeGreaterThan(h.sim.clock.now());
    // …and the next call waits instead of hitting the 420 again.
    const next = h.esi.request('GetUniverseRegions').result();
    await tick(150);
    expect(h.sim.audit()).toHaveLength(2);
    h.sim.clock.advance(60_000);
    await next;
  });
});

describe('rate limits', () => {
  async function drainBucket(h: Harness, token: string, characterId: number): Promise<void> {
    // Another process (another client) spends the character's wallet bucket first.
    const other = createEsiClient({
      ...APP,
      baseUrl: h.sim.esiUrl,
      clock: () => h.sim.clock.now(),
    });
    await other
      .request('GetCharactersCharacterIdWallet', { character_id: characterId }, { token })
      .result();
    h.sim.clock.advance(121_000);
    await other
      .request('GetCharactersCharacterIdWallet', { character_id: characterId }, { token })
      .result();
    h.sim.clock.advance(121_000);
    await other.close();
  }

  it('waits Retry-After on a 429 and retries within budget', async () => {
    const h = await start({
      // New data every window: drainBucket's second call is a 200 (2 tokens), not a 304 (1).
      dataChangeRate: 1,
      limits: { groups: { 'char-wallet': { maxTokens: 4, windowMs: 300_000 } } },
    });
    const t = await h.token(0, [WALLET]);
    await drainBucket(h, t.accessToken, t.characterId);
    const call = h.esi
      .request(
        'GetCharactersCharacterIdWallet',
        { character_id: t.characterId },
        { token: t.accessToken },
      )
      .result();
    while (!h.sim.audit().some((e) => e.status === 429)) await tick(10);
    await tick(200);
    expect(h.sim.audit().map((e) => e.status)).toEqual([200, 200, 429]);
    expect(h.esi.stats().limitWaits).toBeGreaterThan(0);
    h.sim.clock.advance(60_000);
    expect(typeof (await call)).toBe('number');
    expect(h.sim.audit().map((e) => e.status)).toEqual([200, 200, 429, 200]);
    expect(h.esi.stats().retries).toBe(1);
  });

  it('reports EsiRateLimitedError with retryAfter when out of retries', async () => {
    const h = await start({
      // New data every window: drainBucket's second call is a 200 (2 tokens), not a 304 (1).
      dataChangeRate: 1,
      limits: { groups: { 'char-wallet': { maxTokens: 4, windowMs: 3_600_000 } } },
    });
    const t = await h.token(0, [WALLET]);
    await drainBucket(h, t.accessToken, t.characterId);
    const e = await h.esi
      .request(
        'GetCharactersCharacterIdWallet',
        { character_id: t.characterId },
        { token: t.accessToken },
      )
      .result({ retries: { server: 0 } })
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(EsiRateLimitedError);
    expect(e).toMatchObject({ code: 'ESIKIT_RATE_LIMITED', group: 'char-wallet' });
    expect((e as EsiRateLimitedError).retryAfter).toBeGreaterThan(60);
  });

  it('throttles itself before the bucket runs dry (no 429 at all)', async () => {
    const h = await start({
      // New data every window, so each call is a full 200 rather than a revalidation's 304.
      dataChangeRate: 1,
      limits: { groups: { 'char-wallet': { maxTokens: 4, windowMs: 600_000 } } },
    });
    const t = await h.token(0, [WALLET]);
    const call = (): Promise<number> =>
      h.esi
        .request(
          'GetCharactersCharacterIdWallet',
          { character_id: t.characterId },
          { token: t.accessToken },
        )
        .result();
    await call();
    h.sim.clock.advance(121_000);
    await call();
    h.sim.clock.advance(121_000);
    const third = call();
    await tick(200);
    expect(h.sim.audit()).toHaveLength(2);
    h.sim.clock.advance(600_000);
    await third;
    expect(h.sim.audit().map((e) => e.status)).toEqual([200, 200, 200]);
  });
});

describe('retries', () => {
  it('retries 502/503/504 with backoff and succeeds', async () => {
    const h = await start({
      faults: { failNext: { count: 3, with: 503, operationId: 'GetStatus' } },
    });
    await expect(h.esi.request('GetStatus').result()).resolves.toMatchObject({
      players: expect.any(Number),
    });
    expect(h.sim.audit().map((e) => e.status)).toEqual([503, 503, 503, 200]);
    expect(h.esi.stats().retries).toBe(3);
  });

  it('stops after the server budget and reports the last status', async () => {
    const h = await start({
      faults: { failNext: { count: 5, with: 502, operationId: 'GetStatus' } },
    });
    const e = await h.esi
      .request('GetStatus')
      .result({ retries: { server: 1 } })
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(EsiHttpError);
    expect((e as EsiHttpError).status).toBe(502);
    expect(h.seen('GetStatus')).toBe(2);
  });

  it('never retries a 4xx or a 500', async () => {
    const h = await start({
      faults: { failNext: { count: 1, with: 500, operationId: 'GetStatus' } },
    });
    await expect(
      h.esi.request('GetAlliancesAllianceId', { alliance_id: NO_ALLIANCE }).result(),
    ).rejects.toMatchObject({ status: 404, code: 'ESIKIT_HTTP' });
    await expect(h.esi.request('GetStatus').result()).rejects.toMatchObject({ status: 500 });
    expect(h.sim.audit()).toHaveLength(2);
  });

  it('retries a reset connection and a truncated body', async () => {
    const h = await start({
      faults: {
        failNext: [
          { count: 1, with: 'reset', operationId: 'GetStatus' },
          { count: 1, with: 'truncate', operationId: 'GetUniverseRegions' },
        ],
      },
    });
    await expect(h.esi.request('GetStatus').result()).resolves.toBeDefined();
    await expect(h.esi.request('GetUniverseRegions').result()).resolves.toBeInstanceOf(Array);
    expect(h.sim.stats()).toMatchObject({ resets: 1, truncated: 1 });
    expect(h.esi.stats().retries).toBe(2);
  });

  it('reports a network error once the connection budget is spent', async () => {
    const h = await start({
      faults: { failNext: { count: 3, with: 'reset', operationId: 'GetStatus' } },
    });
    const e = await h.esi
      .request('GetStatus')
      .result({ retries: { connection: 2 } })
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(EsiNetworkError);
    expect(e).toMatchObject({ code: 'ESIKIT_NETWORK', operation: 'GetStatus' });
  });

  it('can be aborted during a backoff wait', async () => {
    const h = await start(
      { faults: { failNext: { count: 1, with: 503, operationId: 'GetStatus' } } },
      { retries: { backoffFactor: 30, jitter: false } },
    );
    const controller = new AbortController();
    const call = h.esi.request('GetStatus').result({ signal: controller.signal });
    while (h.seen('GetStatus') < 1) await tick(10);
    await tick(50);
    controller.abort(new Error('user left'));
    const e = await call.catch((x: unknown) => x);
    expect(e).toBeInstanceOf(EsiAbortedError);
    expect(e).toMatchObject({ code: 'ESIKIT_ABORTED' });
    expect(h.seen('GetStatus')).toBe(1);
  });

  it('can be aborted while waiting for the error limit to reset', async () => {
    const h = await start({ limits: { errorLimit: 1, errorWindowSeconds: 60 } });
    await expect(
      h.esi.request('GetAlliancesAllianceId', { alliance_id: NO_ALLIANCE }).result(),
    ).rejects.toBeInstanceOf(EsiHttpError);
    const controller = new AbortController();
    const call = h.esi.request('GetUniverseRegions').result({ signal: controller.signal });
    await tick(100);
    controller.abort();
    await expect(call).rejects.toBeInstanceOf(EsiAbortedError);
    expect(h.sim.audit()).toHaveLength(1);
  });

  it('times out a slow answer', async () => {
    const h = await start({ faults: { routes: { GetStatus: { latencyMs: 400 } } } });
    const e = await h.esi
      .request('GetStatus')
      .result({ timeout: 50, retries: { connection: 0 } })
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(EsiTimeoutError);
    expect(e).toMatchObject({ code: 'ESIKIT_TIMEOUT' });
  });
});

describe('responses', () => {
  it('refuses integers beyond 2^53 instead of rounding them', async () => {
    // A real server on loopback: the simulator only sends ids ESI really uses.
    const server = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(
        '{"players":9007199254740993,"server_version":"1","start_time":"2026-01-01T00:00:00Z"}',
      );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    const esi = createEsiClient({ ...APP, baseUrl: `http://127.0.0.1:${port}` });
    try {
      const e = await esi
        .request('GetStatus')
        .result()
        .catch((x: unknown) => x);
      expect(e).toBeInstanceOf(EsiResponseError);
      expect(e).toMatchObject({ code: 'ESIKIT_UNSAFE_INTEGER' });
      expect((e as Error).message).toContain('9007199254740993');
    } finally {
      await esi.close();
      await new Promise((r) => server.close(r));
    }
  });
});
