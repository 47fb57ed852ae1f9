// Middlewares for the app's own procedures, after django-esi's view decorators: `token_required`
// (one character's token with the scopes), `tokens_required` (all of the user's tokens with the
// scopes) and `single_use_token` (a token from an SSO login completed by this very call). The
// choice of token is core's (`tokenFor`, `hasScopes`); these only read the context and convert.
import type { AccessTokenSource } from '@esikit/core';
import {
  completeLogin,
  hasScopes,
  tokenFor,
  TokenForbiddenError,
  type Token,
  type TokenManager,
} from '@esikit/core/sso';
import { experimental_standaloneMiddleware } from '@trpc/server';
import { EsiTRPCError, toTRPCError } from './errors.js';
import { EsiRouterOptionError } from './options.js';

/**
 * Options of {@link createEsiAuth}.
 *
 * @example
 * const auth = createEsiAuth<Ctx>({ tokens, userId: (ctx) => ctx.session?.userId });
 */
export interface EsiAuthOptions<TCtx> {
  /** The app's token manager, or a function of the context. */
  readonly tokens: TokenManager | ((ctx: TCtx) => TokenManager);
  /** The logged-in user (the `userId` their tokens are stored with), or undefined. */
  readonly userId: (ctx: TCtx) => string | undefined | null | Promise<string | undefined | null>;
  /**
   * The character a `tokenRequired` call is for, read from the procedure's input.
   * @default input.character_id
   */
  readonly characterId?: (input: unknown) => unknown;
  /** The session of a `singleUseToken` call (the one its login was started in). */
  readonly sessionKey?: (ctx: TCtx) => string | undefined;
}

/**
 * What `tokenRequired` and `singleUseToken` add to the context.
 *
 * @example
 * .query(({ ctx }: { ctx: EsiTokenContext }) => esi.request(id, params, { token: ctx.tokenSource }).result())
 */
export interface EsiTokenContext {
  /** The user's token of the character, with the scopes. */
  readonly token: Token;
  /** The same token as a source that refreshes it safely: pass it as `{ token }` to core. */
  readonly tokenSource: AccessTokenSource;
}

/**
 * Creates the three middlewares for the app's own procedures. Each answers `UNAUTHORIZED` when
 * nobody is logged in and `FORBIDDEN` (with core's `ESIKIT_TOKEN_FORBIDDEN`) when the user has
 * no such token, before the procedure runs.
 *
 * @example
 * const auth = createEsiAuth<Ctx>({ tokens, userId: (ctx) => ctx.userId });
 * const wallet = t.procedure
 *   .input(z.object({ character_id: z.number() }))
 *   .use(auth.tokenRequired(['esi-wallet.read_character_wallet.v1']))
 *   .query(({ ctx }) => esi.request('GetCharactersCharacterIdWallet', { character_id: ctx.token.characterId }, { token: ctx.tokenSource }).result());
 */
