import type { LRUCache } from 'lru-cache';
import { lruCache } from './lazy.js';

/**
 * One cached ESI response. Plain JSON data, so remote stores can serialise it as it is.
 * `expires` is epoch milliseconds on the client's clock; entries outlive it (with their ETag)
 * so the next request can revalidate with `If-None-Match` instead of downloading again.
 *
 * @example
 * const entry = await store.get(key); if (entry && entry.expires > Date.now()) use(entry.data);
 */
export interface CacheEntry {
  readonly data: unknown;
  readonly status: number;
  readonly etag: string | undefined;
  readonly expires: number;
  readonly lastModified: string | undefined;
  /** `X-Pages` of the response, for paged routes. */
  readonly pages: number | undefined;
  /** The response headers the caller can see in the with-response form. */
  readonly headers: Readonly<Record<string, string>>;
  /** Size of the response body in bytes, for byte-bounded stores. */
  readonly size: number;
}

/**
 * Where the client keeps responses. `get`/`set` may be synchronous or return promises; `ttlMs`
 * is how long to keep the entry at all (longer than its freshness, for revalidation).
 *
 * @example
 * const store: CacheStore = { get: (k) => map.get(k), set: (k, v) => void map.set(k, v) };
 */
export interface CacheStore {
  get(key: string): CacheEntry | undefined | Promise<CacheEntry | undefined>;
  set(key: string, entry: CacheEntry, ttlMs: number): void | Promise<void>;
  delete?(key: string): void | Promise<void>;
}

/**
 * Options of {@link MemoryCacheStore}.
 *
 * @example
 * new MemoryCacheStore({ maxSize: 16 * 1024 * 1024 })
 */
export interface MemoryCacheStoreOptions {
  /** Upper bound of the bodies kept, in bytes. @default 67108864 (64 MiB) */
  readonly maxSize?: number;
}

/**
 * The default store: an in-process LRU bounded by body bytes.
 *
 * @example
 * createEsiClient({ cache: new MemoryCacheStore({ maxSize: 16 * 1024 * 1024 }) })
 */
export class MemoryCacheStore implements CacheStore {
  readonly #maxSize: number;
  // Made with the first entry asked for or stored (lru-cache loads with it): a client that only
  // builds a schema or a router never needs it.
  #made: LRUCache<string, CacheEntry> | undefined;

  constructor(options: MemoryCacheStoreOptions = {}) {
    const maxSize = options.maxSize ?? 64 * 1024 * 1024;
    if (!Number.isSafeInteger(maxSize) || maxSize < 1) {
      throw new RangeError(
        `MemoryCacheStore: maxSize must be a positive integer of bytes, got ${String(maxSize)}`,
      );
    }
    this.#maxSize = maxSize;
  }

  #make(): LRUCache<string, CacheEntry> {
    const LRU = lruCache();
    return (this.#made = new LRU<string, CacheEntry>({
      maxSize: this.#maxSize,
      // Key and bookkeeping cost something too; never report 0, lru-cache refuses it.
      sizeCalculation: (entry, key) => entry.size + key.length + 256,
      ttlAutopurge: false,
    }));
  }

  get(key: string): CacheEntry | undefined {
    return this.#made?.get(key);
  }

  set(key: string, entry: CacheEntry, ttlMs: number): void {
    if (entry.size + key.length + 256 > this.#maxSize) return;
    (this.#made ?? this.#make()).set(key, entry, { ttl: Math.max(1, Math.ceil(ttlMs)) });
  }

  delete(key: string): void {
    this.#made?.delete(key);
  }

  /** Bytes currently held (bodies plus bookkeeping). */
  get size(): number {
    return this.#made?.calculatedSize ?? 0;
  }
}
