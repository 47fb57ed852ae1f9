import type { CacheEntry, CacheStore } from './cache-store.js';
import { Coalescer } from './coalesce.js';
import { deepFreeze } from './freeze.js';
import type { Outcome } from './pipeline.js';
import { toResponse } from './responses.js';

/** Counters the layer bumps. */
export interface LookupStats {
  cacheHits: number;
  coalesced: number;
}

/** What the layer asks of the layers below when the cache cannot answer. */
export type FetchFromNetwork = (
  stale: CacheEntry | undefined,
  signal: AbortSignal | undefined,
) => Promise<Outcome>;

/**
 * The cache + coalescing layer: the cache read and the request it may lead to are one step.
 * Identical GETs share one flight that covers the store lookup, the request and the store
 * write, so with an async store (Redis…) a second caller cannot read the store before the
 * first caller's answer is in it and then ask ESI again inside the cache window.
 *
 * Without a store (`cache: false`) only the coalescing remains.
 *
 * A synchronous store (the in-memory default) keeps the short path: a fresh hit is answered
 * without a flight, and a miss starts (or joins) one without any await in between.
 */
export class LookupLayer {
  readonly #store: CacheStore | undefined;
  readonly #clock: () => number;
  readonly #stats: LookupStats;
  readonly #flights: Coalescer<Outcome>;
  readonly #freeze: boolean;

  /** @param freeze Deep-freeze entries read from the store (option `freezeResults`). */
  constructor(
    store: CacheStore | undefined,
    clock: () => number,
    stats: LookupStats,
    freeze: boolean,
  ) {
    this.#store = store;
    this.#freeze = freeze;
    // A result several callers share is frozen before any of them sees it.
    this.#flights = new Coalescer<Outcome>(freeze ? (o) => deepFreeze(o.response) : undefined);
    this.#clock = clock;
    this.#stats = stats;
  }

  /**
   * Answers from the store or through `network`. `readCache: false` (ignoreCache) skips the read
   * and gets a flight of its own. A caller that joined another's flight gets source `coalesced`.
   */
  run(
    key: string,
    readCache: boolean,
    signal: AbortSignal | undefined,
    network: FetchFromNetwork,
  ): Outcome | Promise<Outcome> {
    if (!readCache) return this.#fly(`${key}|fresh`, signal, (s) => network(undefined, s));
    const store = this.#store;
    // Without a store identical GETs in flight are still shared.
    if (!store) return this.#fly(key, signal, (s) => network(undefined, s));
    if (!this.#flights.has(key)) {
      const got = store.get(key);
      if (!(got instanceof Promise)) {
        const entry = got === undefined ? undefined : this.#ready(got);
        if (entry && entry.expires > this.#clock()) return this.#hit(entry);
        return this.#fly(key, signal, (s) => network(entry, s));
      }
      return this.#fly(key, signal, (s) => this.#lookup(got, s, network));
    }
    // Someone is already looking this key up (or fetching it): share that.
    return this.#fly(key, signal, (s) => this.#lookup(store.get(key), s, network));
  }

  async #lookup(
    got: CacheEntry | undefined | Promise<CacheEntry | undefined>,
    signal: AbortSignal | undefined,
    network: FetchFromNetwork,
  ): Promise<Outcome> {
    const stored = await got;
    const entry = stored === undefined ? undefined : this.#ready(stored);
    if (entry && entry.expires > this.#clock()) return this.#hit(entry);
    return network(entry, signal);
  }

  /** Entries of a remote store come back as new, unfrozen objects: freeze them once here. */
  #ready(entry: CacheEntry): CacheEntry {
    return !this.#freeze || Object.isFrozen(entry) ? entry : deepFreeze(entry);
  }

  #hit(entry: CacheEntry): Outcome {
    this.#stats.cacheHits += 1;
    return { response: toResponse(entry, true), source: 'cache', status: undefined, attempts: 0 };
  }

  #fly(
    key: string,
    signal: AbortSignal | undefined,
    work: (signal: AbortSignal | undefined) => Promise<Outcome>,
  ): Promise<Outcome> {
    const [promise, joined] = this.#flights.run(key, signal, work);
    if (!joined) return promise;
    this.#stats.coalesced += 1;
    return promise.then((o) => ({ ...o, source: 'coalesced' }));
  }
}
