// Sessions from the signed cookie, CSRF checks on every state-changing request, the form body
// parser, request timing for /metrics, and one error handler that never leaks internals.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { EsikitError, suggestedHttpStatus } from '@esikit/core';
import type { GatewayContext } from './context.js';
import { errorSummary } from './housekeeping.js';
import { errorPage } from './html.js';
import { sameSecret, type Session } from './sessions.js';
import { GatewayStoreError } from './sql.js';

export const SESSION_COOKIE = 'esikit_sid';

declare module 'fastify' {
  interface FastifyRequest {
    /** The session named by the request's cookie, if it is valid. */
    session: Session | undefined;
    /**
     * Set instead of `session` when the cookie's session could not be read (the database is
     * down) on /trpc or /graphql, which answer it in their own error shape.
     */
    sessionFailure: GatewayStoreError | undefined;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The request's session, creating one (and its cookie) when there is none. */
export async function ensureSession(
  ctx: GatewayContext,
  req: FastifyRequest,
  reply: FastifyReply,
): Promise<Session> {
  if (req.session) return req.session;
  const session = await ctx.sessions.create();
  setSessionCookie(ctx, reply, session);
  req.session = session;
  return session;
}

export function setSessionCookie(ctx: GatewayContext, reply: FastifyReply, session: Session): void {
  reply.setCookie(SESSION_COOKIE, session.id, {
    signed: true,
    httpOnly: true,
    sameSite: 'lax',
    secure: ctx.secure,
    path: '/',
    maxAge: 7 * 24 * 3600,
  });
}

export function clearSessionCookie(ctx: GatewayContext, reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: ctx.secure,
  });
}

function apiOf(url: string): string {
  if (url.startsWith('/trpc')) return 'trpc';
  if (url.startsWith('/graphql')) return 'graphql';
  if (url.startsWith('/sso') || url.startsWith('/logout')) return 'sso';
  if (url === '/' || url.startsWith('/?') || url.startsWith('/assets')) return 'page';
  return 'other';
}

export function registerSecurity(app: FastifyInstance, ctx: GatewayContext): void {
  app.decorateRequest('session', undefined);
  app.decorateRequest('sessionFailure', undefined);

  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 16_384 },
    (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    },
  );

  app.addHook('onRequest', async (req) => {
    const raw = req.cookies[SESSION_COOKIE];
    if (raw === undefined) return;
    const unsigned = req.unsignCookie(raw);
    if (!unsigned.valid || unsigned.value === null) return;
    try {
      req.session = await ctx.sessions.get(unsigned.value);
    } catch (error) {
      // The error handler answers in JSON or HTML; tRPC and GraphQL clients expect their own
      // envelope, so those routes answer it themselves.
      const api = apiOf(req.url);
      if (!(error instanceof GatewayStoreError) || (api !== 'trpc' && api !== 'graphql'))
        throw error;
      req.sessionFailure = error;
    }
  });

  // After body parsing, so a form's _csrf field can be read.
  app.addHook('preHandler', async (req, reply) => {
    // Nothing can act for a session that could not be read: the route answers 503 unrun.
    if (SAFE_METHODS.has(req.method) || req.sessionFailure) return;
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== ctx.origin) {
      return refuse(
        reply,
        `cross-site request refused: Origin ${JSON.stringify(origin)} is not ${ctx.origin}`,
      );
    }
    // A request without the session cookie acts for nobody, so there is nothing to forge.
    if (req.cookies[SESSION_COOKIE] === undefined) return;
    const session = req.session;
    if (session === undefined)
      return refuse(reply, 'your session has expired; reload the page and try again');
    const header = req.headers['x-csrf-token'];
    const field = (req.body as { _csrf?: unknown } | undefined)?._csrf;
    const presented =
      typeof header === 'string' ? header : typeof field === 'string' ? field : undefined;
    if (presented === undefined || !sameSecret(presented, session.csrf))
      return refuse(
        reply,
        'missing or wrong CSRF token (x-csrf-token header or _csrf field); reload the page',
      );
  });

  app.addHook('onResponse', async (req, reply) => {
    ctx.metrics.http.observe(
      { api: apiOf(req.url), method: req.method, status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });

  app.setErrorHandler(async (error: unknown, req, reply) => {
    const status = httpStatusOf(error);
    const summary = errorSummary(error);
    if (status >= 500) req.log.error({ err: summary }, 'request failed');
    else req.log.info({ err: summary }, 'request refused');
    const message = publicMessage(error, status);
    const wantsHtml = (req.headers.accept ?? '').includes('text/html');
    reply.status(status);
    if (wantsHtml) {
      return reply.type('text/html; charset=utf-8').send(errorPage(ctx, status, message));
    }
    return reply.send({ error: summary.code ?? 'ERROR', message });
  });
}

function refuse(reply: FastifyReply, message: string): FastifyReply {
  return reply.status(403).send({ error: 'CSRF', message });
}

export function httpStatusOf(error: unknown): number {
  if (error instanceof EsikitError) return suggestedHttpStatus(error);
  const code = (error as { statusCode?: unknown }).statusCode;
  if (typeof code === 'number' && code >= 400 && code < 600) return code;
  return 500;
}

/** What every route says, in its own shape, when the database cannot be reached. */
export const DATABASE_UNAVAILABLE =
  'The database is unavailable right now. Your characters and tokens are safe; try again in a moment.';

/** The token store (core) or the gateway's own tables failed: the database is down. */
export function isStoreFailure(error: unknown): boolean {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return code === 'ESIKIT_TOKEN_STORE_FAILED' || code === 'ESIKIT_GATEWAY_STORE_FAILED';
}

/** What a user may read: core's messages (secret-free by design), a fixed text for the rest. */
export function publicMessage(error: unknown, status: number): string {
  if (isStoreFailure(error)) return DATABASE_UNAVAILABLE;
  if (error instanceof EsikitError) return error.message;
  if (status < 500 && error instanceof Error) return error.message;
  return 'Something went wrong on our side.';
}
