// /trpc: all of ESI (@esikit/trpc's router) plus the gateway's own procedures, over Fastify.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { initTRPC, TRPCError } from '@trpc/server';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import {
  createEsiRouter,
  createQueryHandler,
  esiErrorFormatter,
  esiResponseMeta,
  toTRPCError,
  type QueryAnswer,
  type QueryRequest,
} from '@esikit/trpc';
import { AnswerCache, type AnswerHeaders } from './answer-cache.js';
import type { GatewayContext } from './context.js';
import { DATABASE_UNAVAILABLE, isStoreFailure } from './security.js';
import { revokeOwnToken } from './sso-routes.js';
import { describeCharacters, describeTokens } from './views.js';

/**
 * The context of every tRPC call: the session's user, if logged in.
 *
 * @example
 * const ctx: TrpcContext = { userId: undefined }; // anonymous: public ESI only
 */
export interface TrpcContext {
  readonly userId: string | undefined;
}

const t = initTRPC.context<TrpcContext>().create({
  // A store outage reads the same wherever it happened (the session, core's token store, the
  // gateway's tables): one fixed message, never the driver's.
  errorFormatter: (opts) => {
    const shape = esiErrorFormatter(opts);
    return isStoreFailure(opts.error.cause) ? { ...shape, message: DATABASE_UNAVAILABLE } : shape;
  },
  // tRPC adds stack traces to errors unless NODE_ENV is 'production'; the demo runs without it.
  isDev: false,
});

/** The database is down: tRPC's 503, with the cause kept for the logs. */
function storeUnavailable(cause: unknown): TRPCError {
  return new TRPCError({ code: 'SERVICE_UNAVAILABLE', message: DATABASE_UNAVAILABLE, cause });
}

// The app's own procedures call core too (the token store, SSO): its errors get the same
// codes and statuses as the ESI router's (a store outage is 503, not 500).
const coreErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.code === 'INTERNAL_SERVER_ERROR' && result.error.cause)
    throw isStoreFailure(result.error.cause)
      ? storeUnavailable(result.error.cause)
      : toTRPCError(result.error.cause);
  return result;
});

const loggedIn = t.middleware(({ ctx, next }) => {
  if (ctx.userId === undefined)
    throw new TRPCError({ code: 'UNAUTHORIZED', message: 'log in first' });
  return next({ ctx: { userId: ctx.userId } });
});

/** The clock ESI's Expires are read with: the simulator's, when it is ESI. */
function clockOf(ctx: GatewayContext): () => number {
  const sim = ctx.sim;
  return sim ? () => sim.clock.now() : Date.now;
}

async function buildRouter(ctx: GatewayContext) {
  const esiRouter = await createEsiRouter(t, {
    esi: ctx.esi,
    tokens: ctx.tokens,
    userId: (c) => c.userId,
    clock: clockOf(ctx),
    ...(ctx.sim ? { live: { clock: ctx.sim.clock } } : {}),
  });
  const authed = t.procedure.use(coreErrors).use(loggedIn);
  return t.router({
    esi: esiRouter,
    /** Who is logged in, and whether ESI is the simulator. */
    me: t.procedure.query(({ ctx: c }) => ({
      loggedIn: c.userId !== undefined,
      userId: c.userId ?? null,
      simulated: ctx.simulated,
    })),
    /** The user's characters: scopes, token expiry, and those that need a new login. */
    myCharacters: authed.query(({ ctx: c, signal }) => describeCharacters(ctx, c.userId, signal)),
    /** The user's tokens, without any secret. */
    myTokens: authed.query(async ({ ctx: c, signal }) =>
      describeTokens(await ctx.tokens.forUser(c.userId, signal ? { signal } : {})),
    ),
    /** Revokes one of the user's tokens at SSO and deletes it. */
    revoke: authed
      .input((v: unknown) => {
        const id = (v as { tokenId?: unknown } | null)?.tokenId;
        if (typeof id !== 'string' || id === '' || id.length > 200)
          throw new TRPCError({
            code: 'BAD_REQUEST',
            message: 'tokenId must be a token id string',
          });
        return { tokenId: id };
      })
      .mutation(async ({ ctx: c, input, signal }) => {
        try {
          await revokeOwnToken(ctx, c.userId, input.tokenId, signal);
        } catch (error) {
          if ((error as { statusCode?: number }).statusCode === 404)
            throw new TRPCError({ code: 'NOT_FOUND', message: 'no such token among yours' });
          throw error;
        }
        return { revoked: input.tokenId };
      }),
  });
}

/**
 * The gateway's tRPC router type, for typed clients.
 *
 * @example
 * const trpc = createTRPCClient<GatewayRouter>({ links: [httpBatchLink({ url: '/trpc' })] });
 */
export type GatewayRouter = Awaited<ReturnType<typeof buildRouter>>;

/**
 * Mounts tRPC on one Fastify route. GET queries (single or batched, the common call) go through
 * `@esikit/trpc`'s query handler, which answers them as tRPC's handler does without building a
 * fetch `Request` and `Response`; everything else goes through tRPC's fetch adapter, where a
 * plain answer is read whole and sent as one buffer and only streams (SSE subscriptions,
 * `trpc-accept: application/jsonl` batches) are piped. (Fastify's own tRPC plugin cost about a
 * third of a cached call's throughput; tRPC's `resolveResponse` most of what was left.) Public
 * answers are kept in the shared answer cache (answer-cache.ts) when `answerCacheMb` > 0.
 */
