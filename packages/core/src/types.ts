import type { AccessTokenSource } from './auth.js';
import type { OperationId, Operations, Tags } from './generated/index.js';
import type { CursorIterator, FromIdOptions } from './internal/cursor.js';
import type { EsiResponse } from './internal/pipeline.js';

/**
 * An access token string, or a source that refreshes one (`@esikit/core/sso`).
 *
 * A raw string never picks a character's private cache entries on its decoded `sub` alone:
 * with the client option `tokenVerifier` it is verified first (signature, iss, aud, exp);
 * without one its cache entries are its own (ESI still verifies it when it is sent);
 * `trustRawTokens: true` opts back into trusting the decoded `sub` (tokens the app got from
 * SSO itself only). See the README, "Raw access tokens".
 *
 * @example
 * esi.request('GetCharactersCharacterIdWallet', { character_id }, { token: 'eyJ…' })
 */
export type EsiToken = string | AccessTokenSource;

/**
 * The query parameters the client sets itself when it pages an operation: `page` on X-Pages
 * routes, `before`/`after` on cursor routes, `from_id` on from_id routes.
 *
 * @example
 * const owned: EsiPagingParam<'GetFreelanceJobsListing'> = 'after';
 */
export type EsiPagingParam<Id extends OperationId> = {
  none: never;
  pages: 'page';
  cursor: 'before' | 'after';
  from_id: 'from_id';
}[Operations[Id]['pagination']];

/**
 * Parameters of an operation (path and query), typed from the spec, without the paging
 * parameters ({@link EsiPagingParam}): those are options of the handle's methods
 * (`result({ page })`, `cursorPage({ after })`…), and are refused at run time as params.
 *
 * @example
 * const params: EsiParams<'GetMarketsRegionIdOrders'> = { region_id: 10000002 };
 */
export type EsiParams<Id extends OperationId> = Omit<Operations[Id]['params'], EsiPagingParam<Id>>;
/**
 * The response body of an operation, typed from the spec.
 *
 * @example
 * const orders: EsiResult<'GetMarketsRegionIdOrders'> = await esi.Market.getMarketsRegionIdOrders({ region_id: 10000002 }).results();
 */
export type EsiResult<Id extends OperationId> = Operations[Id]['response'];

/**
 * Options of one call; they override the client's options for this call only.
 *
 * @example
 * await handle.results({ language: 'de', timeout: 5000, signal });
 */
export interface EsiPageOptions {
  /** `Accept-Language`; one of the spec's languages. */
  readonly language?: string;
  /** Milliseconds to wait for headers (and between body chunks) per attempt. @default client `timeouts.read` */
  readonly timeout?: number;
  /** Retry budget for this call. @default client `retries` */
  readonly retries?: {
    readonly connection?: number;
    readonly server?: number;
    readonly backoffFactor?: number;
    readonly jitter?: boolean;
  };
  /**
   * Do not answer from the cache and send no `If-None-Match` (django-esi's `ignore_cache`);
   * the fresh answer still replaces the cached one. Use sparingly: a request inside ESI's
   * cache window is wasted at best and can get an app banned.
   * @default false
   */
  readonly ignoreCache?: boolean;
  /** Cancels the call, including waits for limits and backoff. */
  readonly signal?: AbortSignal;
}

/**
 * Options of `result()`.
 *
 * @example
 * await esi.Market.getMarketsRegionIdOrders({ region_id: 10000002 }).result({ page: 2 });
 */
export interface EsiResultOptions extends EsiPageOptions {
  /** Page to fetch on X-Pages routes. @default 1 */
  readonly page?: number;
}

type ScopeOf<Id extends OperationId> = Operations[Id]['scope'];
type BodyOf<Id extends OperationId> = Operations[Id]['body'];

/**
 * Options of `esi.request(...)`: the credential, the body and a per-call compatibility date.
 *
 * @example
 * esi.request('PostUniverseNames', {}, { body: [30000142] })
 */
