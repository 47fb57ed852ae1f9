import type { OperationSpec } from '@esikit/spec';
import {
  EsiAbortedError,
  EsiHttpError,
  EsiMissingScopeError,
  EsiTokenRequiredError,
} from '../esi-errors.js';
import { EsikitError } from '../errors.js';
import type { ResolvedOptions, RetryOptions } from '../options.js';
import { cacheKey } from './cache.js';
import type { CacheEntry, CacheStore } from './cache-store.js';
import { DispatchGate } from './dispatch.js';
import { ErrorLimitGovernor } from './error-limit.js';
import { zeroStats, type EsiClientStats, type EsiRequestEvent } from './events.js';
import { LookupLayer } from './lookup.js';
import { NetworkLayer, type NetworkRequest } from './network.js';
import { RateLimitGovernor } from './rate-limit.js';
import { RawTokenPolicy, type Credential } from './token.js';
import type { Transport } from './transport.js';
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

/** How one request ended, before the hook sees it. */
export interface Outcome {
  readonly response: EsiResponse<unknown>;
  readonly source: EsiRequestEvent['source'];
  readonly status: number | undefined;
  readonly attempts: number;
}

/**
 * The request path, composed here and only here, outermost first:
 *
 * 1. validation: parameters, body, token presence, raw-token policy, scope ({@link fetch});
 * 2. cache + coalescing: one step, store lookup included ({@link LookupLayer});
 * 3. retry/backoff and answer classification ({@link NetworkLayer});
 * 4. governors at dispatch: error limit and rate-limit bucket, asked when a connection is free
 *    and the request is about to go out, for every attempt ({@link DispatchGate});
 * 5. transport: the one undici pool ({@link Transport}).
 *
 * Paging, cursor and from_id walks call {@link fetch} once per page. Per-request options
 * (retries, timeout, ignoreCache, signal) arrive in the {@link PageRequest}, already merged over
 * the client's.
 */
export class Pipeline {
  readonly #o: ResolvedOptions;
  readonly #lookup: LookupLayer;
  readonly #caching: boolean;
  readonly #network: NetworkLayer;
  readonly #tokens: RawTokenPolicy;
  readonly errorLimit: ErrorLimitGovernor;
  readonly rateLimits = new RateLimitGovernor();
  readonly gate: DispatchGate;
  readonly stats: EsiClientStats = zeroStats();

  constructor(options: ResolvedOptions, transport: Transport, store: CacheStore | undefined) {
    this.#o = options;
    this.errorLimit = new ErrorLimitGovernor(options.clock, options.errorLimitThreshold);
    this.gate = new DispatchGate(options.clock, options.connections, this.errorLimit, {
      limitWait: (group, until) => {
        this.stats.limitWaits += 1;
        options.logger.debug?.('esikit: waiting for ESI limits', {
          group,
          until: new Date(until).toISOString(),
        });
      },
    });
    this.#lookup = new LookupLayer(store, options.clock, this.stats, options.freezeResults);
    this.#caching = store !== undefined;
    this.#network = new NetworkLayer(
      options,
      this.gate,
      transport,
      store,
      this.errorLimit,
      this.stats,
    );
    this.#tokens = new RawTokenPolicy(options.tokenVerifier, options.trustRawTokens, options.clock);
  }

  /** Fetches one page; validation errors are thrown before anything else happens. */
  async fetch(req: PageRequest): Promise<EsiResponse<unknown>> {
    const started = this.#o.onRequest ? performance.now() : 0;
    const { op } = req;
    const built = buildRequest(op, req.params, req.body, req.extra);
    let credential = req.credential;
    if (op.scope && !credential) throw new EsiTokenRequiredError(op.id, op.scope);
    if (credential?.raw !== undefined) {
      const resolved = this.#tokens.resolve(op.id, credential, req.signal);
      credential = resolved instanceof Promise ? await resolved : resolved;
    }
    if (op.scope && credential?.scopes && !credential.scopes.includes(op.scope))
      throw new EsiMissingScopeError(op.id, op.scope);
    this.stats.requests += 1;
    let outcome: Outcome | undefined;
    try {
      const get = op.method === 'GET';
      const key = get
        ? cacheKey({
            tenant: this.#o.tenant,
            compatibilityDate: req.compatibilityDate,
            language: req.language,
            characterId: credential?.characterId,
            tokenTag: credential?.cacheTag,
            path: built.path,
          })
        : undefined;
      if (!get) {
        outcome = await this.#network.run(
          this.#networkRequest(req, credential, built, undefined, undefined),
          req.signal,
        );
      } else {
        // An inline arrow, not a named const: tsx/esbuild would wrap a named one on every call.
        const got = this.#lookup.run(key as string, !req.ignoreCache, req.signal, (stale, signal) =>
          this.#network.run(
            this.#networkRequest(req, credential, built, this.#caching ? key : undefined, stale),
            signal,
          ),
        );
        outcome = got instanceof Promise ? await got : got;
      }
      return outcome.response;
    } catch (error) {
      const e =
        req.signal?.aborted && !(error instanceof EsikitError)
          ? new EsiAbortedError(op.id, req.signal.reason)
          : error;
      this.stats.errors += 1;
      this.#emit(req, built.path, started, undefined, e);
      throw e;
    } finally {
      if (outcome) this.#emit(req, built.path, started, outcome, undefined);
    }
  }

  #networkRequest(
    req: PageRequest,
    credential: Credential | undefined,
    built: { path: string; body: string | undefined },
    key: string | undefined,
    stale: CacheEntry | undefined,
  ): NetworkRequest {
    const { op } = req;
    const o = this.#o;
    // ESI's buckets: application + character for authenticated routes, the source (this app)
    // for public ones, even when a token rides along.
    const rl = op.rateLimit;
    const bucket = this.rateLimits.bucket(
      rl?.group ?? `op:${op.id}`,
      op.scope === undefined ? undefined : credential?.characterId,
      rl?.maxTokens ?? Number.POSITIVE_INFINITY,
      rl?.windowMs ?? 60_000,
    );
    const headers: Record<string, string> = {
      accept: 'application/json',
      [o.userAgentHeader]: o.userAgent,
      'x-compatibility-date': req.compatibilityDate,
      'x-tenant': o.tenant,
    };
    if (req.language !== undefined) headers['accept-language'] = req.language;
    if (stale?.etag) headers['if-none-match'] = stale.etag;
    if (built.body !== undefined) headers['content-type'] = 'application/json';
    return {
      op,
      path: o.basePath + built.path,
      body: built.body,
      headers,
      credential,
      bucket,
      timeout: req.timeout,
      retries: req.retries,
      storeKey: key,
      stale,
    };
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
