// The test app: a tRPC 11 app with its own context, superjson and error formatter, its own
// procedures beside `esi`, served by the standalone HTTP adapter on loopback port 0, against the
// simulator (frozen clock). Two users and three characters: alice owns A1 (wallet, skills) and
// A2 (skills only, plus corporation wallets), bob owns B1 (wallet).
import { existsSync } from 'node:fs';
import { expect } from 'vitest';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createEsiClient,
  type EsiClient,
  type EsiClientOptions,
  type EsiRequestEvent,
} from '@esikit/core';
import { createSso, MemoryTokenStore, TokenManager } from '@esikit/core/sso';
import {
  DEFAULT_CLIENT,
  NO_VIOLATIONS,
  SimulatorClock,
  startSimulator,
  type Simulator,
  type SimulatorOptions,
} from '@esikit/simulator';
import {
  createTRPCClient,
  httpBatchLink,
  httpBatchStreamLink,
  httpSubscriptionLink,
  splitLink,
  TRPCClientError,
  type TRPCClient,
} from '@trpc/client';
import { initTRPC } from '@trpc/server';
import { createHTTPServer } from '@trpc/server/adapters/standalone';
import { EventSource } from 'eventsource';
import superjson from 'superjson';
import { createEsiAuth, createEsiRouter, esiErrorData, esiResponseMeta } from '../src/index.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** CCP's spec: `ESI_SPEC_FILE` (relative to the cwd or the repo root), else the shared copy. */
export const SPEC_FILE = ((): string => {
  const fromEnv = process.env.ESI_SPEC_FILE;
  if (fromEnv) {
    const found = [resolve(fromEnv), resolve(repoRoot, fromEnv)].find((c) => existsSync(c));
    if (found) return found;
  }
  return fileURLToPath(new URL('../../../../shared/esi/openapi.json', import.meta.url));
})();

/** One second after a whole hour: every cache window has just started. */
export const T0 = Date.UTC(2026, 10, 22, 12, 0, 1);

export const WALLET = 'esi-wallet.read_character_wallet.v1';
export const SKILLS = 'esi-skills.read_skills.v1';
export const CORP_WALLET = 'esi-wallet.read_corporation_wallets.v1';
export const TRANSACTIONS = WALLET;

/** The app's own context: who is logged in, and a request id of its own. */
export interface AppContext {
  readonly userId: string | undefined;
  readonly sessionKey: string | undefined;
  readonly requestId: string;
}

function makeT() {
  return initTRPC.context<AppContext>().create({
    transformer: superjson,
    errorFormatter: ({ shape, error }) => ({
      ...shape,
      data: { ...shape.data, ...esiErrorData(error), app: 'test-app' },
    }),
  });
}

export async function makeRouter(
  t: ReturnType<typeof makeT>,
  esi: EsiClient,
  tokens: TokenManager,
  sim: Simulator,
) {
  const auth = createEsiAuth<AppContext>({
    tokens,
    userId: (ctx) => ctx.userId,
    sessionKey: (ctx) => ctx.sessionKey,
  });
  const esiRouter = await createEsiRouter(t, {
    esi,
    tokens,
    userId: (ctx) => ctx.userId,
    clock: () => sim.clock.now(),
    live: { clock: sim.clock },
  });
  return t.router({
    esi: esiRouter,
    hello: t.procedure.query(({ ctx }) => ({ at: new Date(T0), requestId: ctx.requestId })),
    myWallet: t.procedure
      .input((v) => v as { character_id: number })
      .use(auth.tokenRequired([WALLET]))
      .query(async ({ ctx, input, signal }) => ({
        characterId: ctx.token.characterId,
        balance: await esi
          .request(
            'GetCharactersCharacterIdWallet',
            { character_id: input.character_id },
            { token: ctx.tokenSource },
          )
          .result(signal ? { signal } : {}),
      })),
    singleUse: t.procedure
      .input((v) => v as { ssoCallback: string })
      .use(auth.singleUseToken([SKILLS]))
      .mutation(({ ctx }) => ({
        characterId: ctx.token.characterId,
        userId: ctx.token.userId ?? null,
      })),
    myCharacters: t.procedure
      .use(auth.tokensRequired([SKILLS]))
      .query(({ ctx }) => ctx.tokens.map((x) => x.characterId).sort((a, b) => a - b)),
  });
}

export type AppRouter = Awaited<ReturnType<typeof makeRouter>>;

