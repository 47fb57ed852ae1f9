import type { OperationSpec } from '@esikit/spec';
import type { AccessTokenSource } from './auth.js';
import { EsiAbortedError, EsiOptionError, EsiValidationError } from './esi-errors.js';
import { EsikitError } from './errors.js';
import type { RetryOptions } from './options.js';
import { checkPagingParams, checkRetries, checkTimeout } from './internal/call-options.js';
import {
  CursorIterator,
  cursorParts,
  fromIdIterator,
  type FromIdOptions,
} from './internal/cursor.js';
import { describeValue } from './internal/describe.js';
import { joinResponses } from './internal/join.js';
import { collectPages, streamPages, type PageResponse } from './internal/pages.js';
import type { EsiResponse, PageRequest } from './internal/pipeline.js';
import { toCredential, type Credential } from './internal/token.js';
import type {
  EsiCursorOptions,
  EsiCursorPageOptions,
  EsiPageOptions,
  EsiResultOptions,
} from './types.js';

/** What a handle needs from its client. */
export interface HandleContext {
  /** The client's pipeline (loaded with the first request). */
  fetch(req: PageRequest): Promise<EsiResponse<unknown>>;
  readonly retries: RetryOptions;
  readonly readTimeout: number;
  readonly pageConcurrency: number;
  readonly clock: () => number;
  /** Resolves the operation (the table may be loaded lazily from `specFile`). */
  operation(id: string): OperationSpec | Promise<OperationSpec>;
  languages(): Promise<readonly string[]>;
  /** Returns the language when the spec knows it, else throws naming it. */
  checkLanguage(op: OperationSpec, language: string): string;
  compatibilityDate(op: OperationSpec, override: string | undefined): string;
}

export interface RawCallOptions {
  /** A raw string goes through the client's raw-token policy (see `EsiToken`). */
  readonly token?: string | AccessTokenSource;
  readonly body?: unknown;
  readonly compatibilityDate?: string;
}

/** What `cursorPage()` adds to the response (typed per operation as `EsiCursorPage`). */
interface CursorPageFields {
  readonly records: unknown[];
  readonly before: string | undefined;
  readonly after: string | undefined;
}

/**
 * The untyped handle; `types.ts` gives it its per-operation type. Its methods work unbound
 * (`const { result } = handle`).
 */
export class RequestHandle {
  readonly #ctx: HandleContext;
  readonly #id: string;
  readonly #params: Readonly<Record<string, unknown>> | undefined;
  readonly #call: RawCallOptions;
  #credential: Credential | undefined;
  #paramsChecked = false;

  constructor(
    ctx: HandleContext,
    id: string,
    params: Readonly<Record<string, unknown>> | undefined,
    call: RawCallOptions | undefined,
  ) {
    this.#ctx = ctx;
    this.#id = id;
    this.#params = params;
    this.#call = call ?? {};
  }

  // The public methods are getters handing out a bound function, so `const { result } = handle`
  // works. Not arrow-function fields: those would allocate every method for every handle (and,
  // run through tsx, define each one's name) where a call uses one.
  get result(): (options?: EsiResultOptions) => Promise<unknown> {
    return this.#result.bind(this);
  }
  get resultWithResponse(): (options?: EsiResultOptions) => Promise<EsiResponse<unknown>> {
    return this.#resultWithResponse.bind(this);
  }
  get results(): (options?: EsiPageOptions) => Promise<unknown> {
    return this.#results.bind(this);
  }
  get resultsWithResponse(): (options?: EsiPageOptions) => Promise<EsiResponse<unknown>> {
    return this.#resultsWithResponse.bind(this);
  }
  get resultsLocalized(): (
    languages?: readonly string[],
    options?: Omit<EsiPageOptions, 'language'>,
  ) => Promise<Record<string, unknown>> {
    return this.#resultsLocalized.bind(this);
  }
  get cursor(): (options?: EsiCursorOptions) => CursorIterator<unknown> {
    return this.#cursor.bind(this);
  }
  get cursorPage(): (
    options?: EsiCursorPageOptions,
  ) => Promise<EsiResponse<unknown> & CursorPageFields> {
    return this.#cursorPage.bind(this);
  }
  get fromId(): (options?: EsiPageOptions & FromIdOptions) => AsyncIterable<unknown> {
    return this.#fromId.bind(this);
  }
  get pages(): (options?: EsiPageOptions) => AsyncIterable<PageResponse> {
    return this.#pages.bind(this);
  }

