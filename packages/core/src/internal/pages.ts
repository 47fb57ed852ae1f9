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
    let first = await fetchPage(1, signal);
    // Only a response with a real freshness window can be "about to expire"; an ETag-only
    // response (no Expires) is revalidated on every walk anyway.
    const left = first.expires === undefined ? 0 : first.expires - clock();
    if (left > 0 && left < NEAR_EXPIRY_MS && first.pages !== undefined && first.pages > 1) {
      await waitUntil(clock, clock() + left, signal);
      first = await fetchPage(1, signal);
    }
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
      for (const p of pages) {
        if (!Array.isArray(p.data)) {
          throw new EsiResponseError(
            options.operation,
            'ESIKIT_BAD_RESPONSE',
            `page ${pages.indexOf(p) + 1} of an X-Pages route answered without a list`,
          );
        }
        for (const item of p.data as unknown[]) data.push(item);
      }
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
