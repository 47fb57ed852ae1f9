import { importRefreshToken, TokenManager, type Token } from '@esikit/core/sso';
import type { Simulator } from '@esikit/simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MikroOrmTokenStore, openEsikitDatabase, type EsikitDatabase } from './index.js';
import { createTestDatabase, PG_ADMIN_URL, postgresProblem } from './testing/postgres.js';
import { describePostgres } from './testing/suite.js';
import { startProxy, type CuttableProxy } from './testing/proxy.js';
import { simSso, startSim, tokenCalls } from './testing/sim.js';

const problem = await postgresProblem();

describePostgres('faults: the database or SSO goes away', problem, () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let proxy: CuttableProxy;
  let db: EsikitDatabase;
  let sim: Simulator;
  let tokens: TokenManager;
  beforeAll(async () => {
    database = await createTestDatabase('faults');
    const target = new URL(PG_ADMIN_URL);
    proxy = await startProxy(target.hostname, Number(target.port || 5432));
    const url = new URL(database.url);
    url.hostname = '127.0.0.1';
    url.port = String(proxy.port);
    db = await openEsikitDatabase({ url: url.toString(), migrate: true, connectTimeoutMs: 2000 });
    sim = await startSim();
    tokens = new TokenManager({ sso: simSso(sim), store: db.store });
  });
  afterAll(async () => {
    await db?.close();
    await proxy?.close();
    await sim?.close();
    await database?.drop();
  });

  /** The token as PostgreSQL holds it, read past the proxy on a connection of its own. */
  async function stored(id: string): Promise<Token | undefined> {
    const direct = await openEsikitDatabase({ url: database.url });
    try {
      return await direct.store.get(id);
    } finally {
      await direct.close();
    }
  }

  async function expiredToken(): Promise<Token> {
    const pilot = sim.characters[0]!;
    const issued = await sim.issueTokens({ characterId: pilot.id, scopes: ['publicData'] });
    const token = await importRefreshToken(tokens, issued.refresh_token);
    sim.clock.advance(21 * 60_000);
    return token;
  }

  it('database down: a typed error, no SSO call, the token untouched; it refreshes once the database is back', async () => {
    const token = await expiredToken();
    const before = tokenCalls(sim);
    await proxy.cut();
    try {
      const error = await tokens.validAccessToken(token.id).catch((e: unknown) => e);
      expect(error).toMatchObject({ name: 'TokenError', code: 'ESIKIT_TOKEN_STORE_FAILED' });
      expect((error as Error).message).toMatch(/PostgreSQL token store failed to read a token/);
      expect((error as Error).message).not.toContain(token.refreshToken!);
      expect(tokenCalls(sim)).toBe(before);
    } finally {
      await proxy.restore();
    }
    expect(await stored(token.id)).toEqual(token);
    const fresh = await tokens.validAccessToken(token.id);
    expect(fresh).not.toBe(token.accessToken);
    expect(tokenCalls(sim)).toBe(before + 1);
    expect((await stored(token.id))?.version).toBe(token.version + 1);
  });

  it('SSO answering 503 or resetting the connection: the token is kept as it was', async () => {
    const token = await expiredToken();
    for (const fault of [{ status: 503 as const }, { reset: true }]) {
      sim.sso.setFaults({ token: fault });
      try {
        await expect(tokens.validAccessToken(token.id)).rejects.toMatchObject({
          code: 'ESIKIT_SSO_UNAVAILABLE',
        });
      } finally {
        sim.sso.setFaults({});
      }
      expect(await stored(token.id)).toEqual(token);
    }
  });

  it('opening an unreachable database is a typed error naming where, without the password', async () => {
    await expect(
      openEsikitDatabase({ url: 'postgresql://me:hunter2@127.0.0.1:1/x', connectTimeoutMs: 2000 }),
    ).rejects.toMatchObject({
      name: 'EsikitDatabaseError',
      code: 'ESIKIT_DB_UNAVAILABLE',
      message: expect.stringMatching(
        /^cannot connect to postgresql:\/\/127\.0\.0\.1:1\/x: .*ECONNREFUSED/,
      ),
    });
  });
});

describe('openEsikitDatabase options', () => {
  it('names the option and the value it refuses', async () => {
    const cases: [unknown, RegExp][] = [
      [{ url: 'mysql://x/y' }, /url must be a postgresql:\/\/ URL, got mysql:\/\/x\/y/],
      [{ url: 'not a url' }, /url must be a postgresql:\/\/ URL, got a string of 9 characters/],
      [{ url: 42 }, /url must be a postgresql:\/\/ URL, got 42/],
      [{ url: 'postgresql://h/db', dataDir: '/tmp/x' }, /give url \(PostgreSQL\) or dataDir/],
      [{ dataDir: '' }, /dataDir must be a directory path or ':memory:', got ""/],
      [{ migrate: 'yes' }, /migrate must be a boolean, got "yes"/],
      [{ poolSize: 0 }, /poolSize must be an integer from 1 to 1000, got 0/],
      [
        { connectTimeoutMs: -1 },
        /connectTimeoutMs must be a positive number of milliseconds, got -1/,
      ],
      [
        { env: { DATABASE_URL: 'redis://x' } },
        /DATABASE_URL must be a postgresql:\/\/ URL, got redis:\/\/x/,
      ],
      [null, /openEsikitDatabase options must be an object, got null/],
    ];
    for (const [options, message] of cases) {
      await expect(
        openEsikitDatabase(options as Parameters<typeof openEsikitDatabase>[0]),
      ).rejects.toMatchObject({
        code: 'ESIKIT_DB_INVALID_OPTION',
        message: expect.stringMatching(message),
      });
    }
  });

  it('MikroOrmTokenStore names what it refuses', () => {
    expect(() => new MikroOrmTokenStore(null as never)).toThrow(
      /MikroOrmTokenStore options must be an object, got null/,
    );
    expect(() => new MikroOrmTokenStore({ em: {} as never })).toThrow(
      /em must be a MikroORM EntityManager \(orm\.em\), got object/,
    );
    expect(
      () =>
        new MikroOrmTokenStore({
          em: { fork: () => undefined } as never,
          checkMigrations: 1 as never,
        }),
    ).toThrow(/checkMigrations must be a boolean, got number/);
  });
});
