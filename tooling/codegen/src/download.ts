// One conditional GET of the spec for a compatibility date, and parsing what comes back.
import { CodegenError } from './errors.js';
import { httpGet } from './http.js';
import type { CachedSpec } from './cache.js';
import type { Pipeline } from './pipeline.js';

/** A spec document's bytes, parsed, with its version; rejects anything that is not a spec. */
export function parseSpecBytes(
  bytes: Uint8Array,
  where: string,
): { document: unknown; version: string } {
  let document: unknown;
  try {
    document = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (cause) {
    throw new CodegenError(
      'ESIKIT_CODEGEN_FETCH_FAILED',
      `The ESI spec from ${where} is not JSON`,
      {
        cause,
      },
    );
  }
  const info = (document as { info?: { version?: unknown } } | null)?.info;
  if (typeof info?.version !== 'string') {
    throw new CodegenError(
      'ESIKIT_CODEGEN_FETCH_FAILED',
      `The document from ${where} is not an ESI spec: it has no info.version`,
    );
  }
  return { document, version: info.version };
}

/** URL of the spec on ESI. */
export function specUrl(pipeline: Pipeline): string {
  return `${pipeline.baseUrl}/meta/openapi.json`;
}

/** The outcome of one conditional download. */
export type Download =
  | { readonly kind: 'not-modified' }
  | {
      readonly kind: 'downloaded';
      readonly bytes: Buffer;
      readonly document: unknown;
      readonly version: string;
      readonly etag: string | undefined;
    };

/**
 * GETs the spec for `date`, conditionally when the cache holds that date's spec with an ETag.
 *
 * @throws on network failure, timeout, abort, or any status other than 200/304.
 */
export async function downloadSpec(
  pipeline: Pipeline,
  date: string,
  cached: CachedSpec | undefined,
): Promise<Download> {
  const url = specUrl(pipeline);
  const headers: Record<string, string> = {
    accept: 'application/json',
    'user-agent': pipeline.userAgent,
    'x-compatibility-date': date,
  };
  // An ETag is only meaningful for the date it was issued for.
  const etag = cached?.meta?.compatibilityDate === date ? cached.meta.etag : undefined;
  if (etag !== undefined) headers['if-none-match'] = etag;
  const response = await httpGet(url, {
    headers,
    timeoutMs: pipeline.timeoutMs,
    signal: pipeline.signal,
  });
  if (response.status === 304 && etag !== undefined) return { kind: 'not-modified' };
  if (response.status !== 200) {
    throw new CodegenError(
      'ESIKIT_CODEGEN_FETCH_FAILED',
      `GET ${url} (X-Compatibility-Date ${date}) answered HTTP ${response.status}`,
    );
  }
  const { document, version } = parseSpecBytes(response.body, url);
  return {
    kind: 'downloaded',
    bytes: response.body,
    document,
    version,
    etag: response.headers.etag,
  };
}
