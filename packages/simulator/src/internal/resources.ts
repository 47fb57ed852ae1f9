import type { OperationSpec } from '@esikit/spec';
import type { SimulatorClock } from '../clock.js';
import { type BodyFactory, type BodyResult, resourceName } from './bodies.js';
import { cacheWindow, etagOf, httpDate, ifNoneMatchMatches } from './caching.js';
import type { FaultInjector } from './faults.js';
import { hashString } from './prng.js';
import { DEFAULT_DATA_CHANGE_RATE } from '../options.js';

/** An answer before it is written: status, headers and the serialized JSON body. */
export interface Outcome {
  status: number;
  headers: Record<string, string>;
  /** Serialized JSON; undefined for 204/304. */
  body?: string;
}

export interface ResourceDeps {
  readonly clock: SimulatorClock;
  readonly faults: FaultInjector;
  readonly seed: number;
  pages: number | Readonly<Record<string, number>>;
  /** Chance that a resource's data changes at a window rollover (see SimulatorOptions). */
  readonly dataChangeRate: number | Readonly<Record<string, number>>;
}

/** Data of routes without `x-cache-age` still changes, on this period, but is not cacheable. */
const UNCACHED_DATA_SECONDS = 300;
const MEMO_LIMIT = 5_000;
/**
 * Every this many windows the data changes whatever the rate, so finding the last change looks
 * back a bounded number of windows.
 */
const CHANGE_HORIZON = 256;
const EPOCH_MEMO_LIMIT = 20_000;

/**
 * Resources in time: which cache window a request falls in, the data of that window (rendered
 * once and memoised), its ETag/Last-Modified/Expires, 304s, and the page-change fault.
 */
export class ResourceResponder {
  readonly #d: ResourceDeps;
  /** Rendered bodies by seed key: generation is the expensive part, and windows repeat. */
  readonly #memo = new Map<string, { result: BodyResult; text?: string; etag?: string }>();
  /** Bumped by the page-change fault: later pages of the resource see new data. */
  readonly #generations = new Map<string, number>();
  /** Window index of the last data change, by resource and current window. */
  readonly #epochs = new Map<string, number>();

  constructor(deps: ResourceDeps) {
    this.#d = deps;
  }

  setPages(pages: number | Readonly<Record<string, number>>): void {
    this.#d.pages = pages;
  }

