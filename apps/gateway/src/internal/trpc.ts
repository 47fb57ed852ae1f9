// /trpc: all of ESI (@esikit/trpc's router) plus the gateway's own procedures, over Fastify.
import type { FastifyInstance } from 'fastify';
import { initTRPC, TRPCError } from '@trpc/server';
import { fastifyTRPCPlugin, type CreateFastifyContextOptions } from '@trpc/server/adapters/fastify';
import { createEsiRouter, esiErrorFormatter, esiResponseMeta, toTRPCError } from '@esikit/trpc';
import type { GatewayContext } from './context.js';
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

const t = initTRPC.context<TrpcContext>().create({ errorFormatter: esiErrorFormatter });

// The app's own procedures call core too (the token store, SSO): its errors get the same
// codes and statuses as the ESI router's (a store outage is 503, not 500).
const coreErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.code === 'INTERNAL_SERVER_ERROR' && result.error.cause)
    throw toTRPCError(result.error.cause);
  return result;
});

const loggedIn = t.middleware(({ ctx, next }) => {
  if (ctx.userId === undefined)
    throw new TRPCError({ code: 'UNAUTHORIZED', message: 'log in first' });
  return next({ ctx: { userId: ctx.userId } });
});

async function buildRouter(ctx: GatewayContext) {
  const esiRouter = await createEsiRouter(t, {
    esi: ctx.esi,
    tokens: ctx.tokens,
    userId: (c) => c.userId,
    clock: ctx.sim ? () => ctx.sim!.clock.now() : Date.now,
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

export async function registerTrpc(app: FastifyInstance, ctx: GatewayContext): Promise<void> {
  const router = await buildRouter(ctx);
  await app.register(fastifyTRPCPlugin, {
    prefix: '/trpc',
    trpcOptions: {
      router,
      createContext: ({ req }: CreateFastifyContextOptions): TrpcContext => ({
        userId: req.session?.userId,
      }),
      responseMeta: esiResponseMeta,
      onError: ({ error, path }: { error: TRPCError; path: string | undefined }) => {
        if (error.code === 'INTERNAL_SERVER_ERROR')
          app.log.error(
            { path, err: { code: error.code, message: error.message } },
            'tRPC call failed',
          );
      },
    },
  });
}