export type EsiCallOptions<Id extends OperationId> = {
  /** `X-Compatibility-Date` for this call. @default the client's date for this operation */
  readonly compatibilityDate?: string;
} & ([ScopeOf<Id>] extends [undefined]
  ? {
      /** Access token or token source (see {@link EsiToken} for how raw strings are treated). */
      readonly token?: EsiToken;
    }
  : {
      /** Access token or token source (see {@link EsiToken} for how raw strings are treated). */
      readonly token: EsiToken;
    }) &
  ([BodyOf<Id>] extends [undefined]
    ? { readonly body?: undefined }
    : { readonly body: BodyOf<Id> });

type NeedsOptions<Id extends OperationId> = [ScopeOf<Id>] extends [undefined]
  ? [BodyOf<Id>] extends [undefined]
    ? false
    : true
  : true;

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
type AllOptional<T> = {} extends T ? true : false;

/**
 * The arguments after the operation id: params (optional when nothing is required), then options.
 *
 * @example
 * function call<Id extends OperationId>(id: Id, ...args: EsiRequestArgs<Id>) { return esi.request(id, ...args); }
 */
export type EsiRequestArgs<Id extends OperationId> =
  NeedsOptions<Id> extends true
    ? [params: EsiParams<Id>, options: EsiCallOptions<Id>]
    : AllOptional<EsiParams<Id>> extends true
      ? [params?: EsiParams<Id>, options?: EsiCallOptions<Id>]
      : [params: EsiParams<Id>, options?: EsiCallOptions<Id>];

/**
 * Records of a cursor route's body (its list property).
 *
 * @example
 * type Job = CursorItem<EsiResult<'GetFreelanceJobsListing'>>;
 */
export type CursorItem<R> = {
  [K in keyof R]-?: K extends 'cursor'
    ? never
    : NonNullable<R[K]> extends readonly (infer E)[]
      ? E
      : never;
}[keyof R];

/**
 * Records of a from_id route.
 *
 * @example
 * type Tx = ListItem<EsiResult<'GetCharactersCharacterIdWalletTransactions'>>;
 */
export type ListItem<R> = R extends readonly (infer E)[] ? E : never;

/**
 * What every request handle offers. Nothing is sent until one of these is called. The methods
 * do not need their handle: `const { results } = handle` works.
 *
 * @example
 * const handle = esi.request('GetStatus'); await handle.result();
 */
export interface EsiRequestBase<Id extends OperationId> {
  /** One page (page 1 unless `page` is given). */
  readonly result: (options?: EsiResultOptions) => Promise<EsiResult<Id>>;
  /** One page with status, headers, ETag, expiry, page count and whether it came from cache. */
  readonly resultWithResponse: (options?: EsiResultOptions) => Promise<EsiResponse<EsiResult<Id>>>;
  /** Every page as one consistent snapshot, concatenated (one page on routes without paging). */
  readonly results: (options?: EsiPageOptions) => Promise<EsiResult<Id>>;
  /**
   * {@link results} with the metadata of every response it joined: the earliest `expires`, the
   * latest `lastModified`, a weak `etag` made from all pages' (a single response's own), `pages`
   * = responses joined, `fromCache` only when no page was downloaded; `status` and `headers`
   * are the first response's.
   */
  readonly resultsWithResponse: (options?: EsiPageOptions) => Promise<EsiResponse<EsiResult<Id>>>;
  /** `results()` once per language (every ESI language by default), keyed by language. */
  readonly resultsLocalized: (
    languages?: readonly string[],
    options?: Omit<EsiPageOptions, 'language'>,
  ) => Promise<Record<string, EsiResult<Id>>>;
}

/**
 * Options of a cursor walk.
 *
 * @example
 * esi.FreelanceJobs.getFreelanceJobsListing().cursor({ after: savedToken })
 */
export interface EsiCursorOptions extends EsiPageOptions {
  /** Resume from this token: only records changed since it are returned. */
  readonly after?: string;
}

