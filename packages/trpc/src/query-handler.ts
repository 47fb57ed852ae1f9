// GET queries answered the way tRPC's own HTTP handler answers them, without the fetch `Request`
// and `Response` it works on. A cached ESI call costs microseconds; through tRPC's
// `resolveResponse` the same call paid for a `Request`, two `AbortSignal.any()` per call, a
// `Response` and reading it back — most of a cached call's CPU in the gateway's profile. Every
// step here uses tRPC's public API (`callTRPCProcedure`, `getTRPCErrorShape`,
// `transformTRPCResponse`, `getHTTPStatusCode`), and a test compares every answer, byte for byte,
// with `fetchRequestHandler`'s. Anything that is not a plain query (a mutation, a subscription, a
// streamed batch, a body, an unknown path, a parameter other than `batch` and `input`, input that
// is not JSON) is left to tRPC: the handler returns `undefined` before it has run anything.
import {
  callTRPCProcedure,
  getTRPCErrorFromUnknown,
  getTRPCErrorShape,
  transformTRPCResponse,
  TRPCError,
  type AnyTRPCProcedure,
  type AnyTRPCRootTypes,
  type AnyTRPCRouter,
  type TRPCRootConfig,
  type inferRouterContext,
} from '@trpc/server';
import { getHTTPStatusCode, type ResponseMetaFn, type TRPCRequestInfo } from '@trpc/server/http';
import type { TRPCResponse } from '@trpc/server/rpc';

/**
 * One HTTP request, as the query handler reads it.
 *
 * @example
 * const req: QueryRequest = { method: 'GET', path: 'esi.status.getStatus', search: '', header: () => undefined, signal };
 */
export interface QueryRequest {
  readonly method: string;
  /** The URL's path after the tRPC endpoint and its slash, still URL-encoded. */
  readonly path: string;
  /** The URL's query string without the `?`; `''` when there is none. */
  readonly search: string;
  /** A request header by its lower-case name. */
  readonly header: (name: string) => string | undefined;
  /** Aborts when the client goes away; the procedures get it as `signal`. */
  readonly signal: AbortSignal;
}

/**
 * The answer tRPC's handler would have sent: status, headers and the JSON body.
 *
 * @example
 * reply.status(answer.status).headers(answer.headers).send(answer.body);
 */
export interface QueryAnswer {
  readonly status: number;
  /** Lower-case names; `set-cookie` is a list, as `Headers` keeps it, and other repeats are joined. */
  readonly headers: Readonly<Record<string, string | readonly string[]>>;
  readonly body: string;
}

/**
 * Options of {@link createQueryHandler}: the ones tRPC's HTTP adapters take, with their meaning.
 *
 * @example
 * createQueryHandler({ router, createContext: () => ({ userId: undefined }), responseMeta: esiResponseMeta });
 */
export interface QueryHandlerOptions<
  TRouter extends AnyTRPCRouter,
  TRequest extends QueryRequest = QueryRequest,
> {
  readonly router: TRouter;
  /** The context of the request's calls; `req` is what the handler was called with. */
  readonly createContext: (opts: {
    req: TRequest;
    info: TRPCRequestInfo;
  }) => inferRouterContext<TRouter> | Promise<inferRouterContext<TRouter>>;
  readonly responseMeta?: ResponseMetaFn<TRouter>;
  readonly onError?: (opts: {
    error: TRPCError;
    path: string | undefined;
    input: unknown;
    ctx: inferRouterContext<TRouter> | undefined;
    type: 'query';
  }) => void;
}

/**
 * Answers a GET request for tRPC queries — one call, or a `?batch=1` batch of them — exactly as
 * tRPC's `fetchRequestHandler` with these options and its defaults (batching on, no maximum
 * batch size, no method override) would, and returns `undefined` for any other request, before
 * running anything, so the caller hands it to tRPC's handler. The differences are in what the
 * callbacks get: `createContext` gets the request given here as `req` and no `resHeaders`
 * (set response headers through `responseMeta`), `onError` gets no `req`, and `info.url` is
 * `null`.
 *
 * @example
 * const answerQuery = createQueryHandler({ router, createContext: ({ req }) => contextOf(req), responseMeta: esiResponseMeta });
 * const answer = answerQuery({ method: req.method, path, search, header: (n) => req.headers[n], signal });
 * if (answer) return send(await answer);
 * return send(await fetchRequestHandler({ endpoint: '/trpc', req: toRequest(req), router, createContext }));
 */
