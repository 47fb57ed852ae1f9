import type { OperationSpec } from '@esikit/spec';
import type { AccessTokenSource } from './auth.js';
import { EsiAbortedError, EsiOptionError, EsiValidationError } from './esi-errors.js';
import { EsikitError } from './errors.js';
import type { RetryOptions } from './options.js';
import { CursorIterator, fromIdIterator, type FromIdOptions } from './internal/cursor.js';
import { joinResponses } from './internal/join.js';
import { collectPages } from './internal/pages.js';
import type { EsiResponse, PageRequest, Pipeline } from './internal/pipeline.js';
import { toCredential, type Credential } from './internal/token.js';
import type { EsiCursorOptions, EsiPageOptions, EsiResultOptions } from './types.js';

/** What a handle needs from its client. */
export interface HandleContext {
  readonly pipeline: Pipeline;
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
  /** A raw string is trusted input: decoded, not verified (see `EsiToken`). */
  readonly token?: string | AccessTokenSource;
  readonly body?: unknown;
  readonly compatibilityDate?: string;
}

/**
 * The untyped handle; `types.ts` gives it its per-operation type. Its methods are arrow
 * functions so that `const { result } = handle` works.
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

  readonly result = async (options: EsiResultOptions = {}): Promise<unknown> =>
    (await this.resultWithResponse(options)).data;

  readonly resultWithResponse = async (
    options: EsiResultOptions = {},
  ): Promise<EsiResponse<unknown>> => {
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
  };

  readonly results = async (options: EsiPageOptions = {}): Promise<unknown> =>
    (await this.resultsWithResponse(options)).data;

  readonly resultsWithResponse = async (
    options: EsiPageOptions = {},
  ): Promise<EsiResponse<unknown>> => {
    const op = await this.#ctx.operation(this.#id);
    try {
      return await this.#all(op, options);
    } catch (error) {
      // Waits between pages (a new cache window) end with the signal's own reason.
      if (options.signal?.aborted && !(error instanceof EsikitError))
        throw new EsiAbortedError(op.id, options.signal.reason);
      throw error;
    }
  };

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

  readonly resultsLocalized = async (
    languages?: readonly string[],
    options: Omit<EsiPageOptions, 'language'> = {},
  ): Promise<Record<string, unknown>> => {
    const all = await this.#ctx.languages();
    const list: readonly string[] = languages ?? all;
    if (!(list instanceof Array) || list.length === 0)
      throw new EsiOptionError('languages', list, `a non-empty list of ${all.join(', ')}`);
    const results = await Promise.all(
      list.map((language) => this.results({ ...options, language })),
    );
    return Object.fromEntries(list.map((language, i) => [language, results[i]]));
  };

  readonly cursor = (options: EsiCursorOptions = {}): CursorIterator<unknown> =>
    this.#cursorWalk(options, undefined);

  readonly fromId = (options: EsiPageOptions & FromIdOptions = {}): AsyncIterable<unknown> => ({
    [Symbol.asyncIterator]: () => this.#fromIdWalk(options, undefined),
  });

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
    return ctx.pipeline.fetch(req);
  }
}

/** The paging parameters the client owns per pagination kind, and where the caller sets them instead. */
const PAGING_PARAMS: Readonly<
  Record<OperationSpec['pagination'], Readonly<Record<string, string>>>
> = {
  none: {},
  pages: { page: 'choose it with result({ page }); results() and pages() fetch every page' },
  cursor: {
    before: 'pass it to cursorPage({ before }); cursor() walks on its own',
    after: 'pass it to cursorPage({ after }) or cursor({ after })',
  },
  from_id: { from_id: 'it is set by fromId() and results(), which walk on their own' },
};

/**
 * Refuses the paging parameters in params: they would be sent on the first request of a walk
 * and then collide with the ones the walk sets (page 1 of results() fetched as page N).
 */
function checkPagingParams(
  op: OperationSpec,
  params: Readonly<Record<string, unknown>> | undefined,
): void {
  if (params === undefined || typeof params !== 'object' || params === null) return;
  const owned = PAGING_PARAMS[op.pagination];
  for (const name of Object.keys(owned)) {
    if (params[name] !== undefined)
      throw new EsiValidationError(op.id, name, `is not a param: ${owned[name]}`);
  }
}

function checkTimeout(value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)
    throw new EsiOptionError('timeout', value, 'a positive number of milliseconds');
  return value;
}

function checkRetries(value: EsiPageOptions['retries']): Partial<RetryOptions> {
  if (typeof value !== 'object' || value === null)
    throw new EsiOptionError('retries', value, '{ connection?, server?, backoffFactor?, jitter? }');
  const out: { -readonly [K in keyof RetryOptions]?: RetryOptions[K] } = {};
  for (const name of ['connection', 'server'] as const) {
    const v = value[name];
    if (v === undefined) continue;
    if (!Number.isSafeInteger(v) || v < 0)
      throw new EsiOptionError(`retries.${name}`, v, 'an integer ≥ 0');
    out[name] = v;
  }
  if (value.backoffFactor !== undefined) {
    if (!Number.isFinite(value.backoffFactor) || value.backoffFactor < 0)
      throw new EsiOptionError('retries.backoffFactor', value.backoffFactor, 'a number ≥ 0');
    out.backoffFactor = value.backoffFactor;
  }
  if (value.jitter !== undefined) {
    if (typeof value.jitter !== 'boolean')
      throw new EsiOptionError('retries.jitter', value.jitter, 'true or false');
    out.jitter = value.jitter;
  }
  return out;
}
