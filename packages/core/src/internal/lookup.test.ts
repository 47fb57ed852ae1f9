import { describe, expect, it } from 'vitest';
import type { CacheEntry, CacheStore } from './cache-store.js';
import { MemoryCacheStore } from './cache-store.js';
import { LookupLayer } from './lookup.js';
import type { Outcome } from './pipeline.js';
import { toResponse } from './responses.js';

const NOW = 1_000_000;

function entry(data: unknown, expires = NOW + 60_000): CacheEntry {
  return {
    data,
    status: 200,
    etag: '"e"',
    expires,
    lastModified: undefined,
    pages: undefined,
    headers: {},
    size: 1,
  };
}

function outcome(e: CacheEntry): Outcome {
  return { response: toResponse(e, false), source: 'network', status: 200, attempts: 1 };
}

/** A store whose reads take a while and see the data as it was when asked. */
class SlowStore implements CacheStore {
  readonly map = new Map<string, CacheEntry>();
  gets = 0;
  async get(key: string): Promise<CacheEntry | undefined> {
    this.gets += 1;
    const hit = this.map.get(key);
    await new Promise((r) => setTimeout(r, 20));
    return hit && (JSON.parse(JSON.stringify(hit)) as CacheEntry);
  }
  async set(key: string, value: CacheEntry): Promise<void> {
    this.map.set(key, value);
  }
}

const stats = () => ({ cacheHits: 0, coalesced: 0 });

describe('LookupLayer', () => {
  it('answers a fresh entry of a synchronous store without a promise', () => {
    const store = new MemoryCacheStore();
    store.set('k', Object.freeze(entry([1])), 60_000);
    const s = stats();
    const layer = new LookupLayer(store, () => NOW, s, true);
    const got = layer.run('k', true, undefined, () => Promise.reject(new Error('no network')));
    expect(got).not.toBeInstanceOf(Promise);
    expect((got as Outcome).source).toBe('cache');
    expect(s.cacheHits).toBe(1);
  });

  it('makes the lookup of an async store and the request one flight', async () => {
    const store = new SlowStore();
    const s = stats();
    const layer = new LookupLayer(store, () => NOW, s, true);
    let fetched = 0;
    const network = async (): Promise<Outcome> => {
      fetched += 1;
      const e = entry(['fresh']);
      await store.set('k', e);
      return outcome(e);
    };
    const all = await Promise.all(
      Array.from({ length: 5 }, async () => layer.run('k', true, undefined, network)),
    );
    expect(fetched).toBe(1);
    expect(store.gets).toBe(1);
    expect(all.filter((o) => o.source === 'coalesced')).toHaveLength(4);
    // Shared by five callers: frozen before any of them saw it.
    expect(Object.isFrozen(all[0]!.response)).toBe(true);
    expect(Object.isFrozen(all[0]!.response.data)).toBe(true);
    expect(s.coalesced).toBe(4);
  });

  it('hands a stale entry to the network for revalidation, frozen', async () => {
    const store = new SlowStore();
    store.map.set('k', entry({ n: [1] }, NOW - 1));
    const layer = new LookupLayer(store, () => NOW, stats(), true);
    let stale: CacheEntry | undefined;
    await layer.run('k', true, undefined, async (s) => {
      stale = s;
      return outcome(entry(null));
    });
    expect(stale?.etag).toBe('"e"');
    expect(Object.isFrozen((stale?.data as { n: number[] }).n)).toBe(true);
  });

  it('ignoreCache reads nothing and does not join a normal flight', async () => {
    const store = new SlowStore();
    store.map.set('k', entry(['cached']));
    const layer = new LookupLayer(store, () => NOW, stats(), true);
    let fetched = 0;
    const network = async (): Promise<Outcome> => ((fetched += 1), outcome(entry(['net'])));
    const [a, b] = await Promise.all([
      layer.run('k', true, undefined, network),
      layer.run('k', false, undefined, network),
    ]);
    expect(a.source).toBe('cache');
    expect(b.source).toBe('network');
    expect(fetched).toBe(1);
  });

  it('without a store still shares identical requests in flight', async () => {
    const layer = new LookupLayer(undefined, () => NOW, stats(), true);
    let fetched = 0;
    const network = async (): Promise<Outcome> => {
      fetched += 1;
      await new Promise((r) => setTimeout(r, 10));
      return outcome(entry(null));
    };
    const [a] = await Promise.all([
      layer.run('k', true, undefined, network),
      layer.run('k', true, undefined, network),
    ]);
    expect(fetched).toBe(1);
    expect(Object.isFrozen(a.response)).toBe(true);
    // A flight nobody joined hands its result to its one caller as it is.
    const alone = await layer.run('k', true, undefined, network);
    expect(Object.isFrozen(alone.response)).toBe(false);
  });
});