export function createQueryHandler<
  TRouter extends AnyTRPCRouter,
  TRequest extends QueryRequest = QueryRequest,
>(
  options: QueryHandlerOptions<TRouter, TRequest>,
): (req: TRequest) => Promise<QueryAnswer> | undefined {
  const { router, createContext, responseMeta, onError } = options;
  const config = router._def._config as TRPCRootConfig<AnyTRPCRootTypes>;
  const procedures = router._def.procedures as Record<string, AnyTRPCProcedure | undefined>;
  const separator = (config as { pathSeparator?: string }).pathSeparator ?? '.';
  return (req) => {
    if (req.method !== 'GET' || separator !== '.') return undefined;
    // Streams, other content types and subscriptions' last event ids are tRPC's to handle.
    if (
      req.header('trpc-accept') !== undefined ||
      req.header('content-type') !== undefined ||
      req.header('last-event-id') !== undefined ||
      (req.header('accept') ?? '').includes('application/jsonl')
    )
      return undefined;
    const params = new URLSearchParams(req.search);
    let batch = false;
    let rawInput: string | null = null;
    for (const [key, value] of params) {
      if (key === 'batch' && value === '1' && !batch) batch = true;
      else if (key === 'input' && rawInput === null) rawInput = value;
      else return undefined;
    }
    if (req.path.includes('%') || req.path === '') return undefined;
    const paths = batch ? req.path.split(',') : [req.path];
    const calls: Call[] = [];
    for (const path of paths) {
      const procedure = Object.hasOwn(procedures, path) ? procedures[path] : undefined;
      if (procedure?._def.type !== 'query') return undefined;
      calls.push({ path, procedure, input: undefined });
    }
    if (rawInput) {
      let inputs: unknown;
      try {
        inputs = JSON.parse(rawInput);
        if (!batch) calls[0]!.input = config.transformer.input.deserialize(inputs);
        else if (typeof inputs !== 'object' || inputs === null || Array.isArray(inputs))
          return undefined;
        else
          for (const [index, call] of calls.entries()) {
            const input = (inputs as Record<string, unknown>)[index];
            if (input !== undefined) call.input = config.transformer.input.deserialize(input);
          }
      } catch {
        return undefined;
      }
    }
    return answer(req, calls, batch);
  };

  async function answer(req: TRequest, calls: Call[], batch: boolean): Promise<QueryAnswer> {
    const signal = req.signal;
    // As tRPC's memoised inputs: once any call has read its input, every call's result() has it.
    let read = false;
    const readInput = (call: Call): Promise<unknown> => {
      read = true;
      return Promise.resolve(call.input);
    };
    const info: TRPCRequestInfo = {
      accept: null,
      type: 'query',
      isBatchCall: batch,
      calls: calls.map((call, batchIndex) => ({
        path: call.path,
        batchIndex,
        procedure: call.procedure,
        getRawInput: () => readInput(call),
        result: () => (read ? call.input : undefined),
      })),
      connectionParams: null,
      signal,
      url: null,
    };
    let ctx: inferRouterContext<TRouter> | undefined;
    let ctxError: TRPCError | undefined;
    try {
      ctx = await createContext({ req, info });
    } catch (cause) {
      ctxError = getTRPCErrorFromUnknown(cause);
    }
    const results = await Promise.all(
      calls.map(async (call, batchIndex): Promise<[TRPCError | undefined, unknown]> => {
        try {
          if (ctxError) throw ctxError;
          const data: unknown = await callTRPCProcedure({
            router,
            path: call.path,
            getRawInput: () => readInput(call),
            ctx,
            type: 'query',
            signal,
            batchIndex,
          });
          return [undefined, data];
        } catch (cause) {
          const error = getTRPCErrorFromUnknown(cause);
          onError?.({
            error,
            path: call.path,
            input: info.calls[batchIndex]!.result(),
            ctx,
            type: 'query',
          });
          return [error, undefined];
        }
      }),
    );
    try {
      return respond(info, ctx, results, batch);
    } catch (cause) {
      // As tRPC: a failure while shaping the answer (the error formatter, responseMeta, a result
      // JSON cannot hold) is the request's own error, told to onError without path or input.
      const error = getTRPCErrorFromUnknown(cause);
      onError?.({ error, path: undefined, input: undefined, ctx, type: 'query' });
      const json: TRPCResponse[] = [
        {
          error: getTRPCErrorShape({
            config,
            ctx,
            error,
            input: undefined,
            path: undefined,
            type: 'query',
          }) as TRPCResponse extends { error: infer E } ? E : never,
        },
      ];
      const { status, headers } = head(info, ctx, json, [error], [error]);
      return { status, headers, body: JSON.stringify(transformTRPCResponse(config, json[0]!)) };
    }
  }

  function respond(
    info: TRPCRequestInfo,
    ctx: inferRouterContext<TRouter> | undefined,
    results: [TRPCError | undefined, unknown][],
    batch: boolean,
  ): QueryAnswer {
    const errors: (TRPCError | undefined)[] = [];
    const json = results.map(([error, data], index) => {
      const call = info.calls[index]!;
      let input = call.result();
      let path: string | undefined = call.path;
      if (!error && isDataStream(data)) {
        // As tRPC: a stream cannot go into a plain JSON answer. A single call's error is
        // tRPC's request-level one (onError told, without path or input); a batch's is not told.
        error = new TRPCError({
          code: 'UNSUPPORTED_MEDIA_TYPE',
          message:
            'Cannot use stream-like response in non-streaming request - use httpBatchStreamLink',
        });
        if (!batch) {
          input = path = undefined;
          onError?.({ error, path, input, ctx, type: 'query' });
        }
      }
      errors.push(error);
      if (!error) return { result: { data } };
      const shape: unknown = getTRPCErrorShape({ config, ctx, error, input, path, type: 'query' });
      return { error: shape };
    }) as TRPCResponse[];
    const defined = errors.filter((e): e is TRPCError => e !== undefined);
    // A batch's statuses pair with its errors by index (tRPC passes the holes too).
    const { status, headers } = head(info, ctx, json, batch ? errors : defined, defined);
    const body = JSON.stringify(transformTRPCResponse(config, batch ? json : json[0]!));
    return { status, headers, body };
  }

  /** Status and headers as tRPC's `initResponse`, with the fetch adapter's `responseMeta`. */
  function head(
    info: TRPCRequestInfo,
    ctx: inferRouterContext<TRouter> | undefined,
    json: TRPCResponse[],
    statusErrors: (TRPCError | undefined)[],
    errors: TRPCError[],
  ): { status: number; headers: Record<string, string | string[]> } {
    let status = getHTTPStatusCode(json, statusErrors);
    const headers: Record<string, string | string[]> = {
      vary: 'trpc-accept, accept',
      'content-type': 'application/json',
    };
    const meta = responseMeta?.({
      ctx,
      info,
      paths: info.calls.map((c) => c.path),
      data: json,
      errors,
      eagerGeneration: false,
      type: 'query',
    });
    // The fetch adapter first gathers responseMeta's headers into headers of its own (a
    // `Headers` appended; a record's strings set, its arrays appended), then tRPC appends those
    // to the answer's: so a `vary` from responseMeta adds to tRPC's, as it does there.
    const own: Record<string, string | string[]> = {};
    if (meta?.headers instanceof Headers)
      for (const [key, value] of meta.headers) append(own, key, value);
    else if (meta?.headers)
      for (const [name, value] of Object.entries(meta.headers)) {
        const key = name.toLowerCase();
        if (typeof value === 'string') own[key] = key === 'set-cookie' ? [value] : value;
        else if (Array.isArray(value)) for (const v of value) append(own, key, String(v));
      }
    for (const [key, value] of Object.entries(own))
      for (const v of [value].flat()) append(headers, key, v);
    if (meta?.status) status = meta.status;
    return { status, headers };
  }
}

interface Call {
  readonly path: string;
  readonly procedure: AnyTRPCProcedure;
  input: unknown;
}

function append(headers: Record<string, string | string[]>, key: string, value: string): void {
  const had = headers[key];
  if (key === 'set-cookie') headers[key] = [...(had === undefined ? [] : [had].flat()), value];
  else headers[key] = had === undefined ? value : `${String(had)}, ${value}`;
}

const isObject = (v: unknown): v is object =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isAsyncIterable = (v: unknown): boolean => isObject(v) && Symbol.asyncIterator in v;
const isPromise = (v: unknown): boolean =>
  (isObject(v) || typeof v === 'function') &&
  typeof (v as { then?: unknown }).then === 'function' &&
  typeof (v as { catch?: unknown }).catch === 'function';

/** tRPC's test for results that must be streamed: async iterables, or objects holding them or promises. */
function isDataStream(v: unknown): boolean {
  if (!isObject(v)) return false;
  if (isAsyncIterable(v)) return true;
  const values = Object.values(v) as unknown[];
  return values.some(isPromise) || values.some(isAsyncIterable);
}
