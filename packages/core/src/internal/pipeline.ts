import type { OperationSpec } from '@esikit/spec';
import {
  EsiAbortedError,
  EsiErrorLimitedError,
  EsiHttpError,
  EsiMissingScopeError,
  EsiNetworkError,
  EsiRateLimitedError,
  EsiResponseError,
  EsiTimeoutError,
  EsiTokenRequiredError,
} from '../esi-errors.js';
import { EsikitError } from '../errors.js';
import type { ResolvedOptions, RetryOptions } from '../options.js';
import { cacheKey, entryFrom, retention, revalidated } from './cache.js';
import type { CacheEntry, CacheStore } from './cache-store.js';
import { Coalescer } from './coalesce.js';
import { ErrorLimitGovernor } from './error-limit.js';
import type { EsiClientStats, EsiRequestEvent } from './events.js';
import { parseJson } from './json.js';
import { freshResponse, httpError, toResponse } from './responses.js';
import { RateLimitGovernor, type Bucket } from './rate-limit.js';
import { backoffDelay, isRetryableStatus } from './retry.js';
import { sleep, waitUntil } from './sleep.js';
import type { Credential } from './token.js';
import { isTimeout, type RawResponse, type Transport } from './transport.js';
import { buildRequest } from './validate.js';

/** One page (one HTTP exchange at most) the handle asks for. */
export interface PageRequest {
  readonly op: OperationSpec;
  readonly params: Readonly<Record<string, unknown>> | undefined;
  readonly body: unknown;
  /** Paging parameters the client adds: page, before, after, from_id. */
  readonly extra: Readonly<Record<string, unknown>> | undefined;
  readonly credential: Credential | undefined;
  readonly language: string | undefined;
  readonly compatibilityDate: string;
  readonly ignoreCache: boolean;
  readonly retries: RetryOptions;
  /** Per-call limit (ms) for one attempt; undefined = the pool's connect/read timeouts. */
  readonly timeout: number | undefined;
  readonly signal: AbortSignal | undefined;
}

/**
 * A response as the with-response form shows it.
 *
 * @example
 * const { data, expires, fromCache } = await esi.Status.getStatus().resultWithResponse();
 */
export interface EsiResponse<T> {
  readonly data: T;
  /** HTTP status of the response the data came from (a revalidated entry keeps its 200). */
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly etag: string | undefined;
  /** Epoch ms (client clock) until which the data is fresh. */
  readonly expires: number | undefined;
  readonly lastModified: string | undefined;
  /** `X-Pages`, for paged routes. */
  readonly pages: number | undefined;
  /** True when no body was downloaded: a cache hit or a `304`. */
  readonly fromCache: boolean;
}

type Outcome = {
  response: EsiResponse<unknown>;
  source: EsiRequestEvent['source'];
  status: number | undefined;
  attempts: number;
};

/**
 * The request path, composed in one place: validate → cache → coalesce → (error-limit and
 * rate-limit governors → send → classify → retry)* → cache. Each layer is its own module.
 */
export class Pipeline {
  readonly #o: ResolvedOptions;
  readonly #transport: Transport;
  readonly #store: CacheStore | undefined;
  readonly #flights = new Coalescer<Outcome>();
  readonly errorLimit: ErrorLimitGovernor;
  readonly rateLimits = new RateLimitGovernor();
  readonly stats: EsiClientStats = {
    requests: 0,
    networkRequests: 0,
    cacheHits: 0,
    notModified: 0,
    coalesced: 0,
    retries: 0,
    limitWaits: 0,
    errors: 0,
  };

  constructor(options: ResolvedOptions, transport: Transport, store: CacheStore | undefined) {
    this.#o = options;
    this.#transport = transport;
    this.#store = store;
    this.errorLimit = new ErrorLimitGovernor(options.clock, options.errorLimitThreshold);
  }

