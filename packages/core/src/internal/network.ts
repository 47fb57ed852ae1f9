import {
  EsiErrorLimitedError,
  EsiNetworkError,
  EsiRateLimitedError,
  EsiResponseError,
  EsiTimeoutError,
} from '../esi-errors.js';
import type { ResolvedOptions, RetryOptions } from '../options.js';
import { entryFrom, retention, revalidated } from './cache.js';
import type { CacheEntry, CacheStore } from './cache-store.js';
import type { DispatchGate } from './dispatch.js';
import type { ErrorLimitGovernor } from './error-limit.js';
import { exchange, SendFailure, type ExchangeRequest } from './exchange.js';
import { deepFreeze } from './freeze.js';
import { parseJson } from './json.js';
import type { EsiResponse, Outcome } from './pipeline.js';
import { freshResponse, httpError, toResponse } from './responses.js';
import { backoffDelay, isRetryableStatus } from './retry.js';
import { sleep } from './sleep.js';
import { isTimeout, type Transport } from './transport.js';

/** Per-request settings of the network layer (per-call options already merged over the client's). */
export interface NetworkRequest extends ExchangeRequest {
  readonly retries: RetryOptions;
  /** Cache key, when the answer is to be stored. */
  readonly storeKey: string | undefined;
  /** The stored entry to revalidate with `If-None-Match`. */
  readonly stale: CacheEntry | undefined;
}

/** Counters the layer bumps. */
export interface NetworkStats {
  networkRequests: number;
  notModified: number;
  retries: number;
}

/**
 * The retry/backoff layer over {@link exchange}: classifies each answer (304, 2xx, 420/429,
 * retryable 5xx, other errors), stores what is cacheable, and decides whether to try again.
 *
 * A write that acts for a character (POST/PUT/DELETE with a scope) is never sent twice once
 * ESI may have acted on it: it is retried only after a 420/429 (ESI refused it unseen) or a
 * connection that was never made; a reset, a timeout, a 5xx or a 2xx with an unreadable body
 * end it with an error.
 */
export class NetworkLayer {
  readonly #o: ResolvedOptions;
  readonly #gate: DispatchGate;
  readonly #transport: Transport;
  readonly #store: CacheStore | undefined;
  readonly #errorLimit: ErrorLimitGovernor;
  readonly #stats: NetworkStats;

  constructor(
    options: ResolvedOptions,
    gate: DispatchGate,
    transport: Transport,
    store: CacheStore | undefined,
    errorLimit: ErrorLimitGovernor,
    stats: NetworkStats,
  ) {
    this.#o = options;
    this.#gate = gate;
    this.#transport = transport;
    this.#store = store;
    this.#errorLimit = errorLimit;
    this.#stats = stats;
  }

  async run(req: NetworkRequest, signal: AbortSignal | undefined): Promise<Outcome> {
    const { op } = req;
    const acting = op.method !== 'GET' && op.scope !== undefined;
    let connectionRetries = 0;
    let serverRetries = 0;
    let attempts = 0;
    for (;;) {
      attempts += 1;
      let raw;
      try {
        this.#stats.networkRequests += 1;
        raw = await exchange(this.#gate, this.#transport, req, signal);
      } catch (error) {
        if (!(error instanceof SendFailure)) throw error;
        if (signal?.aborted) throw error.cause;
        const retry = connectionRetries < req.retries.connection && (!acting || !error.maybeSent);
        if (!retry) {
          throw isTimeout(error.cause)
            ? new EsiTimeoutError(op.id, req.timeout ?? this.#o.readTimeout, {
                cause: error.cause,
              })
            : new EsiNetworkError(op.id, error.cause);
        }
        await this.#backoff(connectionRetries++, req.retries, signal);
        continue;
      }
      const now = this.#o.clock();
      const { status } = raw;
      if (status === 304 && req.stale) {
        this.#stats.notModified += 1;
        const entry = revalidated(req.stale, raw, now, op.cacheAge);
        if (req.storeKey !== undefined)
          await this.#store?.set(req.storeKey, entry, retention(entry, now));
        return { response: toResponse(entry, true), source: 'revalidated', status, attempts };
      }
      if (status >= 200 && status < 300) {
        const parsed =
          raw.text === '' ? ({ ok: true, value: undefined } as const) : parseJson(raw.text);
        if (!parsed.ok) {
          if (parsed.problem.kind === 'unsafe-integer') {
            throw new EsiResponseError(
              op.id,
              'ESIKIT_UNSAFE_INTEGER',
              `response holds the integer ${parsed.problem.literal}, beyond 2^53; refusing to round it`,
            );
          }
          // A body cut short by a dropped connection: the same as a connection error, except
          // for a write that acts, which ESI has carried out.
          if (acting || connectionRetries >= req.retries.connection) {
            throw new EsiResponseError(
              op.id,
              'ESIKIT_BAD_RESPONSE',
              acting
                ? `response (status ${status}) is not valid JSON; ESI accepted the request, so it is not sent again`
                : `response (status ${status}) is not valid JSON`,
              { cause: parsed.problem.cause },
            );
          }
          await this.#backoff(connectionRetries++, req.retries, signal);
          continue;
        }
        const entry =
          req.storeKey !== undefined ? entryFrom(raw, parsed.value, now, op.cacheAge) : undefined;
        let response: EsiResponse<unknown>;
        if (entry) {
          // Stored, so shared with every later caller: frozen once, here.
          if (this.#o.freezeResults) deepFreeze(entry.data);
          await this.#store?.set(req.storeKey as string, entry, retention(entry, now));
          response = toResponse(entry, false);
        } else {
          // Nothing to store: skip the entry (and its byte count) and answer from the raw
          // response. The data is this caller's alone, unless coalescing shares it (LookupLayer).
          response = freshResponse(raw, parsed.value, now, op.cacheAge);
        }
        return { response, source: 'network', status, attempts };
      }
      if (status === 420 || status === 429) {
        if (serverRetries >= req.retries.server) {
          if (status === 420)
            throw new EsiErrorLimitedError(op.id, this.#errorLimit.blockedUntil() || now);
          throw new EsiRateLimitedError(
            op.id,
            raw.headers['x-ratelimit-group'] ?? op.rateLimit?.group,
            Math.max(0, (req.bucket.retryAt - now) / 1000),
          );
        }
        // The gate now holds every request until the reset / Retry-After; loop to wait there.
        serverRetries += 1;
        this.#stats.retries += 1;
        continue;
      }
      if (!acting && isRetryableStatus(status) && serverRetries < req.retries.server) {
        await this.#backoff(serverRetries++, req.retries, signal);
        continue;
      }
      throw httpError(op, raw, req.credential);
    }
  }

  async #backoff(
    retry: number,
    options: RetryOptions,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    this.#stats.retries += 1;
    await sleep(backoffDelay(retry, options), signal);
  }
}
