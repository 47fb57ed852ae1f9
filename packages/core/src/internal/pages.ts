import { EsiIncompleteResultError, EsiResponseError } from '../esi-errors.js';
import type { EsiResponse } from './pipeline.js';
import { waitUntil } from './sleep.js';

export interface CollectOptions {
  readonly operation: string;
  readonly concurrency: number;
  readonly clock: () => number;
  readonly signal: AbortSignal | undefined;
  /** Snapshot attempts before giving up. @default 3 */
  readonly maxAttempts?: number;
}

/** Page 1 this close to expiry is not worth starting from: wait for the next window (ESI's advice). */
export const NEAR_EXPIRY_MS = 3000;
/** Never wait longer than this for a cache window while assembling one result. */
const MAX_WINDOW_WAIT_MS = 5 * 60 * 1000;

/**
 * Fetches every page of an X-Pages route as one snapshot: page 1 first, then 2..N with bounded
 * concurrency; pages that disagree on Last-Modified (or, without it, on ESI's Expires) mean the
 * data changed while fetching, so the whole set is fetched again once the older window has passed.
 */
export async function collectPages(
  fetchPage: (page: number, signal: AbortSignal | undefined) => Promise<EsiResponse<unknown>>,
  options: CollectOptions,
): Promise<{ pages: EsiResponse<unknown>[]; data: unknown[] }> {
  const { clock, signal } = options;
  const maxAttempts = options.maxAttempts ?? 3;
  let why = '';
  let attempt = 1;
  for (; attempt <= maxAttempts; attempt++) {
    const first = await firstPage(fetchPage, clock, signal);
    const total = first.pages ?? 1;
    const rest = await mapLimited(
      total - 1,
      options.concurrency,
      (i, pageSignal) => fetchPage(i + 2, pageSignal),
      signal,
    );
    const pages = [first, ...rest];
    const mismatch = disagreement(pages);
    if (!mismatch) {
      const data: unknown[] = [];
      pages.forEach((p, i) => {
        for (const item of pageItems(p, i + 1, options.operation)) data.push(item);
      });
      return { pages, data };
    }
    why = mismatch.why;
    // Refetching a page inside its window is not allowed and would return the same old copy:
    // wait until the oldest snapshot's window is over, then everything is fetched again.
    const until = mismatch.oldestExpires;
    if (until !== undefined && until - clock() > MAX_WINDOW_WAIT_MS) break;
    if (attempt < maxAttempts && until !== undefined) await waitUntil(clock, until, signal);
  }
  // The attempts really made: a window too far away ends the loop early.
  throw new EsiIncompleteResultError(options.operation, Math.min(attempt, maxAttempts), why);
}

/** One page of an X-Pages walk with its metadata; `pages` is the total, `page` this one's number. */
export type PageResponse = EsiResponse<unknown> & { readonly page: number };

/**
 * Yields the pages of an X-Pages route one at a time, in order, each with its metadata, all
 * from page 1's snapshot: up to `concurrency` pages are fetched ahead. A page from another
 * snapshot (the data changed while paging) is never yielded: the walk stops with
 * {@link EsiIncompleteResultError}, since pages already yielded cannot be taken back (collectPages
 * can wait and start over instead). Stopping early cancels the pages fetched ahead.
 */