  /** Fetches one page; validation errors are thrown before anything else happens. */
  async fetch(req: PageRequest): Promise<EsiResponse<unknown>> {
    const started = this.#o.onRequest ? performance.now() : 0;
    const { op } = req;
    const built = buildRequest(op, req.params, req.body, req.extra);
    if (op.scope) {
      if (!req.credential) throw new EsiTokenRequiredError(op.id, op.scope);
      const scopes = req.credential.scopes;
      if (scopes && !scopes.includes(op.scope)) throw new EsiMissingScopeError(op.id, op.scope);
    }
    this.stats.requests += 1;
    const characterId = req.credential?.characterId;
    const cacheable = op.method === 'GET' && this.#store !== undefined;
    const key = cacheKey({
      tenant: this.#o.tenant,
      compatibilityDate: req.compatibilityDate,
      language: req.language,
      characterId,
      path: built.path,
    });
    let outcome: Outcome | undefined;
    try {
      let entry: CacheEntry | undefined;
      if (cacheable && !req.ignoreCache) {
        entry = await this.#store?.get(key);
        if (entry && entry.expires > this.#o.clock()) {
          this.stats.cacheHits += 1;
          outcome = {
            response: toResponse(entry, true),
            source: 'cache',
            status: undefined,
            attempts: 0,
          };
          return outcome.response;
        }
      }
      if (op.method !== 'GET') {
        outcome = await this.#network(
          req,
          built.path,
          built.body,
          key,
          entry,
          cacheable,
          req.signal,
        );
        return outcome.response;
      }
      // An inline arrow (not a named const): the hot path allocates as little as it can.
      // An ignoreCache caller wants a fresh copy, not a share of a normal caller's revalidation.
      const flightKey = req.ignoreCache ? `${key}|fresh` : key;
      const [promise, joined] = this.#flights.run(flightKey, req.signal, (signal) =>
        this.#network(req, built.path, built.body, key, entry, cacheable, signal),
      );
      if (joined) this.stats.coalesced += 1;
      outcome = await promise.catch((error: unknown) => {
        throw req.signal?.aborted && !(error instanceof EsikitError)
          ? new EsiAbortedError(op.id, req.signal.reason)
          : error;
      });
      if (joined) outcome = { ...outcome, source: 'coalesced' };
      return outcome.response;
    } catch (error) {
      this.stats.errors += 1;
      this.#emit(req, built.path, started, undefined, error);
      throw error;
    } finally {
      if (outcome) this.#emit(req, built.path, started, outcome, undefined);
    }
  }

  async #network(
    req: PageRequest,
    path: string,
    body: string | undefined,
    key: string,
    stale: CacheEntry | undefined,
    cacheable: boolean,
    signal: AbortSignal | undefined,
  ): Promise<Outcome> {
    const { op } = req;
    const o = this.#o;
    // ESI's buckets: application + character for authenticated routes, the source (this app)
    // for public ones, even when a token rides along.
    const subject = op.scope === undefined ? undefined : req.credential?.characterId;
    const rl = op.rateLimit;
    const bucket = this.rateLimits.bucket(
      rl?.group ?? `op:${op.id}`,
      subject,
      rl?.maxTokens ?? Number.POSITIVE_INFINITY,
      rl?.windowMs ?? 60_000,
    );
    // A POST that acts for a character (send mail, create a fleet wing…) may have happened
    // even when the answer got lost: it is never repeated. Scope-less POSTs are lookups.
    const idempotent = op.method !== 'POST' || op.scope === undefined;
    let connectionRetries = 0;
    let serverRetries = 0;
    let attempts = 0;
    try {
      for (;;) {
        let authorization: string | undefined;
        // Nothing may be awaited between the last look at the governors and the send: a token
        // source can take seconds (an SSO refresh), and a 420 or 429 met meanwhile must hold
        // this request too. So: wait, get the token, and look again until the way is clear.
        do {
          const held = this.#waitForLimits(bucket, signal);
          if (held) await held;
          if (req.credential)
            authorization = `Bearer ${await req.credential.getAccessToken(signal)}`;
        } while (req.credential && this.#blockedUntil(bucket) > o.clock());
        attempts += 1;
        const headers: Record<string, string> = {
          accept: 'application/json',
          [o.userAgentHeader]: o.userAgent,
          'x-compatibility-date': req.compatibilityDate,
          'x-tenant': o.tenant,
        };
        if (req.language !== undefined) headers['accept-language'] = req.language;
        if (stale?.etag && !req.ignoreCache) headers['if-none-match'] = stale.etag;
        if (body !== undefined) headers['content-type'] = 'application/json';
        if (authorization !== undefined) headers.authorization = authorization;
        const spend = bucket.reserve(o.clock());
        let raw: RawResponse;
        try {
          this.stats.networkRequests += 1;
          raw = await this.#transport.send({
            method: op.method,
            path: o.basePath + path,
            headers,
            body,
            signal,
            timeout: req.timeout,
          });
        } catch (error) {
          bucket.settle(spend, o.clock(), 503, {});
          if (signal?.aborted) throw error;
          if (!idempotent || connectionRetries >= req.retries.connection) {
            throw isTimeout(error)
              ? new EsiTimeoutError(op.id, req.timeout ?? this.#o.readTimeout, { cause: error })
              : new EsiNetworkError(op.id, error);
          }
          await this.#backoff(connectionRetries++, req.retries, signal);
          continue;
        }
        const now = o.clock();
        this.errorLimit.observe(raw.status, raw.headers);
        bucket.settle(spend, now, raw.status, raw.headers);
        const { status } = raw;
        if (status === 304 && stale) {
          this.stats.notModified += 1;
          const entry = revalidated(stale, raw, now, op.cacheAge);
          await this.#store?.set(key, entry, retention(entry, now));
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
            // A body cut short by a dropped connection: the same as a connection error.
            if (connectionRetries >= req.retries.connection) {
              throw new EsiResponseError(
                op.id,
                'ESIKIT_BAD_RESPONSE',
                `response (status ${status}) is not valid JSON`,
                { cause: parsed.problem.cause },
              );
            }
            await this.#backoff(connectionRetries++, req.retries, signal);
            continue;
          }
          let response: EsiResponse<unknown>;
          const entry = cacheable ? entryFrom(raw, parsed.value, now, op.cacheAge) : undefined;
          if (entry) {
            await this.#store?.set(key, entry, retention(entry, now));
            response = toResponse(entry, false);
          } else {
            // Nothing to store: skip the entry (and its byte count) and answer from the raw response.
            response = freshResponse(raw, parsed.value, now, op.cacheAge);
          }
          return { response, source: 'network', status, attempts };
        }
        if (status === 420 || status === 429) {
          if (serverRetries >= req.retries.server) {
            if (status === 420)
              throw new EsiErrorLimitedError(op.id, this.errorLimit.blockedUntil() || now);
            throw new EsiRateLimitedError(
              op.id,
              raw.headers['x-ratelimit-group'] ?? rl?.group,
              Math.max(0, (bucket.retryAt - now) / 1000),
            );
          }
          // The governors now hold every request until the reset / Retry-After; loop to wait.
          serverRetries += 1;
          this.stats.retries += 1;
          continue;
        }
        if (idempotent && isRetryableStatus(status) && serverRetries < req.retries.server) {
          await this.#backoff(serverRetries++, req.retries, signal);
          continue;
        }
        throw httpError(op, raw, req.credential);
      }
    } catch (error) {
      if (signal?.aborted && !(error instanceof EsikitError))
        throw new EsiAbortedError(op.id, signal.reason);
      throw error;
    }
  }

  /** The instant (client clock) until which the error limit or the bucket holds requests. */
  #blockedUntil(bucket: Bucket): number {
    return Math.max(this.errorLimit.blockedUntil(), bucket.blockedUntil(this.#o.clock()));
  }

  /** Returns a promise only when a governor holds the request: the common path stays sync. */
  #waitForLimits(bucket: Bucket, signal: AbortSignal | undefined): Promise<void> | undefined {
    const clock = this.#o.clock;
    const until = this.#blockedUntil(bucket);
    if (until <= clock()) return undefined;
    return (async () => {
      for (let next = until; next > clock();) {
        this.stats.limitWaits += 1;
        this.#o.logger.debug?.('esikit: waiting for ESI limits', {
          group: bucket.group,
          until: new Date(next).toISOString(),
        });
        await waitUntil(clock, next, signal);
        next = this.#blockedUntil(bucket);
      }
    })();
  }

  async #backoff(
    retry: number,
    options: RetryOptions,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    this.stats.retries += 1;
    await sleep(backoffDelay(retry, options), signal);
  }

  #emit(
    req: PageRequest,
    path: string,
    started: number,
    outcome: Outcome | undefined,
    error: unknown,
  ): void {
    const hook = this.#o.onRequest;
    if (!hook) return;
    const event: EsiRequestEvent = {
      operation: req.op.id,
      method: req.op.method,
      path,
      source: outcome?.source ?? 'error',
      status: outcome?.status ?? (error instanceof EsiHttpError ? error.status : undefined),
      attempts: outcome?.attempts ?? 0,
      durationMs: performance.now() - started,
      characterId: req.credential?.characterId,
      errorCode:
        error instanceof EsikitError
          ? error.code
          : error === undefined
            ? undefined
            : 'ESIKIT_UNKNOWN',
    };
    try {
      hook(event);
    } catch (hookError) {
      this.#o.logger.warn('esikit: the onRequest hook threw; ignoring it', {
        error: String(hookError),
      });
    }
  }
}
