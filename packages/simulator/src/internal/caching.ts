import { createHash } from 'node:crypto';

/** A cache window: all pages of a resource share it, so they share Last-Modified and Expires. */
export interface CacheWindow {
  /** Window index since the epoch; part of the data seed so data changes when it rolls over. */
  readonly index: number;
  /** Start (ms): the resource's Last-Modified. */
  readonly start: number;
  /** End (ms): the resource's Expires. */
  readonly expires: number;
}

/**
 * Windows are aligned to multiples of the cache age since the epoch, so every page and every
 * client sees the same boundaries, like ESI's shared cache.
 */
export function cacheWindow(nowMs: number, ageSeconds: number): CacheWindow {
  const size = Math.max(1, ageSeconds) * 1000;
  const index = Math.floor(nowMs / size);
  return { index, start: index * size, expires: (index + 1) * size };
}

/** ETag for a body: a strong validator, quoted like ESI's. */
export function etagOf(body: string): string {
  return `"${createHash('sha1').update(body).digest('hex').slice(0, 32)}"`;
}

/** RFC 9110 IMF-fixdate. */
export function httpDate(ms: number): string {
  return new Date(ms).toUTCString();
}

/** Does an `If-None-Match` header (a list, possibly weak, or `*`) match `etag`? */
export function ifNoneMatchMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  const bare = etag.replace(/^W\//, '');
  return header
    .split(',')
    .map((t) => t.trim())
    .some((t) => t === '*' || t.replace(/^W\//, '') === bare);
}
