import { describe, expect, it } from 'vitest';
import { cacheStoreContract } from '../test/cache-store-contract.js';
import { harnessPerTest } from '../test/helpers.js';
import { EsiHttpError, type CacheEntry, type CacheStore } from './index.js';

/** A store with promise-returning methods, like a Redis-backed one, over a Map. */
class AsyncMapStore implements CacheStore {
  readonly map = new Map<string, { entry: CacheEntry; until: number }>();
  gets = 0;
  async get(key: string): Promise<CacheEntry | undefined> {
    this.gets += 1;
    await new Promise((r) => setImmediate(r));
    const hit = this.map.get(key);
    if (!hit || hit.until <= Date.now()) return undefined;
    // Serialised like a remote store would: callers never share objects with it.
    return JSON.parse(JSON.stringify(hit.entry)) as CacheEntry;
  }
  async set(key: string, entry: CacheEntry, ttlMs: number): Promise<void> {
    await new Promise((r) => setImmediate(r));
    this.map.set(key, {
      entry: JSON.parse(JSON.stringify(entry)) as CacheEntry,
      until: Date.now() + ttlMs,
    });
  }
  async delete(key: string): Promise<void> {
    this.map.delete(key);
  }
}

cacheStoreContract('an async store (promise-returning get/set)', () => new AsyncMapStore());

// One simulator per test; it must count no citizenship violation.
const start = harnessPerTest();

describe('a pluggable async cache store', () => {
  it('serves the cache window from it and revalidates through it', async () => {
    const store = new AsyncMapStore();
    const h = await start({}, { cache: store });
    const first = await h.esi.request('GetAlliances').result();
    const again = await h.esi.request('GetAlliances').resultWithResponse();
    expect(again.fromCache).toBe(true);
    expect(again.data).toEqual(first);
    expect(h.seen('GetAlliances')).toBe(1);
    expect(store.gets).toBe(2);
    expect([...store.map.keys()].some((k) => k.endsWith('|/alliances'))).toBe(true);
  });
});

describe('writes', () => {
  it('never repeats a POST that acts for a character, even on a 503', async () => {
    const h = await start({
      faults: {
        failNext: { count: 1, with: 503, operationId: 'PostCharactersCharacterIdMailLabels' },
      },
    });
    const t = await h.token(0, ['esi-mail.organize_mail.v1']);
    const e = await h.esi
      .request(
        'PostCharactersCharacterIdMailLabels',
        { character_id: t.characterId },
        { token: t.accessToken, body: { name: 'Intel' } },
      )
      .result()
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(EsiHttpError);
    expect((e as EsiHttpError).status).toBe(503);
    expect(h.seen('PostCharactersCharacterIdMailLabels')).toBe(1);
  });

  it('retries a scope-less POST lookup like a GET', async () => {
    const h = await start({
      faults: { failNext: { count: 1, with: 503, operationId: 'PostUniverseNames' } },
    });
    const names = await h.esi.request('PostUniverseNames', {}, { body: [30000142] }).result();
    expect(Array.isArray(names)).toBe(true);
    expect(h.seen('PostUniverseNames')).toBe(2);
  });

  it('does not cache writes', async () => {
    const h = await start();
    const t = await h.token(0, ['esi-mail.organize_mail.v1']);
    const call = () =>
      h.esi
        .request(
          'PostCharactersCharacterIdMailLabels',
          { character_id: t.characterId },
          { token: t.accessToken, body: { name: 'Intel' } },
        )
        .result();
    await call();
    await call();
    expect(h.seen('PostCharactersCharacterIdMailLabels')).toBe(2);
  });
});

describe('ignoreCache', () => {
  it('asks ESI even when the cache could answer, without If-None-Match, and refreshes the entry', async () => {
    // Races carry no Expires, so asking again is not a cache-window violation.
    const h = await start();
    await h.esi.request('GetUniverseRaces').result();
    const fresh = await h.esi.request('GetUniverseRaces').resultWithResponse({ ignoreCache: true });
    expect(fresh.fromCache).toBe(false);
    const audit = h.sim.audit();
    expect(audit.map((e) => e.status)).toEqual([200, 200]);
    expect(audit[1]?.ifNoneMatch).toBeUndefined();
  });
});

describe('without a cache', () => {
  it('still pages results() from the response headers', async () => {
    const h = await start({ pages: { GetMarketsRegionIdOrders: 4 } }, { cache: false });
    const all = await h.esi
      .request('GetMarketsRegionIdOrders', { region_id: 10000002 })
      .resultsWithResponse();
    expect(all.pages).toBe(4);
    expect(all.expires).toBeGreaterThan(h.sim.clock.now());
    // Four responses joined: a weak ETag made from the four.
    expect(all.etag).toMatch(/^W\/"/);
    expect(h.seen('GetMarketsRegionIdOrders')).toBe(4);
  });
});
