import { describe, expect, it } from 'vitest';
import { NameCache } from './names.js';

describe('NameCache', () => {
  it('shares names across callers until the TTL, and one lookup between concurrent callers', async () => {
    let now = 0;
    const cache = new NameCache(1000, 10, () => now);
    const asked: number[][] = [];
    const lookup = async (ids: number[]) => {
      asked.push(ids);
      return new Map(ids.map((id) => [id, `n${id}`]));
    };
    const [a, b] = await Promise.all([
      cache.resolve([1, 2], lookup),
      cache.resolve([2, 3], lookup),
    ]);
    expect(a).toEqual(['n1', 'n2']);
    expect(b).toEqual(['n2', 'n3']);
    expect(asked).toEqual([[1, 2], [3]]);
    expect(await cache.resolve([1, 3], lookup)).toEqual(['n1', 'n3']);
    expect(asked).toHaveLength(2);
    now = 1000;
    await cache.resolve([1], lookup);
    expect(asked.at(-1)).toEqual([1]);
  });

  it('does not keep a failed lookup, and forgets the oldest when full', async () => {
    const cache = new NameCache(60_000, 2, () => 0);
    await expect(cache.resolve([1], () => Promise.reject(new Error('ESI down')))).rejects.toThrow(
      'ESI down',
    );
    const asked: number[][] = [];
    const lookup = async (ids: number[]) => {
      asked.push(ids);
      return new Map(ids.map((id) => [id, `n${id}`]));
    };
    expect(await cache.resolve([1], lookup)).toEqual(['n1']);
    await cache.resolve([2], lookup);
    await cache.resolve([3], lookup);
    await cache.resolve([1], lookup);
    expect(asked).toEqual([[1], [2], [3], [1]]);
  });
});
