// EVE SSO login, callback, logout and token revocation, all through core's login flow.
import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { completeLogin, startLogin } from '@esikit/core/sso';
import type { GatewayContext } from './context.js';
import { errorPage } from './html.js';
import { clearSessionCookie, ensureSession, setSessionCookie } from './security.js';
import { newUserId, safeReturnUrl } from './sessions.js';

interface LoginBody {
  readonly returnUrl?: string;
}

export function registerSso(app: FastifyInstance, ctx: GatewayContext): void {
  // POST, CSRF-checked: a page on another site cannot start a login in this browser.
  app.post<{ Body: LoginBody | undefined }>('/sso/login', async (req, reply) => {
    const session = await ensureSession(ctx, req, reply);
    const asked = req.body?.returnUrl;
    const returnUrl = asked === undefined || asked === '' ? '/' : safeReturnUrl(asked, ctx.origin);
    if (returnUrl === undefined)
      return reply.status(400).send({
        error: 'BAD_RETURN_URL',
        message: 'returnUrl must be a path on this site, such as /',
      });
    const { url } = await startLogin(ctx.tokens, {
      sessionKey: session.id,
      scopes: ctx.config.scopes,
      returnUrl,
      userId: session.userId ?? newUserId(),
      signal: abortOnClose(reply.raw),
    });
    return reply.redirect(url.href, 303);
  });

  app.get('/sso/callback', async (req, reply) => {
    const session = req.session;
    if (session === undefined)
      return reply
        .status(400)
        .type('text/html; charset=utf-8')
        .send(
          errorPage(
            ctx,
            400,
            'This login did not start in this browser session (no session cookie). Start it again.',
          ),
        );
    try {
      const { token, returnUrl } = await completeLogin(ctx.tokens, {
        sessionKey: session.id,
        callback: new URL(req.url, ctx.origin),
        signal: abortOnClose(reply.raw),
      });
      ctx.metrics.logins.inc({ result: 'ok' });
      const userId = token.userId ?? session.userId ?? newUserId();
      await ctx.dead.clear(userId, token.characterId);
      // A new session id after login: an id planted before the login is worth nothing after it.
      const fresh = await ctx.sessions.rotate(session, userId);
      setSessionCookie(ctx, reply, fresh);
      req.log.info({ characterId: token.characterId, userId }, 'login completed');
      return reply.redirect(safeReturnUrl(returnUrl, ctx.origin) ?? '/', 303);
    } catch (error) {
      ctx.metrics.logins.inc({ result: 'failed' });
      throw error;
    }
  });

  app.post('/logout', async (req, reply) => {
    if (req.session) await ctx.sessions.destroy(req.session.id);
    clearSessionCookie(ctx, reply);
    return reply.redirect('/', 303);
  });

  app.post<{ Params: { id: string } }>('/tokens/:id/revoke', async (req, reply) => {
    await revokeOwnToken(ctx, req.session?.userId, req.params.id, abortOnClose(reply.raw));
    return reply.redirect('/', 303);
  });
}

/** Refused for anyone but the token's owner; at SSO, then in the store (core's `revoke`). */
export async function revokeOwnToken(
  ctx: GatewayContext,
  userId: string | undefined,
  tokenId: string,
  signal?: AbortSignal,
): Promise<void> {
  if (userId === undefined) throw httpError(401, 'log in first');
  const mine = await ctx.tokens.forUser(userId, signal ? { signal } : {});
  // The same answer for "not yours" and "no such token": ids of others' tokens stay unknowable.
  if (!mine.some((t) => t.id === tokenId)) throw httpError(404, 'no such token among yours');
  // Not flagged "needs a new login": core reports this deletion as 'revoked', not 'invalid_grant'.
  await ctx.tokens.revoke(tokenId, signal ? { signal } : {});
}

export function httpError(statusCode: number, message: string): Error & { statusCode: number } {
  return Object.assign(new Error(message), { statusCode });
}

/** A signal that aborts when the client goes away before the answer. */
export function abortOnClose(res: ServerResponse): AbortSignal {
  const controller = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) controller.abort(new Error('client closed the request'));
  });
  return controller.signal;
}
