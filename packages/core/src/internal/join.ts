import type { EsiResponse } from './pipeline.js';
import { crypto } from './lazy.js';

/**
 * The with-response form of a result joined from several responses: every page of an X-Pages
 * route, or a cursor or from_id walk. The rule (the README documents it):
 * - `status`, `headers`: the first response's;
 * - `expires`: the earliest over the responses, since the result is fresh only while every part
 *   of it is (undefined when none had one);
 * - `lastModified`: the latest `Last-Modified` over the responses (the newest data in it);
 * - `etag`: the response's own when there was one; for several, a weak ETag made from all of
 *   theirs, which changes when any of them does (undefined when one had none);
 * - `pages`: how many responses were joined;
 * - `fromCache`: true only when every response came from the cache or a `304`.
 */
export function joinResponses<T>(
  responses: readonly EsiResponse<unknown>[],
  data: T,
): EsiResponse<T> {
  const first = responses[0];
  if (first === undefined) throw new RangeError('joinResponses needs at least one response');
  let expires: number | undefined;
  let lastModified: string | undefined;
  let newest = Number.NEGATIVE_INFINITY;
  let fromCache = true;
  for (const r of responses) {
    if (r.expires !== undefined && (expires === undefined || r.expires < expires))
      expires = r.expires;
    const modified = r.lastModified === undefined ? Number.NaN : Date.parse(r.lastModified);
    if (modified > newest) {
      newest = modified;
      lastModified = r.lastModified;
    }
    if (!r.fromCache) fromCache = false;
  }
  return {
    data,
    status: first.status,
    headers: first.headers,
    etag: responses.length === 1 ? first.etag : joinedEtag(responses),
    expires,
    lastModified,
    pages: responses.length,
    fromCache,
  };
}

function joinedEtag(responses: readonly EsiResponse<unknown>[]): string | undefined {
  const hash = crypto().createHash('sha1');
  for (const r of responses) {
    if (r.etag === undefined) return undefined;
    hash.update(r.etag).update('\n');
  }
  return `W/"${hash.digest('hex').slice(0, 32)}"`;
}