export async function* streamPages(
  fetchPage: (page: number, signal: AbortSignal | undefined) => Promise<EsiResponse<unknown>>,
  options: CollectOptions,
): AsyncGenerator<PageResponse> {
  const { clock, signal } = options;
  const first = await firstPage(fetchPage, clock, signal);
  pageItems(first, 1, options.operation);
  yield { ...first, page: 1 };
  const total = first.pages ?? 1;
  if (total <= 1) return;
  const stop = new AbortController();
  const onAbort = (): void => stop.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  if (signal?.aborted) onAbort();
  const ahead = new Map<number, Promise<EsiResponse<unknown>>>();
  let next = 2;
  try {
    for (let page = 2; page <= total; page++) {
      while (next <= total && ahead.size < options.concurrency) {
        const pending = fetchPage(next, stop.signal);
        // Awaited in turn below; a page abandoned by an early stop must not go unhandled.
        pending.catch(() => undefined);
        ahead.set(next++, pending);
      }
      const response = await (ahead.get(page) as Promise<EsiResponse<unknown>>);
      ahead.delete(page);
      if (disagreement([first, response])) {
        throw new EsiIncompleteResultError(
          options.operation,
          1,
          `page ${page} is from another snapshot than page 1 (the data changed while paging); pages already yielded cannot be taken back`,
        );
      }
      pageItems(response, page, options.operation);
      yield { ...response, page };
    }
  } finally {
    // The consumer stopped early or a page failed: cancel what was fetched ahead.
    if (ahead.size > 0) stop.abort();
    signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * Page 1, unless it is about to expire: then the next window's page 1 (ESI's advice), so the
 * other pages are fetched inside the same window.
 */
async function firstPage(
  fetchPage: (page: number, signal: AbortSignal | undefined) => Promise<EsiResponse<unknown>>,
  clock: () => number,
  signal: AbortSignal | undefined,
): Promise<EsiResponse<unknown>> {
  const first = await fetchPage(1, signal);
  // Only a response with a real freshness window can be "about to expire"; an ETag-only
  // response (no Expires) is revalidated on every walk anyway.
  const left = first.expires === undefined ? 0 : first.expires - clock();
  if (left > 0 && left < NEAR_EXPIRY_MS && first.pages !== undefined && first.pages > 1) {
    await waitUntil(clock, clock() + left, signal);
    return fetchPage(1, signal);
  }
  return first;
}

/** The records of one page, which must be a list. */
function pageItems(page: EsiResponse<unknown>, number: number, operation: string): unknown[] {
  if (!Array.isArray(page.data))
    throw new EsiResponseError(
      operation,
      'ESIKIT_BAD_RESPONSE',
      `page ${number} of an X-Pages route answered without a list`,
    );
  return page.data as unknown[];
}

/**
 * What says which cache window a page belongs to, as ESI sent it: `Last-Modified` when every
 * page has one, else ESI's own `Expires` instant when every page has one. Never the client-clock
 * expiry: that is ESI's window re-read against each response's `Date` and the client's clock at
 * arrival, so two pages of one window can land a second apart.
 */
function windowKeys(pages: readonly EsiResponse<unknown>[]): {
  keys: (number | undefined)[];
  by: 'Last-Modified' | 'Expires' | undefined;
} {
  const parse = (v: string | undefined): number => (v === undefined ? Number.NaN : Date.parse(v));
  const modified = pages.map((p) => parse(p.lastModified));
  if (modified.every((k) => !Number.isNaN(k))) return { keys: modified, by: 'Last-Modified' };
  const expires = pages.map((p) => parse(p.headers.expires));
  if (expires.every((k) => !Number.isNaN(k))) return { keys: expires, by: 'Expires' };
  // Nothing to tell windows apart with: only the page count can show a change.
  return { keys: pages.map(() => undefined), by: undefined };
}

function disagreement(
  pages: readonly EsiResponse<unknown>[],
): { why: string; oldestExpires: number | undefined } | undefined {
  if (pages.length === 0) return undefined;
  const { keys, by } = windowKeys(pages);
  const newest = Math.max(...keys.map((k) => k ?? Number.NEGATIVE_INFINITY));
  const older = pages.filter((_, i) => keys[i] !== undefined && keys[i] !== newest);
  const pageCounts = new Set(pages.map((p) => p.pages ?? 1));
  if (older.length === 0 && pageCounts.size <= 1) return undefined;
  const oldestExpires = older.length
    ? Math.min(...older.map((p) => p.expires ?? 0))
    : Math.min(...pages.map((p) => p.expires ?? 0));
  const why =
    older.length > 0
      ? `${older.length} of ${pages.length} pages had an older ${by ?? 'window'}`
      : 'the page count changed';
  return { why, oldestExpires };
}

/**
 * Runs `task(0..count-1)` with at most `limit` at once, keeping order. The first failure wins:
 * no task starts after it, and the tasks in flight are aborted through the signal each task is
 * given (which also follows the caller's `signal`). Rejects once every task started has settled.
 */
export async function mapLimited<T>(
  count: number,
  limit: number,
  task: (index: number, signal: AbortSignal) => Promise<T>,
  signal: AbortSignal | undefined,
): Promise<T[]> {
  const results = new Array<T>(count);
  const stop = new AbortController();
  const onAbort = (): void => stop.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  if (signal?.aborted) onAbort();
  let next = 0;
  let failed = false;
  let firstError: unknown;
  const worker = async (): Promise<void> => {
    while (!failed && next < count) {
      const index = next++;
      try {
        stop.signal.throwIfAborted();
        results[index] = await task(index, stop.signal);
      } catch (error) {
        // Later rejections are the aborts this one caused (or echoes of it): the first is the cause.
        if (!failed) {
          failed = true;
          firstError = error;
          stop.abort(error);
        }
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  if (failed) throw firstError;
  return results;
}
