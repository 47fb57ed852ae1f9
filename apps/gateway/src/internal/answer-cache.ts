// A small shared HTTP cache (RFC 9111) in front of tRPC, for the answers @esikit/trpc itself
// marks `Cache-Control: public, max-age=N`: public ESI data, the same for everyone, fresh for N
// more seconds. Serving one from memory skips tRPC's request/response conversion and the
// procedure, which cost most of a cached call's time.
//
// What keeps it from ever serving one user's answer to another, or stale data:
// - only GET requests without a Cookie or Authorization header are looked up or stored, so
//   nothing that acted for a user (or could have) is ever involved;
// - only 200 answers with `public` and `max-age` > 0 and without `private`, `no-store`,
//   `no-cache` or `Set-Cookie` are stored; the adapter writes `private` whenever a token was used
//   and no header at all for the app's own procedures, errors, mutations and streams;
// - the key is the full URL (host, path, query with the input) plus the request headers the
//   answer's `Vary` names; an answer that varies on anything else is not stored;
// - an entry expires `max-age` seconds after the request that produced it arrived, by the same
//   clock the adapter computed `max-age` from (rounded down from ESI's Expires, after that
//   arrival), so it is never served past ESI's Expires; a served copy carries `Age`, so caches
//   further down keep to the same limit;
// - a request saying `Cache-Control: no-cache`/`no-store` (or `Pragma: no-cache`) goes through.
import type { FastifyRequest } from 'fastify';

/** A stored answer, as sent. */
export interface StoredAnswer {
  readonly status: number;
  readonly headers: readonly (readonly [string, string])[];
  readonly body: Buffer;
  readonly storedAt: number;
  readonly expiresAt: number;
}

/** An answer's headers by lower-case name, as `@esikit/trpc`'s query handler gives them. */
export type AnswerHeaders = Readonly<Record<string, string | readonly string[]>>;

/** The request headers a stored answer may vary on (tRPC's `Vary: trpc-accept, accept`). */
const KEYED_HEADERS = ['trpc-accept', 'accept'] as const;

export class AnswerCache {
  readonly #entries = new Map<string, StoredAnswer>();
  readonly #maxBytes: number;
  readonly #now: () => number;
  #bytes = 0;

  constructor(maxBytes: number, now: () => number) {
    this.#maxBytes = maxBytes;
    this.#now = now;
  }

  /** The cache key of a request, or undefined when the request must not use the cache. */
  keyOf(req: FastifyRequest): string | undefined {
    if (req.method !== 'GET') return undefined;
    const h = req.headers;
    if (h.cookie !== undefined || h.authorization !== undefined) return undefined;
    const cc = h['cache-control'];
    if (cc !== undefined && /no-cache|no-store/i.test(cc)) return undefined;
    if (h.pragma !== undefined && /no-cache/i.test(h.pragma)) return undefined;
    return `${h.host ?? ''}\n${req.url}\n${headerText(h['trpc-accept'])}\n${headerText(h.accept)}`;
  }

  /** A fresh stored answer and its age in whole seconds; expired ones are dropped. */
  get(key: string): { answer: StoredAnswer; age: number } | undefined {
    const answer = this.#entries.get(key);
    if (answer === undefined) return undefined;
    const now = this.#now();
    if (now >= answer.expiresAt) {
      this.#delete(key, answer);
      return undefined;
    }
    return { answer, age: Math.max(0, Math.floor((now - answer.storedAt) / 1000)) };
  }

  /** The cache's clock (ESI's, as the adapter's `max-age`). */
  now(): number {
    return this.#now();
  }

  /**
   * Stores an answer if HTTP caching allows a shared cache to; returns whether it did.
   * `requestedAt` is when the request arrived: `max-age` was computed after it, so an entry that
   * lives `max-age` from then is gone by the Expires the adapter counted from.
   */
  offer(
    key: string,
    status: number,
    headers: AnswerHeaders,
    body: Buffer,
    requestedAt: number = this.#now(),
  ): boolean {
    if (status !== 200 || headers['set-cookie'] !== undefined) return false;
    const maxAge = sharedMaxAge(headerText(headers['cache-control']) || null);
    if (maxAge === undefined) return false;
    const vary = headerText(headers.vary)
      .split(',')
      .map((v) => v.trim().toLowerCase())
      .filter(Boolean);
    if (!vary.every((v) => (KEYED_HEADERS as readonly string[]).includes(v))) return false;
    if (body.length > this.#maxBytes / 16) return false;
    const now = this.#now();
    const entry: StoredAnswer = {
      status,
      headers: Object.entries(headers)
        .filter(([k]) => k !== 'content-length' && k !== 'transfer-encoding')
        .map(([k, v]) => [k, headerText(v)] as const),
      body,
      // Age, like the expiry, counts from the request (RFC 9111's request_time).
      storedAt: Math.min(now, requestedAt),
      expiresAt: Math.min(now, requestedAt) + maxAge * 1000,
    };
    const old = this.#entries.get(key);
    if (old) this.#delete(key, old);
    this.#entries.set(key, entry);
    this.#bytes += body.length;
    // Oldest first (a Map keeps insertion order).
    for (const [k, e] of this.#entries) {
      if (this.#bytes <= this.#maxBytes) break;
      this.#delete(k, e);
    }
    return true;
  }

  /** How many answers are stored (for tests and metrics). */
  get size(): number {
    return this.#entries.size;
  }

  #delete(key: string, entry: StoredAnswer): void {
    this.#entries.delete(key);
    this.#bytes -= entry.body.length;
  }
}

function headerText(value: string | readonly string[] | undefined): string {
  return typeof value === 'string' ? value : (value?.join(', ') ?? '');
}

/** `max-age` of a `Cache-Control` a shared cache may store under, else undefined. */
export function sharedMaxAge(cacheControl: string | null): number | undefined {
  if (cacheControl === null) return undefined;
  let isPublic = false;
  let maxAge: number | undefined;
  for (const part of cacheControl.split(',')) {
    const [name = '', value] = part.trim().toLowerCase().split('=', 2);
    if (name === 'public') isPublic = true;
    else if (name === 'private' || name === 'no-store' || name === 'no-cache') return undefined;
    else if (name === 's-maxage')
      return undefined; // not written by the adapter; not handled
    else if (name === 'max-age') {
      if (value === undefined || !/^\d+$/.test(value)) return undefined;
      maxAge = Number(value);
    }
  }
  return isPublic && maxAge !== undefined && maxAge > 0 ? maxAge : undefined;
}