export function createEsiAuth<TCtx extends object>(options: EsiAuthOptions<TCtx>) {
  if (typeof options !== 'object' || options === null)
    throw new EsiRouterOptionError('createEsiAuth: options must be an object { tokens, userId }');
  if (typeof options.userId !== 'function')
    throw new EsiRouterOptionError(
      `createEsiAuth: "userId" must be a function of the context, got ${typeof options.userId}`,
    );
  const manager = (ctx: TCtx): TokenManager =>
    typeof options.tokens === 'function' ? options.tokens(ctx) : options.tokens;
  if (typeof options.tokens !== 'function' && typeof options.tokens?.find !== 'function')
    throw new EsiRouterOptionError(
      `createEsiAuth: "tokens" must be a TokenManager or a function of the context, got ${typeof options.tokens}`,
    );
  const characterOf =
    options.characterId ??
    ((input: unknown) => (input as { character_id?: unknown } | undefined)?.character_id);

  async function user(ctx: TCtx, what: string): Promise<string> {
    const id = await options.userId(ctx);
    if (typeof id !== 'string' || id === '')
      throw new EsiTRPCError('UNAUTHORIZED', `${what} needs a logged-in user`, {
        esiCode: 'ESIKIT_TOKEN_REQUIRED',
      });
    return id;
  }

  return {
    /**
     * django-esi's `token_required`: the logged-in user's own token of the character the input
     * names (`character_id` unless `characterId` says otherwise) with every scope; the newest
     * such token. `ctx.token` and `ctx.tokenSource` in the procedure.
     */
    tokenRequired(scopes: readonly string[] = []) {
      return experimental_standaloneMiddleware<{ ctx: TCtx }>().create(async (opts) => {
        try {
          const userId = await user(opts.ctx as unknown as TCtx, 'this procedure');
          const input = await opts.getRawInput();
          const characterId = characterOf(input);
          if (typeof characterId !== 'number')
            throw new EsiTRPCError('BAD_REQUEST', 'the input names no character (character_id)', {
              esiCode: 'ESIKIT_VALIDATION',
            });
          const tokens = manager(opts.ctx as unknown as TCtx);
          const signal = opts.signal ? { signal: opts.signal } : {};
          // Core picks among the user's own tokens only; the other scopes are checked on its pick
          // and, failing that, on the rest of the user's tokens of the character.
          const first = await tokenFor(tokens, {
            userId,
            characterId,
            scope: scopes[0],
            ...signal,
          });
          const token = hasScopes(first, scopes)
            ? first
            : (await tokens.find({ userId, characterId }, signal))
                .filter((x) => hasScopes(x, scopes))
                .at(-1);
          if (!token) throw new TokenForbiddenError('missing-scope', characterId, scopes.join(' '));
          return opts.next({
            ctx: { token, tokenSource: tokens.source(token) } satisfies EsiTokenContext,
          });
        } catch (error) {
          throw toTRPCError(error);
        }
      });
    },

    /**
     * django-esi's `tokens_required`: every token of the logged-in user with the scopes, oldest
     * first, as `ctx.tokens` (`FORBIDDEN` when there is none).
     */
    tokensRequired(scopes: readonly string[] = []) {
      return experimental_standaloneMiddleware<{ ctx: TCtx }>().create(async (opts) => {
        try {
          const userId = await user(opts.ctx as unknown as TCtx, 'this procedure');
          const mine = await manager(opts.ctx as unknown as TCtx).forUser(
            userId,
            opts.signal ? { signal: opts.signal } : {},
          );
          const tokens = mine.filter((x) => hasScopes(x, scopes));
          if (tokens.length === 0)
            throw new EsiTRPCError(
              'FORBIDDEN',
              `none of your characters has a token with ${scopes.join(' ') || 'any scope'}; log in again asking for it`,
              { esiCode: 'ESIKIT_TOKEN_FORBIDDEN' },
            );
          return opts.next({ ctx: { tokens } });
        } catch (error) {
          throw toTRPCError(error);
        }
      });
    },

    /**
     * django-esi's `single_use_token`: the call completes an SSO login itself (the input's
     * `ssoCallback`: the callback URL or its query, for a login started with `startLogin` in
     * this session) and hands its token to the procedure as `ctx.token`/`ctx.tokenSource`,
     * refusing it (`FORBIDDEN`) without the scopes. The token is stored as every login's is
     * (with no user, unless the login was started with one).
     */
    singleUseToken(scopes: readonly string[] = []) {
      return experimental_standaloneMiddleware<{ ctx: TCtx }>().create(async (opts) => {
        try {
          const sessionKey = options.sessionKey?.(opts.ctx as unknown as TCtx);
          if (typeof sessionKey !== 'string' || sessionKey === '')
            throw new EsiTRPCError('UNAUTHORIZED', 'singleUseToken needs a session (sessionKey)', {
              esiCode: 'ESIKIT_TOKEN_REQUIRED',
            });
          const input = (await opts.getRawInput()) as { ssoCallback?: unknown } | undefined;
          const callback = input?.ssoCallback;
          if (typeof callback !== 'string' || callback === '')
            throw new EsiTRPCError(
              'BAD_REQUEST',
              'the input has no "ssoCallback" (the SSO callback URL)',
              {
                esiCode: 'ESIKIT_VALIDATION',
              },
            );
          const tokens = manager(opts.ctx as unknown as TCtx);
          const { token } = await completeLogin(tokens, {
            sessionKey,
            callback, // the URL or its query: core reads either
            ...(opts.signal ? { signal: opts.signal } : {}),
          });
          if (!hasScopes(token, scopes))
            throw new TokenForbiddenError('missing-scope', token.characterId, scopes.join(' '));
          return opts.next({
            ctx: { token, tokenSource: tokens.source(token) } satisfies EsiTokenContext,
          });
        } catch (error) {
          throw toTRPCError(error);
        }
      });
    },
  };
}