export interface TestApp extends AsyncDisposable {
  readonly sim: Simulator;
  readonly esi: EsiClient;
  readonly tokens: TokenManager;
  /** The app's router, for tests that serve it some other way. */
  readonly router: AppRouter;
  readonly url: string;
  readonly users: { alice: string; bob: string };
  readonly chars: { a1: number; a2: number; b1: number };
  /** A client for `user` (by header) over `link`. */
  client(
    user: string | undefined,
    link?: 'batch' | 'stream',
    session?: string,
  ): TRPCClient<AppRouter>;
  /** Requests the simulator saw for an operation. */
  seen(operationId: string): number;
  /** What the ESI client reported for each request (its `onRequest` hook). */
  readonly events: EsiRequestEvent[];
  /** Responses the HTTP server sent, with their Cache-Control header. */
  readonly responses: { url: string; cacheControl: string | undefined }[];
  close(): Promise<void>;
}

export async function startApp(
  simOptions: SimulatorOptions = {},
  clientOptions: EsiClientOptions = {},
): Promise<TestApp> {
  const clock = new SimulatorClock();
  clock.freeze(T0);
  const sim = await startSimulator({ spec: SPEC_FILE, clock, ...simOptions });
  const events: EsiRequestEvent[] = [];
  const esi = createEsiClient({
    appInfo: { name: 'esikit-trpc-tests', version: '1.0.0' },
    contactEmail: 'tests@esikit.invalid',
    baseUrl: sim.esiUrl,
    clock: () => sim.clock.now(),
    retries: { backoffFactor: 0.001 },
    onRequest: (event) => events.push(event),
    ...clientOptions,
  });
  const sso = createSso({
    clientId: DEFAULT_CLIENT.clientId,
    clientSecret: DEFAULT_CLIENT.clientSecret!,
    callbackUrl: 'http://127.0.0.1:9/sso/callback',
    ssoUrl: sim.ssoUrl,
    clock: () => sim.clock.now(),
    jwksRefetchCooldownMs: 0,
    timeoutMs: 5_000,
  });
  const store = new MemoryTokenStore();
  const tokens = new TokenManager({ sso, store });
  const [c0, c1, c2] = sim.characters;
  const chars = { a1: c0!.id, a2: c1!.id, b1: c2!.id };
  const users = { alice: 'alice', bob: 'bob' };
  await sim.seedTokenStore(store, [
    { characterId: chars.a1, scopes: [WALLET, SKILLS], userId: users.alice },
    { characterId: chars.a2, scopes: [SKILLS, CORP_WALLET], userId: users.alice },
    { characterId: chars.b1, scopes: [WALLET], userId: users.bob },
  ]);
  const t = makeT();
  const router = await makeRouter(t, esi, tokens, sim);
  const responses: { url: string; cacheControl: string | undefined }[] = [];
  let next = 0;
  const server = createHTTPServer({
    router,
    createContext: ({ req, res, info }) => {
      res.on('finish', () => {
        const cc = res.getHeader('cache-control');
        responses.push({
          url: req.url ?? '',
          cacheControl: typeof cc === 'string' ? cc : undefined,
        });
      });
      const user = req.headers['x-user'] ?? info.connectionParams?.user;
      const session = req.headers['x-session'];
      return {
        userId: typeof user === 'string' ? user : undefined,
        sessionKey: typeof session === 'string' ? session : undefined,
        requestId: `r${++next}`,
      };
    },
    responseMeta: esiResponseMeta,
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const close = async (): Promise<void> => {
    server.closeAllConnections();
    await new Promise<void>((ok) => server.close(() => ok()));
    await esi.close();
    await sim.close();
  };
  return {
    sim,
    esi,
    tokens,
    router,
    url,
    users,
    chars,
    responses,
    events,
    client(user, link = 'batch', session) {
      const headers: Record<string, string> = {};
      if (user !== undefined) headers['x-user'] = user;
      if (session !== undefined) headers['x-session'] = session;
      const http =
        link === 'batch'
          ? httpBatchLink({ url, transformer: superjson, headers })
          : httpBatchStreamLink({ url, transformer: superjson, headers });
      return createTRPCClient<AppRouter>({
        links: [
          splitLink({
            condition: (op) => op.type === 'subscription',
            true: httpSubscriptionLink({
              url,
              transformer: superjson,
              EventSource,
              // EventSource sends no custom headers; the user travels as connection params.
              connectionParams: user === undefined ? {} : { user },
            }),
            false: http,
          }),
        ],
      });
    },
    seen: (operationId) => sim.audit().filter((e) => e.operationId === operationId).length,
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** The tRPC error a call failed with (the test fails when it succeeds). */
export async function failure(call: Promise<unknown>): Promise<TRPCClientError<AppRouter>> {
  try {
    await call;
  } catch (error) {
    if (error instanceof TRPCClientError) return error as TRPCClientError<AppRouter>;
    throw error;
  }
  throw new Error('expected the call to fail');
}

/** After a file's tests: the simulator counted no citizenship violation; then closes the app. */
export async function closeClean(app: TestApp): Promise<void> {
  try {
    expect(app.sim.stats().violations).toEqual(NO_VIOLATIONS);
  } finally {
    await app.close();
  }
}