export async function registerTrpc(app: FastifyInstance, ctx: GatewayContext): Promise<void> {
  const router = await buildRouter(ctx);
  const mb = ctx.config.answerCacheMb;
  const cache = mb > 0 ? new AnswerCache(mb * 2 ** 20, clockOf(ctx)) : undefined;
  // Subscriptions never end by themselves: closing the app ends them.
  const open = new Set<AbortController>();
  app.addHook('onClose', async () => {
    for (const c of open) c.abort();
  });
  const contextOf = (req: FastifyRequest): TrpcContext => {
    // Every call of the request (a whole batch) answers this 503 in tRPC's envelope.
    if (req.sessionFailure) throw storeUnavailable(req.sessionFailure);
    return { userId: req.session?.userId };
  };
  const onError = ({ error, path }: { error: TRPCError; path: string | undefined }): void => {
    if (error.code === 'INTERNAL_SERVER_ERROR' || error.code === 'SERVICE_UNAVAILABLE')
      app.log.error(
        { path, err: { code: error.code, message: error.message } },
        'tRPC call failed',
      );
  };
  const queries = createQueryHandler<GatewayRouter, QueryRequest & { raw: FastifyRequest }>({
    router,
    createContext: ({ req }) => contextOf(req.raw),
    responseMeta: esiResponseMeta,
    onError,
  });
  /** A GET query's answer through @esikit/trpc's query handler; undefined for anything else. */
  const answerQuery = (req: FastifyRequest, signal: AbortSignal) => {
    const url = req.url;
    const q = url.indexOf('?');
    const pathname = q === -1 ? url : url.slice(0, q);
    if (!pathname.startsWith('/trpc/')) return undefined;
    return queries({
      raw: req,
      method: req.method,
      path: pathname.slice('/trpc/'.length),
      search: q === -1 ? '' : url.slice(q + 1),
      header: (name) => {
        const value = req.headers[name];
        return Array.isArray(value) ? value.join(', ') : value;
      },
      signal,
    });
  };
  await app.register(async (scope) => {
    // tRPC reads the body itself: hand it over unparsed instead of parsing and re-serialising.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => {
      done(null, body);
    });
    const handler = async (req: FastifyRequest, reply: FastifyReply) => {
      const key = cache?.keyOf(req);
      // Before tRPC runs: max-age counts from a moment no earlier than this (RFC 9111's
      // request_time), so the stored copy expires no later than ESI's Expires.
      const requested = cache?.now();
      const hit = key === undefined ? undefined : cache!.get(key);
      if (hit) {
        ctx.metrics.answerCache.inc({ result: 'hit' });
        reply.status(hit.answer.status);
        for (const [name, value] of hit.answer.headers) void reply.header(name, value);
        void reply.header('age', String(hit.age));
        return reply.send(hit.answer.body);
      }
      const controller = new AbortController();
      open.add(controller);
      reply.raw.once('close', () => {
        open.delete(controller);
        // Only a client gone mid-answer (or a subscription) needs it: an abort builds a
        // DOMException, a cost every finished call would otherwise pay.
        if (!reply.raw.writableFinished) controller.abort();
      });
      const store = (status: number, headers: AnswerHeaders, body: Buffer): void => {
        if (key !== undefined && cache!.offer(key, status, headers, body, requested))
          ctx.metrics.answerCache.inc({ result: 'stored' });
      };
      const fast = answerQuery(req, controller.signal);
      if (fast) {
        const answer: QueryAnswer = await fast;
        reply.status(answer.status);
        for (const [name, value] of Object.entries(answer.headers)) void reply.header(name, value);
        if (key === undefined) return reply.send(answer.body);
        const body = Buffer.from(answer.body);
        store(answer.status, answer.headers, body);
        return reply.send(body);
      }
      const response = await fetchRequestHandler({
        endpoint: '/trpc',
        req: toRequest(req, ctx.origin, controller.signal),
        router,
        createContext: () => contextOf(req),
        responseMeta: esiResponseMeta,
        onError,
      });
      reply.status(response.status);
      const headers: Record<string, string> = {};
      response.headers.forEach((value, key) => {
        // Node frames the body itself: chunked for a stream, a length for a buffer.
        if (key !== 'transfer-encoding' && key !== 'content-length') void reply.header(key, value);
        headers[key] = value;
      });
      const streamed =
        response.headers.has('transfer-encoding') ||
        (response.headers.get('content-type') ?? '').includes('event-stream');
      if (response.body === null) return reply.send();
      if (streamed) return reply.send(response.body);
      const body = Buffer.from(await response.arrayBuffer());
      store(response.status, headers, body);
      return reply.send(body);
    };
    scope.route({ url: '/trpc/*', method: ['GET', 'POST'], handler });
  });
}

/**
 * A fetch `Request` whose `signal` is the given one. Handing a signal to `new Request()` makes
 * undici follow it with a signal of its own (a listener, a finalizer registration,
 * `setMaxListeners`); tRPC only reads `signal`, so the Request is built without one and answers
 * with the caller's. (In the profile of a cached call, toRequest went from 7.4 % to 4.4 %.)
 */
class SignalledRequest extends Request {
  readonly #signal: AbortSignal;
  constructor(url: string, init: RequestInit, signal: AbortSignal) {
    super(url, init);
    this.#signal = signal;
  }
  override get signal(): AbortSignal {
    return this.#signal;
  }
}

/** Fastify's request as the fetch `Request` tRPC's adapter takes; the body is the raw text. */
function toRequest(req: FastifyRequest, origin: string, signal: AbortSignal): Request {
  const headers = new Headers();
  for (const [key, value] of Object.entries(req.headers)) {
    if (typeof value === 'string') headers.set(key, value);
    else if (Array.isArray(value)) for (const v of value) headers.append(key, v);
  }
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  return new SignalledRequest(
    origin + req.url,
    {
      method: req.method,
      headers,
      ...(hasBody ? { body: typeof req.body === 'string' ? req.body : '' } : {}),
    },
    signal,
  );
}
