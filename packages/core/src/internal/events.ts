/**
 * What happened to one request, passed to the `onRequest` hook. Never contains the token.
 *
 * @example
 * createEsiClient({ onRequest: (e) => metrics.observe(e.operation, e.source, e.durationMs) })
 */
export interface EsiRequestEvent {
  readonly operation: string;
  readonly method: string;
  /** Path with query, e.g. `/markets/10000002/orders?order_type=all&page=2`. */
  readonly path: string;
  /** `cache`: answered from the cache; `revalidated`: ESI said 304; `network`: a fresh body; `coalesced`: shared another caller's request; `error`: failed. */
  readonly source: 'cache' | 'revalidated' | 'network' | 'coalesced' | 'error';
  /** HTTP status of the last attempt (undefined for pure cache hits and network failures). */
  readonly status: number | undefined;
  /** Network attempts made (0 for cache hits). */
  readonly attempts: number;
  readonly durationMs: number;
  readonly characterId: number | undefined;
  /** The error `code` when the request failed. */
  readonly errorCode: string | undefined;
}

/**
 * Counters since the client was created.
 *
 * @example
 * const { cacheHits, notModified } = esi.stats();
 */
export interface EsiClientStats {
  /** Requests asked of the client (one per page). */
  requests: number;
  /** HTTP requests actually sent. */
  networkRequests: number;
  /** Answered from the cache without a request. */
  cacheHits: number;
  /** `304 Not Modified` answers (revalidations that saved a download). */
  notModified: number;
  /** Requests that shared an identical request in flight. */
  coalesced: number;
  retries: number;
  /** Times a request waited for the error limit or a rate-limit bucket. */
  limitWaits: number;
  errors: number;
}

/** Counters of a client that has sent nothing yet: all zero, a new object each time. */
export function zeroStats(): EsiClientStats {
  return {
    requests: 0,
    networkRequests: 0,
    cacheHits: 0,
    notModified: 0,
    coalesced: 0,
    retries: 0,
    limitWaits: 0,
    errors: 0,
  };
}