  #changeRate(op: OperationSpec): number {
    const r = this.#d.dataChangeRate;
    return typeof r === 'number' ? r : (r[op.id] ?? DEFAULT_DATA_CHANGE_RATE);
  }

  /**
   * The window in which this resource's data last changed, at or before `index`: each window
   * changes it with the configured chance, decided by a hash so every page, client and process
   * agrees on it.
   */
  #lastChange(op: OperationSpec, resource: string, index: number): number {
    const rate = this.#changeRate(op);
    if (rate >= 1) return index;
    if (rate <= 0) return 0;
    const memoKey = `${resource}|${index}`;
    const known = this.#epochs.get(memoKey);
    if (known !== undefined) return known;
    const floor = index - (index % CHANGE_HORIZON);
    let at = index;
    while (at > floor && hashString(`${this.#d.seed}|change|${resource}|${at}`) / 2 ** 32 >= rate)
      at--;
    if (this.#epochs.size >= EPOCH_MEMO_LIMIT) this.#epochs.clear();
    this.#epochs.set(memoKey, at);
    return at;
  }

  #pagesFor(op: OperationSpec): number {
    const p = this.#d.pages;
    return typeof p === 'number' ? p : (p[op.id] ?? 3);
  }

  /**
   * Answers a validated, authorised request with data and, for GETs, the cache headers.
   * `version` is the spec version the request's compatibility date selected: its bodies give
   * the shape, while the seed (method, path, parameters, window) is the same for every version.
   */
  respond(
    version: { readonly date: string; readonly bodies: Pick<BodyFactory, 'build'> },
    op: OperationSpec,
    params: Readonly<Record<string, unknown>>,
    requestBody: unknown,
    conditional: { readonly ifNoneMatch?: string; readonly ifModifiedSince?: string } = {},
  ): Outcome {
    const d = this.#d;
    const now = d.clock.now();
    const cached = op.method === 'GET' && op.cacheAge !== undefined;
    const window = cacheWindow(
      now,
      op.method === 'GET' ? (op.cacheAge ?? UNCACHED_DATA_SECONDS) : UNCACHED_DATA_SECONDS,
    );
    const { page: _page, before: _before, after: _after, ...rest } = params;
    // The cursor is part of the resource for cursor routes, the page never is.
    const resourceParams =
      op.pagination === 'cursor' ? { ...rest, before: _before, after: _after } : rest;
    const pages = op.pagination === 'pages' ? this.#pagesFor(op) : 1;
    const identity = `${resourceName(op)}|${JSON.stringify(resourceParams)}`;
    // Streams (cursor, from_id) gain records as time passes; other cached data changes only
    // in some windows, and keeps its bytes, ETag and Last-Modified in the others.
    const epoch =
      cached && op.pagination !== 'cursor' && op.pagination !== 'from_id'
        ? this.#lastChange(op, identity, window.index)
        : window.index;
    const epochStart = epoch * (window.expires - window.start);
    const resource = `${identity}|${epoch}`;
    const generation = this.#generations.get(resource) ?? 0;
    const seedKey = `${d.seed}|${resource}|g${generation}|p${pages}`;
    const page = typeof params.page === 'number' ? params.page : 1;

    if (op.method !== 'GET') {
      const result = version.bodies.build({
        op,
        params,
        requestBody,
        dataTime: now,
        seedKey: `${seedKey}|${now}`,
        pages,
      });
      return {
        status: result.status,
        headers: { ...result.headers },
        ...(result.body !== undefined ? { body: JSON.stringify(result.body) } : {}),
      };
    }

    const memoKey = `${seedKey}|page=${page}|${version.date}`;
    let memo = this.#memo.get(memoKey);
    if (!memo) {
      const dataTime = cached ? epochStart : now;
      const result = version.bodies.build({ op, params, requestBody, dataTime, seedKey, pages });
      const text = result.body !== undefined ? JSON.stringify(result.body) : undefined;
      memo = { result, ...(text !== undefined ? { text, etag: etagOf(text) } : {}) };
      // Uncached routes (cursor listings) move with the clock; memoising them would freeze them.
      if (cached) {
        if (this.#memo.size >= MEMO_LIMIT) this.#memo.delete(this.#memo.keys().next().value!);
        this.#memo.set(memoKey, memo);
      }
    }
    const { result, text, etag } = memo;
    const headers: Record<string, string> = { ...result.headers };
    if (result.status !== 200)
      return { status: result.status, headers, ...(text !== undefined ? { body: text } : {}) };

    // The page-change fault: page 1 went out, so the rest of the walk sees the next version.
    if (op.pagination === 'pages' && page === 1 && d.faults.spec(op.id).pageChange === true) {
      this.#generations.set(resource, generation + 1);
    }
    if (etag) headers.ETag = etag;
    const lastModified = (cached ? epochStart : window.start) + generation * 1000;
    headers['Last-Modified'] = httpDate(lastModified);
    if (cached) {
      headers.Expires = httpDate(window.expires);
      headers['Cache-Control'] =
        `public, max-age=${Math.max(0, Math.ceil((window.expires - now) / 1000))}`;
    } else {
      headers['Cache-Control'] = 'no-cache';
    }
    // If-None-Match wins over If-Modified-Since (RFC 9110 13.1.3).
    if (conditional.ifNoneMatch !== undefined) {
      if (etag && ifNoneMatchMatches(conditional.ifNoneMatch, etag))
        return { status: 304, headers };
    } else if (conditional.ifModifiedSince !== undefined) {
      const since = Date.parse(conditional.ifModifiedSince);
      if (!Number.isNaN(since) && Math.floor(lastModified / 1000) * 1000 <= since)
        return { status: 304, headers };
    }
    return { status: 200, headers, ...(text !== undefined ? { body: text } : {}) };
  }
}
