import type { OperationSpec } from '@esikit/spec';
import { EsiHttpError, EsiMissingScopeError, type EsiErrorBody } from '../esi-errors.js';
import type { EsikitError } from '../errors.js';
import { freshUntil } from './cache.js';
import type { CacheEntry } from './cache-store.js';
import { parseJson } from './json.js';
import type { EsiResponse } from './pipeline.js';
import type { Credential } from './token.js';
import type { RawResponse } from './transport.js';

/** The with-response form of a response that is not stored (no cache, or not a GET). */
export function freshResponse(
  raw: RawResponse,
  data: unknown,
  now: number,
  cacheAgeSeconds: number | undefined,
): EsiResponse<unknown> {
  const expires =
    raw.headers.expires === undefined ? undefined : freshUntil(raw.headers, now, cacheAgeSeconds);
  const pages = raw.headers['x-pages'] === undefined ? Number.NaN : Number(raw.headers['x-pages']);
  return {
    data,
    status: raw.status,
    headers: raw.headers,
    etag: raw.headers.etag,
    expires,
    lastModified: raw.headers['last-modified'],
    pages: Number.isSafeInteger(pages) && pages > 0 ? pages : undefined,
    fromCache: false,
  };
}

/** The with-response form of a cache entry: a new object per caller over the frozen entry. */
export function toResponse(entry: CacheEntry, fromCache: boolean): EsiResponse<unknown> {
  return {
    data: entry.data,
    status: entry.status,
    headers: entry.headers,
    etag: entry.etag,
    expires: entry.expires,
    lastModified: entry.lastModified,
    pages: entry.pages,
    fromCache,
  };
}

export function httpError(
  op: OperationSpec,
  raw: RawResponse,
  credential: Credential | undefined,
): EsikitError {
  let body: EsiErrorBody | string | undefined = raw.text || undefined;
  const parsed = raw.text ? parseJson(raw.text) : undefined;
  if (parsed?.ok && typeof parsed.value === 'object' && parsed.value !== null)
    body = parsed.value as EsiErrorBody;
  const message = typeof body === 'string' ? body : (body?.error ?? '');
  // ESI's 403 for a token without the scope says so ("token is not valid for scope(s): …");
  // other 403s (wrong character, missing corporation role) stay plain HTTP errors.
  if (raw.status === 403 && op.scope && credential && /scope/i.test(message)) {
    return new EsiMissingScopeError(op.id, op.scope, 403, {
      cause: new EsiHttpError(op.id, 403, body, raw.headers),
    });
  }
  return new EsiHttpError(op.id, raw.status, body, raw.headers);
}
