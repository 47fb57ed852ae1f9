// The web page: server-rendered HTML plus one small script and one stylesheet, no build step.
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { GatewayContext } from './context.js';
import { homePage } from './html.js';
import { ensureSession } from './security.js';
import { describeCharacters } from './views.js';

// The same path from src/internal and dist/internal.
const PUBLIC = new URL('../../public/', import.meta.url);

export function registerPage(app: FastifyInstance, ctx: GatewayContext): void {
  const css = readFileSync(new URL('app.css', PUBLIC), 'utf8');
  const js = readFileSync(new URL('app.js', PUBLIC), 'utf8');

  app.get('/', async (req, reply) => {
    const session = await ensureSession(ctx, req, reply);
    const characters = session.userId ? await describeCharacters(ctx, session.userId) : [];
    return reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .header(
        'content-security-policy',
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; form-action 'self' " +
          (ctx.sim ? ctx.sim.ssoUrl : 'https://login.eveonline.com') +
          "; frame-ancestors 'none'",
      )
      .send(homePage(ctx, { csrf: session.csrf, userId: session.userId, characters }));
  });
  app.get('/assets/app.css', (_req, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=300').send(css),
  );
  app.get('/assets/app.js', (_req, reply) =>
    reply
      .type('text/javascript; charset=utf-8')
      .header('cache-control', 'public, max-age=300')
      .send(js),
  );
}
