// HTTP caching of batched ESI queries. tRPC's `responseMeta` sees the context and the errors but
// not the results, so each ESI procedure notes its answer's cache window against the request's
// context object, and `esiResponseMeta` reads the notes back when the response is written.
import type { ResponseMeta } from '@trpc/server/http';

interface Note {
  /** Seconds the answer stays fresh; undefined when it must not be cached. */
  readonly maxAge: number | undefined;
  readonly authenticated: boolean;
}

const notes = new WeakMap<object, Note[]>();

/** Records one ESI answer for the request whose context is `ctx`. */
export function noteAnswer(ctx: unknown, note: Note): void {
  if (typeof ctx !== 'object' || ctx === null) return;
  const list = notes.get(ctx);
  if (list) list.push(note);
  else notes.set(ctx, [note]);
}

/**
 * What `esiResponseMeta` looks at, a subset of tRPC's `responseMeta` options.
 *
 * @example
 * createHTTPServer({ router, createContext, responseMeta: (opts) => esiResponseMeta(opts) });
 */
export interface EsiResponseMetaInput {
  readonly ctx?: unknown;
  readonly type: string;
  readonly errors: readonly unknown[];
  readonly paths?: readonly string[] | undefined;
  readonly eagerGeneration?: boolean;
}

/**
 * A `responseMeta` for tRPC's HTTP adapters: a batch of ESI queries that all succeeded gets
 * `Cache-Control: max-age=<seconds until the earliest Expires>`, `private` when any call was
 * made with a user's token and `public` otherwise, so a CDN or the browser can cache what ESI
 * allows. Anything else (mutations, errors, a procedure of the app's own in the batch, streamed
 * responses whose headers go out before the results) gets no header.
 *
 * The context object must be a new object per request (as `createContext` usually returns).
 *
 * @example
 * createHTTPServer({ router: appRouter, createContext, responseMeta: esiResponseMeta });
 */
export function esiResponseMeta(opts: EsiResponseMetaInput): ResponseMeta {
  const ctx = opts.ctx;
  if (typeof ctx !== 'object' || ctx === null) return {};
  const list = notes.get(ctx) ?? [];
  // Read once: a context object reused across requests must not pile notes up.
  notes.delete(ctx);
  if (opts.type !== 'query' || opts.errors.length > 0 || opts.eagerGeneration === true) return {};
  const calls = opts.paths?.length ?? 0;
  // Every procedure of the batch must be an ESI query with a cache window.
  if (calls === 0 || list.length !== calls) return {};
  let maxAge = Infinity;
  let authenticated = false;
  for (const note of list) {
    if (note.maxAge === undefined) return {};
    maxAge = Math.min(maxAge, note.maxAge);
    authenticated ||= note.authenticated;
  }
  if (maxAge <= 0) return {};
  return {
    headers: {
      'cache-control': `${authenticated ? 'private' : 'public'}, max-age=${maxAge}`,
    },
  };
}
