import type { CacheEntry } from './cache-store.js';
import type { RawResponse } from './transport.js';

/** What makes two GETs the same response; a private route adds the character. */
export interface CacheKeyParts {
  readonly tenant: string;
  readonly compatibilityDate: string;
  readonly language: string | undefined;
  readonly characterId: number | undefined;
  /**
   * Set for a raw token nobody verified: its entries are its own (see `token.ts`), so a token
   * that merely names a character never reads what another token of that character stored.
   */
  readonly tokenTag?: string | undefined;
  /** Path with sorted query. */
  readonly path: string;
}

/** Builds the cache (and coalescing) key. A public and a private answer never share one. */
export function cacheKey(p: CacheKeyParts): string {
  const who =
    p.characterId === undefined
      ? 'public'
      : p.tokenTag === undefined
        ? `char:${p.characterId}`
        : `char:${p.characterId}~${p.tokenTag}`;
  return `${p.tenant}|${p.compatibilityDate}|${p.language ?? '-'}|${who}|${p.path}`;
}

// Stale entries are kept this long past expiry so the next request can revalidate with ETag.
const KEEP_STALE_MS = 6 * 60 * 60 * 1000;

/** The headers worth keeping with an entry (the ones the with-response form shows). */
const KEPT = [
  'cache-control',
  'content-language',
  'date',
  'etag',
  'expires',
  'last-modified',
  'x-pages',
  'x-esi-request-id',
];

/**
 * The instant (client clock) a response stops being fresh. ESI's `Expires` is read relative to
 * its own `Date`, so a client clock that runs ahead or behind ESI's does not shorten or stretch
 * the window. `cacheAge` (spec) is the fallback when ESI sends no `Expires`.
 */
export function freshUntil(
  headers: Readonly<Record<string, string>>,
  now: number,
  cacheAgeSeconds: number | undefined,
): number {
  const expires = headers.expires ? Date.parse(headers.expires) : Number.NaN;
  if (!Number.isNaN(expires)) {
    const date = headers.date ? Date.parse(headers.date) : Number.NaN;
    return Number.isNaN(date) ? expires : now + (expires - date);
  }
  return cacheAgeSeconds !== undefined ? now + cacheAgeSeconds * 1000 : now;
}

/**
 * An entry for a fresh 200, or undefined when the response says nothing about caching. The entry
 * and its headers are frozen (the data is frozen by the caller, option `freezeResults`): it is
 * shared by every caller the cache answers.
 */
export function entryFrom(
  raw: RawResponse,
  data: unknown,
  now: number,
  cacheAgeSeconds: number | undefined,
): CacheEntry | undefined {
  const expires = freshUntil(raw.headers, now, cacheAgeSeconds);
  const etag = raw.headers.etag;
  if (expires <= now && etag === undefined) return undefined;
  const pages = Number(raw.headers['x-pages']);
  return Object.freeze({
    data,
    status: raw.status,
    etag,
    expires,
    lastModified: raw.headers['last-modified'],
    pages: Number.isSafeInteger(pages) && pages > 0 ? pages : undefined,
    headers: pick(raw.headers),
    size: Buffer.byteLength(raw.text),
  });
}

/** The entry after a `304`: same body, new freshness and validators. */
export function revalidated(
  old: CacheEntry,
  raw: RawResponse,
  now: number,
  cacheAgeSeconds: number | undefined,
): CacheEntry {
  const headers = Object.freeze({ ...old.headers, ...pick(raw.headers) });
  return Object.freeze({
    ...old,
    etag: raw.headers.etag ?? old.etag,
    expires: freshUntil(raw.headers, now, cacheAgeSeconds),
    lastModified: raw.headers['last-modified'] ?? old.lastModified,
    headers,
  });
}

/** How long a store should keep an entry at all. */
export function retention(entry: CacheEntry, now: number): number {
  const fresh = Math.max(0, entry.expires - now);
  return entry.etag ? fresh + KEEP_STALE_MS : Math.max(fresh, 1);
}

function pick(headers: Readonly<Record<string, string>>): Readonly<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of KEPT) {
    const v = headers[name];
    if (v !== undefined) out[name] = v;
  }
  return Object.freeze(out);
}
