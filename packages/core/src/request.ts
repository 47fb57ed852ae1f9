import type { OperationSpec } from '@esikit/spec';
import type { AccessTokenSource } from './auth.js';
import { EsiAbortedError, EsiOptionError, EsiValidationError } from './esi-errors.js';
import { EsikitError } from './errors.js';
import type { RetryOptions } from './options.js';
import { CursorIterator, fromIdIterator, type FromIdOptions } from './internal/cursor.js';
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
  /** A raw string goes through the client's raw-token policy (see `EsiToken`). */
  readonly token?: string | AccessTokenSource;
  readonly body?: unknown;
  readonly compatibilityDate?: string;
}

/** The untyped handle; `types.ts` gives it its per-operation type. */
export class RequestHandle {
  readonly #ctx: HandleContext;
  readonly #id: string;
  readonly #params: Readonly<Record<string, unknown>> | undefined;
  readonly #call: RawCallOptions;
  #credential: Credential | undefined;

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

  async result(options: EsiResultOptions = {}): Promise<unknown> {
    return (await this.resultWithResponse(options)).data;
  }

  async resultWithResponse(options: EsiResultOptions = {}): Promise<EsiResponse<unknown>> {
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

  async results(options: EsiPageOptions = {}): Promise<unknown> {
    return (await this.resultsWithResponse(options)).data;
  }

  async resultsWithResponse(options: EsiPageOptions = {}): Promise<EsiResponse<unknown>> {
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
        const first = pages[0] as EsiResponse<unknown>;
        return { ...first, data, fromCache: pages.every((p) => p.fromCache) };
      }
      // A walk spans many responses: its with-response form describes the walk (all records,
      // and for cursors the token to resume from), not one HTTP exchange.
      case 'from_id': {
        const items: unknown[] = [];
        for await (const item of this.fromId(options)) items.push(item);
        return {
          data: items,
          status: 200,
          headers: {},
          etag: undefined,
          expires: undefined,
          lastModified: undefined,
          pages: undefined,
          fromCache: false,
        };
      }
      case 'cursor': {
        const items: unknown[] = [];
        const walk = this.cursor(options);
        for await (const item of walk) items.push(item);
        return {
          data: { [walk.listKey ?? 'records']: items, cursor: { after: walk.after } },
          status: 200,
          headers: {},
          etag: undefined,
          expires: undefined,
          lastModified: undefined,
          pages: undefined,
          fromCache: false,
        };
      }
    }
  }

  async resultsLocalized(
    languages?: readonly string[],
    options: Omit<EsiPageOptions, 'language'> = {},
  ): Promise<Record<string, unknown>> {
    const all = await this.#ctx.languages();
    const list: readonly string[] = languages ?? all;
    if (!(list instanceof Array) || list.length === 0)
      throw new EsiOptionError('languages', list, `a non-empty list of ${all.join(', ')}`);
    const results = await Promise.all(
      list.map((language) => this.results({ ...options, language })),
    );
    return Object.fromEntries(list.map((language, i) => [language, results[i]]));
  }

  cursor(options: EsiCursorOptions = {}): CursorIterator<unknown> {
    return new CursorIterator(
      async (extra) => {
        const op = await this.#ctx.operation(this.#id);
        if (op.pagination !== 'cursor') {
          throw new EsiValidationError(
            op.id,
            'cursor',
            `is not a cursor route (pagination: ${op.pagination})`,
          );
        }
        return this.#fetch(op, extra, options);
      },
      this.#id,
      options.after,
    );
  }

  fromId(options: EsiPageOptions & FromIdOptions = {}): AsyncIterable<unknown> {
    const fetch = async (
      extra: Readonly<Record<string, unknown>>,
    ): Promise<EsiResponse<unknown>> => {
      const op = await this.#ctx.operation(this.#id);
      if (op.pagination !== 'from_id')
        throw new EsiValidationError(
          op.id,
          'fromId',
          `is not a from_id route (pagination: ${op.pagination})`,
        );
      return this.#fetch(op, extra, options);
    };
    return { [Symbol.asyncIterator]: () => fromIdIterator<unknown>(fetch, this.#id, options) };
  }

  #fetch(
    op: OperationSpec,
    extra: Readonly<Record<string, unknown>> | undefined,
    options: EsiPageOptions,
  ): Promise<EsiResponse<unknown>> {
    const ctx = this.#ctx;
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
