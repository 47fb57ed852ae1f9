// Wires the gateway together in one place: simulator (when no EVE app is configured), database,
// ESI client, token manager, sessions, and the HTTP surface (page, SSO, tRPC, GraphQL, health,
// metrics). Each concern lives in its own module; this file only composes them.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import fastifyCookie from '@fastify/cookie';
import { createEsiClient, type EsiClientWithTags } from '@esikit/core';
import { createSso, TokenManager } from '@esikit/core/sso';
import { openEsikitDatabase, type EsikitDatabase } from '@esikit/mikro-orm';
import { DEFAULT_CLIENT, startSimulator, type Simulator } from '@esikit/simulator';
import type { GatewayConfig } from './config.js';
import { DeadCharacters } from './internal/dead-characters.js';
import { errorSummary, Housekeeping } from './internal/housekeeping.js';
import { GatewayMetrics } from './internal/metrics.js';
import { registerGraphql } from './internal/graphql.js';
import { registerHealth } from './internal/health.js';
import { registerPage } from './internal/page.js';
import { registerSecurity } from './internal/security.js';
import { SessionStore } from './internal/sessions.js';
import { registerSso } from './internal/sso-routes.js';
import { registerTrpc } from './internal/trpc.js';
import type { GatewayContext } from './internal/context.js';

/**
 * The gateway's version, as sent in ESI's User-Agent.
 *
 * @example
 * console.log(`esikit-gateway/${GATEWAY_VERSION}`);
 */
export const GATEWAY_VERSION = '0.0.0';

/**
 * Overrides for tests and the smoke tour; the environment decides everything else.
 *
 * @example
 * await startGateway(config, { simulator: sim, logStream: false });
 */
export interface StartGatewayOptions {
  /** Use this simulator instead of starting one (simulated mode only). */
  readonly simulator?: Simulator;
  /** Where Fastify's pino logger writes; `false` turns logging off. @default stdout */
  readonly logStream?: NodeJS.WritableStream | false;
  /** Cancels start-up. */
  readonly signal?: AbortSignal;
}

/**
 * A running gateway.
 *
 * @example
 * const gw: Gateway = await startGateway(config);
 * await gw.housekeeping.run(); // one housekeeping run now
 * await gw.close();
 */
export interface Gateway {
  /** The site's origin, e.g. `http://127.0.0.1:8080`. */
  readonly url: string;
  readonly simulated: boolean;
  readonly simulator: Simulator | undefined;
  readonly app: FastifyInstance;
  readonly esi: EsiClientWithTags;
  readonly tokens: TokenManager;
  readonly db: EsikitDatabase;
  readonly metrics: GatewayMetrics;
  readonly housekeeping: Housekeeping;
  /** Stops taking connections, lets in-flight requests finish, closes ESI, the database and the simulator. */
  close(): Promise<void>;
}

/**
 * Starts the gateway: listens first (so the SSO callback URL knows the port), then opens the
 * database and wires the routes; requests arriving before that get 503.
 *
 * @example
 * const gw = await startGateway(loadConfig(process.env));
 * console.log(`open ${gw.url}`);
 * process.once('SIGTERM', () => void gw.close());
 */