  async #result(options: EsiResultOptions = {}): Promise<unknown> {
    return (await this.#resultWithResponse(options)).data;
  }

  async #resultWithResponse(options: EsiResultOptions = {}): Promise<EsiResponse<unknown>> {
    const op = await this.#ctx.operation(this.#id);
    if (options.page !== undefined) {
      if (op.pagination !== 'pages')
        throw new EsiValidationError(op.id, 'page', 'applies only to X-Pages routes');
      if (!Number.isSafeInteger(options.page) || options.page < 1)
        throw new EsiValidationError(
          op.id,
          'page',
          `must be an integer ≥ 1, got ${String(options.page)}`,
        );
      // Page 1 is sent without `page` so result() and results() share its cache entry.
      return this.#fetch(op, options.page === 1 ? undefined : { page: options.page }, options);
    }
    return this.#fetch(op, undefined, options);
  }

  async #results(options: EsiPageOptions = {}): Promise<unknown> {
    return (await this.#resultsWithResponse(options)).data;
  }

  async #resultsWithResponse(options: EsiPageOptions = {}): Promise<EsiResponse<unknown>> {
    const op = await this.#ctx.operation(this.#id);
    try {
      return await this.#all(op, options);
    } catch (error) {
      // Waits between pages (a new cache window) end with the signal's own reason.
      if (options.signal?.aborted && !(error instanceof EsikitError))
        throw new EsiAbortedError(op.id, options.signal.reason);
      throw error;
    }
  }

  async #all(op: OperationSpec, options: EsiPageOptions): Promise<EsiResponse<unknown>> {
    switch (op.pagination) {
      case 'none':
        return this.#fetch(op, undefined, options);
      case 'pages': {
        const { pages, data } = await collectPages(
          // Each page gets the walk's signal: a failed page stops the pages still in flight.
          (page, signal) =>
            this.#fetch(
              op,
              page === 1 ? undefined : { page },
              signal === undefined || signal === options.signal ? options : { ...options, signal },
            ),
          {
            operation: op.id,
            concurrency: this.#ctx.pageConcurrency,
            clock: this.#ctx.clock,
            signal: options.signal,
          },
        );
        return joinResponses(pages, data);
      }
      // A walk spans many responses: its with-response form describes the walk (all records,
      // and for cursors the token to resume from) by the rule of joinResponses.
      case 'from_id': {
        const responses: EsiResponse<unknown>[] = [];
        const items: unknown[] = [];
        for await (const item of this.#fromIdWalk(options, responses)) items.push(item);
        return joinResponses(responses, items);
      }
      case 'cursor': {
        const responses: EsiResponse<unknown>[] = [];
        const items: unknown[] = [];
        const walk = this.#cursorWalk(options, responses);
        for await (const item of walk) items.push(item);
        return joinResponses(responses, {
          [walk.listKey ?? 'records']: items,
          cursor: { after: walk.after },
        });
      }
    }
  }

  async #resultsLocalized(
    languages?: readonly string[],
    options: Omit<EsiPageOptions, 'language'> = {},
  ): Promise<Record<string, unknown>> {
    const all = await this.#ctx.languages();
    const list: readonly string[] = languages ?? all;
    if (!(list instanceof Array) || list.length === 0)
      throw new EsiOptionError('languages', list, `a non-empty list of ${all.join(', ')}`);
    const results = await Promise.all(
      list.map((language) => this.#results({ ...options, language })),
    );
    return Object.fromEntries(list.map((language, i) => [language, results[i]]));
  }

  #cursor(options: EsiCursorOptions = {}): CursorIterator<unknown> {
    return this.#cursorWalk(options, undefined);
  }

  #fromId(options: EsiPageOptions & FromIdOptions = {}): AsyncIterable<unknown> {
    return { [Symbol.asyncIterator]: () => this.#fromIdWalk(options, undefined) };
  }

  async #cursorPage(
    options: EsiCursorPageOptions = {},
  ): Promise<EsiResponse<unknown> & CursorPageFields> {
    const op = await this.#walkOp('cursor', 'cursorPage');
    const { before, after } = options;
    for (const [name, token] of [
      ['before', before],
      ['after', after],
    ] as const) {
      if (token !== undefined && (typeof token !== 'string' || token === ''))
        throw new EsiValidationError(
          op.id,
          name,
          `must be a cursor token from an earlier page, got ${describeValue(token)}`,
        );
    }
    if (before !== undefined && after !== undefined)
      throw new EsiValidationError(
        op.id,
        'before',
        'and after cannot both be given: before goes back, after goes forward',
      );
    const res = await this.#fetch(
      op,
      before !== undefined ? { before } : after !== undefined ? { after } : {},
      options,
    );
    const parts = cursorParts(res.data, op.id);
    return { ...res, records: parts.list, before: parts.before, after: parts.after ?? after };
  }

  #pages(options: EsiPageOptions = {}): AsyncIterable<PageResponse> {
    return { [Symbol.asyncIterator]: () => this.#pageStream(options) };
  }

  async *#pageStream(options: EsiPageOptions): AsyncGenerator<PageResponse> {
    const op = await this.#ctx.operation(this.#id);
    if (op.pagination !== 'pages')
      throw new EsiValidationError(
        op.id,
        'pages',
        `is not an X-Pages route (pagination: ${op.pagination})`,
      );
    try {
      yield* streamPages(
        (page, signal) =>
          this.#fetch(
            op,
            page === 1 ? undefined : { page },
            signal === undefined || signal === options.signal ? options : { ...options, signal },
          ),
        {
          operation: op.id,
          concurrency: this.#ctx.pageConcurrency,
          clock: this.#ctx.clock,
          signal: options.signal,
        },
      );
    } catch (error) {
      // A wait for the next window ends with the signal's own reason.
      if (options.signal?.aborted && !(error instanceof EsikitError))
        throw new EsiAbortedError(op.id, options.signal.reason);
      throw error;
    }
  }

  /** The op, checked to page the way a walk expects. */
  async #walkOp(kind: 'cursor' | 'from_id', method: string): Promise<OperationSpec> {
    const op = await this.#ctx.operation(this.#id);
    if (op.pagination !== kind)
      throw new EsiValidationError(
        op.id,
        method,
        `is not a ${kind} route (pagination: ${op.pagination})`,
      );
    return op;
  }

  /** A cursor walk; `seen` collects its responses (for the joined metadata of results()). */
  #cursorWalk(
    options: EsiCursorOptions,
    seen: EsiResponse<unknown>[] | undefined,
  ): CursorIterator<unknown> {
    return new CursorIterator(
      async (extra) => {
        const res = await this.#fetch(await this.#walkOp('cursor', 'cursor'), extra, options);
        seen?.push(res);
        return res;
      },
      this.#id,
      options.after,
    );
  }

  #fromIdWalk(
    options: EsiPageOptions & FromIdOptions,
    seen: EsiResponse<unknown>[] | undefined,
  ): AsyncGenerator<unknown> {
    const fetch = async (
      extra: Readonly<Record<string, unknown>>,
    ): Promise<EsiResponse<unknown>> => {
      const res = await this.#fetch(await this.#walkOp('from_id', 'fromId'), extra, options);
      seen?.push(res);
      return res;
    };
    return fromIdIterator<unknown>(fetch, this.#id, options);
  }

  #fetch(
    op: OperationSpec,
    extra: Readonly<Record<string, unknown>> | undefined,
    options: EsiPageOptions,
  ): Promise<EsiResponse<unknown>> {
    const ctx = this.#ctx;
    // A cache hit would answer even after an abort: a walk must stop at its next page instead.
    if (options.signal?.aborted)
      return Promise.reject(new EsiAbortedError(op.id, options.signal.reason));
    if (!this.#paramsChecked) {
      checkPagingParams(op, this.#params);
      this.#paramsChecked = true;
    }
    if (this.#credential === undefined && this.#call.token !== undefined)
      this.#credential = toCredential(op.id, this.#call.token);
    const req: PageRequest = {
      op,
      params: this.#params,
      body: this.#call.body,
      extra,
      credential: this.#credential,
      language:
        options.language === undefined ? undefined : ctx.checkLanguage(op, options.language),
      compatibilityDate: ctx.compatibilityDate(op, this.#call.compatibilityDate),
      ignoreCache: options.ignoreCache === true,
      retries: options.retries ? { ...ctx.retries, ...checkRetries(options.retries) } : ctx.retries,
      timeout: options.timeout === undefined ? undefined : checkTimeout(options.timeout),
      signal: options.signal,
    };
    return ctx.fetch(req);
  }
}
