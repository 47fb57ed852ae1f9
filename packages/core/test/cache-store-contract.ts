// The contract every CacheStore must meet; run it against each implementation.
import { describe, expect, it } from 'vitest';
import type { CacheEntry, CacheStore } from '../src/index.js';

export function entry(size: number, data: unknown = { size }): CacheEntry {
  return {
    data,
    status: 200,
    etag: `"e${size}"`,
    expires: 1000,
    lastModified: undefined,
    pages: undefined,
    headers: {},
    size,
  };
}

export function cacheStoreContract(name: string, make: () => CacheStore): void {
  describe(`CacheStore contract: ${name}`, () => {
    it('returns what was set, and nothing for unknown keys', async () => {
      const store = make();
      expect(await store.get('missing')).toBeUndefined();
      await store.set('k', entry(10, ['a']), 60_000);
      expect(await store.get('k')).toEqual(entry(10, ['a']));
    });

    it('replaces an entry set again under the same key', async () => {
      const store = make();
      await store.set('k', entry(1), 60_000);
      await store.set('k', entry(2), 60_000);
      expect((await store.get('k'))?.size).toBe(2);
    });

    it('keeps keys apart', async () => {
      const store = make();
      await store.set('a', entry(1), 60_000);
      await store.set('b', entry(2), 60_000);
      expect((await store.get('a'))?.size).toBe(1);
      expect((await store.get('b'))?.size).toBe(2);
    });

    it('forgets an entry after its retention', async () => {
      const store = make();
      await store.set('short', entry(1), 20);
      await new Promise((r) => setTimeout(r, 60));
      expect(await store.get('short')).toBeUndefined();
    });

    it('deletes on request', async () => {
      const store = make();
      await store.set('k', entry(1), 60_000);
      await store.delete?.('k');
      if (store.delete) expect(await store.get('k')).toBeUndefined();
    });
  });
}
