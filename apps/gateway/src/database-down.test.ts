// The database goes away under a running gateway (PostgreSQL behind a proxy the test cuts):
// /readyz fails, requests get a clear 503, and no token is lost; it all works again after.
import { createServer, connect, type Server, type Socket } from 'node:net';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  postgresProblem,
  startTestGateway,
  TEST_PG_URL,
  violations,
  type TestGateway,
} from '../test/fixture.js';
import { Browserless } from './internal/browserless.js';

const PG = TEST_PG_URL;
const DB = `esikit_gateway_test_${process.pid}`;

/** A TCP proxy to PostgreSQL that can be cut (every connection reset, new ones refused) and restored. */
class CuttableProxy {
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  #cut = false;
  port = 0;
  constructor(target: URL) {
    this.#server = createServer((client) => {
      if (this.#cut) return client.destroy();
      const upstream = connect(Number(target.port || 5432), target.hostname);
      for (const s of [client, upstream]) {
        this.#sockets.add(s);
        s.on('close', () => this.#sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
  }
  async listen(): Promise<void> {
    await new Promise<void>((r) => this.#server.listen(0, '127.0.0.1', r));
    this.port = (this.#server.address() as { port: number }).port;
  }
  cut(): void {
    this.#cut = true;
    for (const s of this.#sockets) s.destroy();
  }
  restore(): void {
    this.#cut = false;
  }
  close(): Promise<void> {
    this.cut();
    return new Promise((r) => this.#server.close(() => r()));
  }
}

const unreachable = await postgresProblem();
if (unreachable && process.env.CI)
  throw new Error(`PostgreSQL is required under CI: ${unreachable}`);
if (unreachable)
  console.warn(`database-down.test.ts skipped: PostgreSQL unreachable (${unreachable})`);

describe.skipIf(unreachable !== undefined)('the database goes down', () => {
  let t: TestGateway;
  let proxy: CuttableProxy;
  const admin = () => new pg.Client({ connectionString: PG });

  beforeAll(async () => {
    const c = admin();
    await c.connect();
    await c.query(`drop database if exists ${DB}`);
    await c.query(`create database ${DB}`);
    await c.end();
    const target = new URL(PG);
    proxy = new CuttableProxy(target);
    await proxy.listen();
    const url = new URL(PG);
    url.port = String(proxy.port);
    url.pathname = `/${DB}`;
    t = await startTestGateway(
      { ESIKIT_DB_DIR: '', DATABASE_URL: url.href, ESIKIT_DB_MIGRATE: '1' },
      { dataDir: undefined },
    );
  });
  /** Up again, whatever the test before left behind; MikroORM's pool reconnects on the next query. */
  const databaseBack = () =>
    expect
      .poll(async () => (await fetch(`${t.gw.url}/readyz`)).status, {
        timeout: 20_000,
        interval: 250,
      })
      .toBe(200);
  afterEach(() => proxy?.restore());
  afterAll(async () => {
    await t?.[Symbol.asyncDispose]();
    await proxy?.close();
    const c = admin();
    await c.connect();
    await c.query(`drop database if exists ${DB} with (force)`);
    await c.end();
  });

  it('fails /readyz and answers a clear 503, loses no token, and recovers', async () => {
    const b = new Browserless(t.gw.url);
    t.sim.sso.setAutoConsent(t.sim.characters[0]!.id);
    await b.login();
    expect(t.gw.db.kind).toBe('postgresql');
    const before = (await t.gw.tokens.find({})).map((x) => ({ ...x }));
    expect(before).toHaveLength(1);

    proxy.cut();
    const ready = await fetch(`${t.gw.url}/readyz`);
    expect(ready.status).toBe(503);
    const body = (await ready.json()) as {
      checks: { database: { ok: boolean; error: string }; esi: { ok: boolean } };
    };
    expect(body.checks.database.ok).toBe(false);
    expect(body.checks.database.error).toMatch(/\w/);
    expect(body.checks.esi.ok).toBe(true);

    const page = await b.fetch('/', { headers: { accept: 'text/html' } });
    expect(page.status).toBe(503);
    expect(await page.text()).toContain(
      'The database is unavailable right now. Your characters and tokens are safe',
    );
    // The session itself is in the database now: the request stops there, with a 503 in
    // tRPC's own error envelope (every route's shape: the next test).
    const trpc = await b.trpc('myCharacters');
    expect(trpc.status).toBe(503);
    expect(trpc.body.error).toMatchObject({ data: { code: 'SERVICE_UNAVAILABLE' } });
    // Without a session cookie, public ESI still answers.
    expect((await fetch(`${t.gw.url}/trpc/esi.status.getStatus`)).status).toBe(200);
    // An expired token cannot be refreshed now: housekeeping fails, and deletes nothing.
    t.sim.clock.advance(25 * 60_000);
    await expect(t.gw.housekeeping.run()).rejects.toMatchObject({
      code: 'ESIKIT_TOKEN_STORE_FAILED',
    });

    proxy.restore();
    // MikroORM's pool reconnects on the next query.
    await expect
      .poll(async () => (await fetch(`${t.gw.url}/readyz`)).status, {
        timeout: 20_000,
        interval: 250,
      })
      .toBe(200);
    const after = await t.gw.tokens.find({});
    expect(after.map((x) => [x.id, x.refreshToken, x.version])).toEqual(
      before.map((x) => [x.id, x.refreshToken, x.version]),
    );
    expect(await b.home()).toContain(t.sim.characters[0]!.name);
    expect(t.logs.join('\n')).not.toContain(before[0]!.refreshToken!);
    expect(violations(t.sim)).toBe(0);
  });

  it('every route answers a clear 503 in its own error shape, with no stack and no token, and loses no token', async () => {
    await databaseBack();
    const b = new Browserless(t.gw.url);
    t.sim.sso.setAutoConsent(t.sim.characters[1]!.id);
    await b.login();
    const before = (await t.gw.tokens.find({})).map((x) => ({ ...x }));
    const mine = before.find((x) => x.characterId === t.sim.characters[1]!.id)!;
    const stranger = new Browserless(t.gw.url);
    const secrets = before.flatMap((x) => [x.accessToken, x.refreshToken!]);
    const DB_DOWN = /database is unavailable right now/;
    /** Nothing a user should not read: no stack trace, no token, no SQL. */
    const clean = (text: string) => {
      expect(text).not.toMatch(/\bat .+:\d+:\d+|"stack"|node_modules|SELECT|INSERT/);
      for (const secret of secrets) expect(text).not.toContain(secret);
      return text;
    };
    const json = async (res: Response) => JSON.parse(clean(await res.text())) as unknown;
    const trpcError = {
      message: expect.stringMatching(DB_DOWN) as unknown,
      data: { code: 'SERVICE_UNAVAILABLE', httpStatus: 503 },
    };

    proxy.cut();

    // tRPC: a query and a mutation, single and batched — tRPC's envelope, code SERVICE_UNAVAILABLE.
    const query = await b.fetch('/trpc/myCharacters');
    expect(query.status).toBe(503);
    expect(await json(query)).toMatchObject({ error: trpcError });
    const queries = await b.fetch(
      `/trpc/myCharacters,myTokens?batch=1&input=${encodeURIComponent('{}')}`,
    );
    expect(queries.status).toBe(503);
    expect(await json(queries)).toMatchObject([{ error: trpcError }, { error: trpcError }]);
    const csrf = { origin: t.gw.url, 'x-csrf-token': b.csrf! };
    const mutation = await b.fetch('/trpc/revoke', {
      method: 'POST',
      headers: csrf,
      json: { tokenId: mine.id },
    });
    expect(mutation.status).toBe(503);
    expect(await json(mutation)).toMatchObject({ error: trpcError });
    const mutations = await b.fetch('/trpc/revoke,revoke?batch=1', {
      method: 'POST',
      headers: csrf,
      json: { 0: { tokenId: mine.id }, 1: { tokenId: mine.id } },
    });
    expect(mutations.status).toBe(503);
    expect(await json(mutations)).toMatchObject([{ error: trpcError }, { error: trpcError }]);

    // GraphQL: a GraphQL error with extensions.code.
    const graphql = await b.fetch('/graphql', {
      method: 'POST',
      headers: { ...csrf, accept: 'application/json' },
      json: { query: '{ viewer { characters { id name } } }' },
    });
    expect(graphql.status).toBe(503);
    expect(await json(graphql)).toMatchObject({
      errors: [
        {
          message: expect.stringMatching(DB_DOWN) as unknown,
          extensions: { code: 'DATABASE_UNAVAILABLE', esikitCode: 'ESIKIT_GATEWAY_STORE_FAILED' },
        },
      ],
    });

    // GraphiQL's page is static: it still loads (its queries get the 503 above).
    const graphiql = await b.fetch('/graphql', { headers: { accept: 'text/html' } });
    expect(graphiql.status).toBe(200);
    await graphiql.body?.cancel();

    // The page and the SSO routes a browser follows: a readable HTML page.
    const html = { accept: 'text/html,application/xhtml+xml' };
    for (const [who, path, init] of [
      [b, '/', { headers: html }],
      [b, '/sso/callback?state=s&code=c', { headers: html }],
      [
        b,
        '/sso/login',
        { method: 'POST', headers: { ...html, origin: t.gw.url }, form: { _csrf: b.csrf! } },
      ],
      [
        stranger,
        '/sso/login',
        { method: 'POST', headers: { ...html, origin: t.gw.url }, form: {} },
      ],
      [
        b,
        '/logout',
        { method: 'POST', headers: { ...html, origin: t.gw.url }, form: { _csrf: b.csrf! } },
      ],
      [
        b,
        `/tokens/${mine.id}/revoke`,
        { method: 'POST', headers: { ...html, origin: t.gw.url }, form: { _csrf: b.csrf! } },
      ],
    ] as const) {
      const res = await who.fetch(path, init);
      expect(res.status, path).toBe(503);
      expect(res.headers.get('content-type'), path).toMatch(/^text\/html/);
      expect(clean(await res.text()), path).toMatch(DB_DOWN);
    }
    // The same routes asked for JSON (a script): the gateway's JSON error.
    const login = await stranger.fetch('/sso/login', {
      method: 'POST',
      headers: { origin: t.gw.url },
      json: {},
    });
    expect(login.status).toBe(503);
    expect(await json(login)).toMatchObject({
      error: 'ESIKIT_GATEWAY_STORE_FAILED',
      message: expect.stringMatching(DB_DOWN) as unknown,
    });

    proxy.restore();
    await databaseBack();
    // Nothing was revoked, deleted or rewritten while the database was away.
    const after = await t.gw.tokens.find({});
    expect(after.map((x) => [x.id, x.accessToken, x.refreshToken, x.version])).toEqual(
      before.map((x) => [x.id, x.accessToken, x.refreshToken, x.version]),
    );
    expect(await b.home()).toContain(t.sim.characters[1]!.name);
    const logs = t.logs.join('\n');
    for (const secret of secrets) expect(logs).not.toContain(secret);
    expect(violations(t.sim)).toBe(0);
  });
});
