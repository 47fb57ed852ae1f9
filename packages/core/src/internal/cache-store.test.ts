import { describe, expect, it } from 'vitest';
import { cacheStoreContract, entry } from '../../test/cache-store-contract.js';
import { MemoryCacheStore } from './cache-store.js';

cacheStoreContract('MemoryCacheStore', () => new MemoryCacheStore());

describe('MemoryCacheStore', () => {
  it('stays within maxSize bytes, evicting the least recently used', () => {
    const store = new MemoryCacheStore({ maxSize: 3000 });
    for (let i = 0; i < 10; i++) store.set(`k${i}`, entry(700), 60_000);
    expect(store.size).toBeLessThanOrEqual(3000);
    expect(store.get('k0')).toBeUndefined();
    expect(store.get('k9')).toBeDefined();
  });

  it('does not keep a body larger than the whole store', () => {
    const store = new MemoryCacheStore({ maxSize: 1000 });
    store.set('big', entry(5000), 60_000);
    expect(store.get('big')).toBeUndefined();
  });

  it('refuses a bad maxSize', () => {
    expect(() => new MemoryCacheStore({ maxSize: 0 })).toThrow(
      /maxSize must be a positive integer of bytes, got 0/,
    );
  });
});