/**
 * Options of a single-page cursor call: `before` for older records, `after` for newer or
 * changed ones, neither for the newest; never both.
 *
 * @example
 * await esi.FreelanceJobs.getFreelanceJobsListing().cursorPage({ before: page.before });
 */
export interface EsiCursorPageOptions extends EsiPageOptions {
  /** Token from an earlier page's `before`: the records just before it (older). */
  readonly before?: string;
  /** Token from an earlier page's `after`: the records just after it (newer or changed). */
  readonly after?: string;
}

/**
 * One answer of a cursor route: its records, the tokens to go on from, and the response's
 * metadata (`data` is the whole body).
 *
 * @example
 * const page: EsiCursorPage<EsiResult<'GetFreelanceJobsListing'>> = await handle.cursorPage();
 * const older = await handle.cursorPage({ before: page.before });
 */
export interface EsiCursorPage<R> extends EsiResponse<R> {
  /** The records of this answer (the body's list property). */
  readonly records: CursorItem<R>[];
  /** Token for the records before these (older); pass it as `cursorPage({ before })`. */
  readonly before: string | undefined;
  /**
   * Token for the records after these (newer or changed since); pass it as
   * `cursorPage({ after })` or `cursor({ after })`. When ESI sends none, the `after` asked with.
   */
  readonly after: string | undefined;
}

/**
 * One page of an X-Pages route as `pages()` yields it: the page's records as `data`, its
 * metadata, `page` its number and `pages` the total.
 *
 * @example
 * for await (const p of esi.Market.getMarketsRegionIdOrders({ region_id: 10000002 }).pages()) console.log(p.page, p.pages, p.data.length);
 */
export interface EsiPage<R> extends EsiResponse<R> {
  /** This page's number, from 1. */
  readonly page: number;
}

/**
 * A handle for one operation call; X-Pages, cursor and from_id routes add their page-wise forms.
 *
 * @example
 * const handle: EsiRequest<'GetStatus'> = esi.request('GetStatus');
 */
export type EsiRequest<Id extends OperationId> = EsiRequestBase<Id> &
  (Operations[Id]['pagination'] extends 'pages'
    ? {
        /**
         * The pages one at a time, in order, each with its metadata, all from one snapshot
         * (as `results()`); a page of another snapshot ends the walk with
         * `EsiIncompleteResultError` instead of being yielded.
         */
        readonly pages: (options?: EsiPageOptions) => AsyncIterable<EsiPage<EsiResult<Id>>>;
      }
    : unknown) &
  (Operations[Id]['pagination'] extends 'cursor'
    ? {
        /** Walks the route (see {@link CursorIterator}). */
        readonly cursor: (options?: EsiCursorOptions) => CursorIterator<CursorItem<EsiResult<Id>>>;
        /** One request: the records of one answer and the tokens to continue from. */
        readonly cursorPage: (
          options?: EsiCursorPageOptions,
        ) => Promise<EsiCursorPage<EsiResult<Id>>>;
      }
    : unknown) &
  (Operations[Id]['pagination'] extends 'from_id'
    ? {
        readonly fromId: (
          options?: EsiPageOptions & FromIdOptions,
        ) => AsyncIterable<ListItem<EsiResult<Id>>>;
      }
    : unknown);

/**
 * `esi.Market.getMarketsRegionIdOrders(params, options)` and friends, for one tag.
 *
 * @example
 * const market: EsiTagApi<'Market'> = esi.Market;
 */
export type EsiTagApi<T extends keyof Tags> = {
  readonly [M in keyof Tags[T]]: Tags[T][M] extends OperationId
    ? (...args: EsiRequestArgs<Tags[T][M]>) => EsiRequest<Tags[T][M]>
    : never;
};

/**
 * Every tag of the spec as a property of the client.
 *
 * @example
 * esi.Universe.getUniverseRaces()
 */
export type EsiTagApis = { readonly [T in keyof Tags]: EsiTagApi<T> };