export async function startGateway(
  config: GatewayConfig,
  options: StartGatewayOptions = {},
): Promise<Gateway> {
  const { signal } = options;
  const server = createServer({ keepAlive: true });
  const booting = (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(503, { 'content-type': 'text/plain', 'retry-after': '1' }).end('starting\n');
  };
  server.on('request', booting);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const cleanup: (() => Promise<void>)[] = [() => closeServer(server)];
  const undo = async () => {
    for (const c of cleanup.reverse()) await c().catch(() => undefined);
  };
  try {
    const port = (server.address() as AddressInfo).port;
    const origin =
      config.publicUrl?.replace(/\/$/, '') ?? `http://${hostForUrl(config.host)}:${port}`;

    const simulated = config.eve === undefined;
    // The simulator (this thread's CPU) and the embedded database (PGlite starts in a worker)
    // start side by side; whichever started is closed if the other fails.
    const [simStart, dbStart] = await Promise.allSettled([
      simulated && options.simulator === undefined
        ? startSimulator({ ...(signal ? { signal } : {}) })
        : Promise.resolve(options.simulator),
      openEsikitDatabase({
        ...(config.databaseUrl !== undefined
          ? { url: config.databaseUrl }
          : { dataDir: config.dataDir ?? '.esikit/db' }),
        ...(config.databaseUrl !== undefined ? { migrate: config.migrate } : {}),
        ...(config.dbTemplateDir !== undefined ? { templateDir: config.dbTemplateDir } : {}),
        // Only what the configuration read: the database's own default template place.
        env: config.cacheHome !== undefined ? { XDG_CACHE_HOME: config.cacheHome } : {},
        ...(signal ? { signal } : {}),
      }),
    ]);
    const sim = simStart.status === 'fulfilled' ? simStart.value : undefined;
    if (sim && sim !== options.simulator) cleanup.push(() => sim.close());
    if (dbStart.status === 'fulfilled') {
      const opened = dbStart.value;
      cleanup.push(() => opened.close());
    }
    if (simStart.status === 'rejected') throw simStart.reason;
    if (dbStart.status === 'rejected') throw dbStart.reason;
    const db = dbStart.value;
    signal?.throwIfAborted();
    const clock = sim ? () => sim.clock.now() : Date.now;

    const metrics = new GatewayMetrics(() => esi);
    const esi: EsiClientWithTags = createEsiClient({
      ...(sim ? { baseUrl: sim.esiUrl } : {}),
      appInfo: {
        name: 'esikit-gateway',
        version: GATEWAY_VERSION,
        url: 'https://github.com/esikit/esikit',
      },
      contactEmail: config.eve?.contactEmail ?? 'demo@esikit.invalid',
      clock,
      onRequest: metrics.onEsiRequest,
    });
    cleanup.push(() => esi.close());

    const sso = createSso({
      clientId: config.eve?.clientId ?? DEFAULT_CLIENT.clientId,
      clientSecret: config.eve?.clientSecret ?? DEFAULT_CLIENT.clientSecret!,
      callbackUrl: config.eve?.callbackUrl ?? `${origin}/sso/callback`,
      ...(sim ? { ssoUrl: sim.ssoUrl } : {}),
      clock,
    });
    const dead = await DeadCharacters.open(db);
    const tokens = new TokenManager({
      sso,
      store: db.store,
      clock,
      // The token is gone either way; failing to flag must not turn SSO's answer into an error.
      onTokenRemoved: (event) =>
        dead
          .onTokenRemoved(event)
          .catch((error: unknown) =>
            app.log.warn(
              { err: errorSummary(error), characterId: event.characterId },
              'could not flag a character as needing a new login',
            ),
          ),
      // Every refresh core sends to SSO, in requests and housekeeping alike, counted once.
      onTokenRefresh: metrics.onTokenRefresh,
      logger: { warn: (message, details) => app.log.warn(details ?? {}, message) },
    });

    const app: FastifyInstance = Fastify<Server>({
      serverFactory: (handler) => {
        server.off('request', booting);
        server.on('request', handler);
        return server;
      },
      routerOptions: { maxParamLength: 5000 },
      bodyLimit: 1 << 20,
      logger:
        options.logStream === false
          ? false
          : {
              level: config.logLevel,
              ...(options.logStream ? { stream: options.logStream } : {}),
              redact: {
                paths: [
                  'req.headers.authorization',
                  'req.headers.cookie',
                  'req.headers["x-csrf-token"]',
                  'res.headers["set-cookie"]',
                  '*.accessToken',
                  '*.refreshToken',
                  '*.access_token',
                  '*.refresh_token',
                  '*.clientSecret',
                ],
                censor: '[redacted]',
              },
              serializers: {
                // The query string of /sso/callback holds the authorization code.
                req: (req: { method: string; url: string; ip?: string }) => ({
                  method: req.method,
                  url: req.url.split('?')[0] ?? '',
                  ip: req.ip,
                }),
              },
            },
    });
    const sessions = await SessionStore.open(db);
    const housekeeping = new Housekeeping(tokens, metrics, app.log, sessions);
    const ctx: GatewayContext = {
      config,
      origin,
      simulated,
      sim,
      esi,
      tokens,
      db,
      metrics,
      sessions,
      dead,
      secure: origin.startsWith('https:'),
    };

    await app.register(fastifyCookie, { secret: config.sessionSecret });
    registerSecurity(app, ctx);
    registerHealth(app, ctx);
    registerSso(app, ctx);
    registerPage(app, ctx);
    await registerTrpc(app, ctx);
    await registerGraphql(app, ctx);
    await app.ready();
    signal?.throwIfAborted();

    if (simulated)
      app.log.warn(
        { esi: sim?.esiUrl, sso: sim?.ssoUrl },
        'SIMULATED ESI: no EVE application configured (EVE_CLIENT_ID, EVE_CLIENT_SECRET, EVE_CALLBACK_URL); ESI and EVE SSO are the in-process simulator',
      );
    app.log.info({ url: origin, database: db.kind }, 'esikit gateway listening');
    housekeeping.start(config.housekeepingIntervalS);

    let closing: Promise<void> | undefined;
    return {
      url: origin,
      simulated,
      simulator: sim,
      app,
      esi,
      tokens,
      db,
      metrics,
      housekeeping,
      close: () =>
        (closing ??= (async () => {
          await housekeeping.stop();
          await app.close(); // onClose hooks: tRPC subscriptions, Yoga
          await undo();
        })()),
    };
  } catch (error) {
    await undo();
    throw error;
  }
}

function hostForUrl(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

/** Stops accepting, lets requests in flight finish, then cuts what is left (SSE streams) after 5 s. */
function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    const force = setTimeout(() => server.closeAllConnections(), 5000);
    force.unref();
    server.close(() => {
      clearTimeout(force);
      resolve();
    });
    server.closeIdleConnections();
  });
}
