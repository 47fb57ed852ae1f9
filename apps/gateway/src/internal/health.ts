// Liveness, readiness (database and ESI answer) and the Prometheus endpoint.
import type { FastifyInstance } from 'fastify';
import type { GatewayContext } from './context.js';
import { errorSummary } from './housekeeping.js';

const CHECK_TIMEOUT_MS = 3000;

export function registerHealth(app: FastifyInstance, ctx: GatewayContext): void {
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (req, reply) => {
    const [database, esi] = await Promise.all([
      check(async (signal) => {
        // A real round trip to the database, not a look at the pool.
        const em = ctx.db.orm.em.fork();
        await raceAbort(em.getConnection().execute('select 1'), signal);
      }),
      check(async (signal) => {
        // /status is cached by core: inside its window this answers without asking ESI.
        await ctx.esi.Status.getStatus().result({ signal });
      }),
    ]);
    const ready = database.ok && esi.ok;
    if (!ready) req.log.warn({ database, esi }, 'not ready');
    return reply.status(ready ? 200 : 503).send({
      status: ready ? 'ready' : 'not ready',
      simulated: ctx.simulated,
      checks: { database, esi },
    });
  });

  app.get('/metrics', async (_req, reply) => {
    const body = await ctx.metrics.registry.metrics();
    return reply.type(ctx.metrics.registry.contentType).send(body);
  });
}

async function check(
  run: (signal: AbortSignal) => Promise<void>,
): Promise<{ ok: true; ms: number } | { ok: false; ms: number; error: string }> {
  const started = performance.now();
  const signal = AbortSignal.timeout(CHECK_TIMEOUT_MS);
  try {
    await run(signal);
    return { ok: true, ms: Math.round(performance.now() - started) };
  } catch (error) {
    const s = errorSummary(
      signal.aborted ? new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`) : error,
    );
    return {
      ok: false,
      ms: Math.round(performance.now() - started),
      error: s.code ? `${s.code}: ${s.message}` : s.message,
    };
  }
}

function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
