// The gateway over real HTTP on loopback, with the simulator as ESI and EVE SSO and the
// embedded database in memory: one gateway for the whole file (PGlite takes seconds to start).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  openFreshCacheWindows,
  startTestGateway,
  violations,
  type TestGateway,
} from '../test/fixture.js';
import { Browserless } from './internal/browserless.js';
import { EXAMPLE_QUERIES } from './internal/graphql.js';
import { HOUSEKEEPING_LEASE_KEY } from './internal/housekeeping.js';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
}, 120_000);
afterAll(async () => {
  await t?.[Symbol.asyncDispose]();
});

/** A browser logged in as `characterIndex` of the simulator. */
async function loggedIn(characterIndex: number): Promise<Browserless> {
  const b = new Browserless(t.gw.url);
  t.sim.sso.setAutoConsent(t.sim.characters[characterIndex]!.id);
  await b.login();
  return b;
}

/** esikit_token_refreshes_total by result, as /metrics says now. */
async function refreshes(): Promise<Record<'refreshed' | 'failed' | 'deleted', number>> {
  const text = await (await fetch(`${t.gw.url}/metrics`)).text();
  const count = (result: string) =>
    Number(
      new RegExp(`^esikit_token_refreshes_total\\{result="${result}"\\} (\\d+)$`, 'm').exec(
        text,
      )?.[1] ?? 0,
    );
  return { refreshed: count('refreshed'), failed: count('failed'), deleted: count('deleted') };
}

describe('health and metrics', () => {
  it('/healthz answers ok and /readyz checks the database and ESI', async () => {
    const health = await fetch(`${t.gw.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${t.gw.url}/readyz`);
    const body = (await ready.json()) as {
      status: string;
      simulated: boolean;
      checks: Record<string, { ok: boolean }>;
    };
    expect(ready.status).toBe(200);
    expect(body).toMatchObject({
      status: 'ready',
      simulated: true,
      checks: { database: { ok: true }, esi: { ok: true } },
    });
  });

  it('/metrics is Prometheus text with ESI requests by operation and status, cache and limits', async () => {
    const b = new Browserless(t.gw.url);
    await b.trpc('esi.status.getStatus');
    await b.trpc('esi.status.getStatus'); // from core's cache
    const res = await fetch(`${t.gw.url}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(text).toMatch(
      /esikit_esi_requests_total\{operation="GetStatus",status="200",source="network"\} \d+/,
    );
    expect(text).toMatch(
      /esikit_esi_requests_total\{operation="GetStatus",status="none",source="cache"\} \d+/,
    );
    expect(text).toMatch(/esikit_esi_cache_hits [1-9]/);
    expect(text).toMatch(/esikit_esi_not_modified \d+/);
    expect(text).toMatch(/esikit_esi_error_limit_remain -?\d+/);
    expect(text).toMatch(/esikit_esi_rate_limit_tokens\{bucket="[^"]+"\} \d+/);
    expect(text).toMatch(
      /esikit_http_request_duration_seconds_count\{api="trpc",method="GET",status="200"\} [1-9]/,
    );
  });
});

describe('the page and login', () => {
  it('shows "Log in with EVE Online" and SIMULATED ESI to an anonymous visitor', async () => {
    const b = new Browserless(t.gw.url);
    const html = await b.home();
    expect(html).toContain('Log in with EVE Online');
    expect(html).toContain('SIMULATED ESI');
    expect(b.csrf).toMatch(/^[\w-]{40,}$/);
    const res = await fetch(t.gw.url);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('esikit_sid='))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).not.toMatch(/Secure/i); // http://127.0.0.1
    // The cookie holds an opaque signed id, nothing else.
    expect(decodeURIComponent(cookie.split(';')[0]!.slice('esikit_sid='.length))).toMatch(
      /^[\w-]{43}\.[\w+/=-]+$/,
    );
  });

  it('logs in through SSO, gives a new session id, and shows the character with scopes and expiry', async () => {
    const b = new Browserless(t.gw.url);
    await b.home();
    const before = b.cookie;
    const pilot = t.sim.characters[0]!;
    t.sim.sso.setAutoConsent(pilot.id);
    await b.login();
    expect(b.cookie).toBeDefined();
    expect(b.cookie).not.toBe(before);
    const html = await b.home();
    expect(html).toContain(pilot.name);
    expect(html).toContain('esi-wallet.read_character_wallet.v1');
    expect(html).toMatch(/access token expires<\/span> <time datetime="\d{4}-/);
    expect(html).toContain('Add another character');
    // The old (pre-login) session id is worth nothing now.
    const old = await fetch(`${t.gw.url}/trpc/me`, { headers: { cookie: before! } });
    expect(
      ((await old.json()) as { result: { data: { loggedIn: boolean } } }).result.data.loggedIn,
    ).toBe(false);
  });

  it('adds another character to the same user', async () => {
    const b = await loggedIn(1);
    t.sim.sso.setAutoConsent(t.sim.characters[2]!.id);
    await b.login();
    const chars = await b.trpc<{ characterName: string }[]>('myCharacters');
    expect(chars.body.result?.data.map((c) => c.characterName).sort()).toEqual(
      [t.sim.characters[1]!.name, t.sim.characters[2]!.name].sort(),
    );
  });

  it('refuses an open redirect in returnUrl and keeps a path on this site', async () => {
    const b = new Browserless(t.gw.url);
    await b.home();
    for (const returnUrl of [
      'https://evil.example/',
      '//evil.example/x',
      '/\\evil.example',
      'javascript:alert(1)',
      '/ok\nLocation: x',
    ]) {
      const res = await b.fetch('/sso/login', {
        method: 'POST',
        headers: { origin: t.gw.url },
        form: { _csrf: b.csrf!, returnUrl },
      });
      expect(res.status, returnUrl).toBe(400);
      expect(await res.json()).toMatchObject({ error: 'BAD_RETURN_URL' });
    }
    t.sim.sso.setAutoConsent(t.sim.characters[0]!.id);
    const start = await b.fetch('/sso/login', {
      method: 'POST',
      headers: { origin: t.gw.url },
      form: { _csrf: b.csrf!, returnUrl: '/graphql?x=1' },
    });
    const consent = await fetch(start.headers.get('location')!, { redirect: 'manual' });
    const done = await b.fetch(
      new URL(consent.headers.get('location')!).pathname +
        new URL(consent.headers.get('location')!).search,
    );
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe('/graphql?x=1');
  });

  it('refuses a callback from another browser session, and a replayed one', async () => {
    const alice = new Browserless(t.gw.url);
    await alice.home();
    t.sim.sso.setAutoConsent(t.sim.characters[0]!.id);
    const start = await alice.fetch('/sso/login', {
      method: 'POST',
      headers: { origin: t.gw.url },
      form: { _csrf: alice.csrf! },
    });
    const consent = await fetch(start.headers.get('location')!, { redirect: 'manual' });
    const callback = new URL(consent.headers.get('location')!);
    const mallory = new Browserless(t.gw.url);
    await mallory.home();
    const stolen = await mallory.fetch(callback.pathname + callback.search, {
      headers: { accept: 'text/html' },
    });
    expect(stolen.status).toBe(400);
    expect(await stolen.text()).toContain('another session');
    // The state was taken by the first attempt: replaying it fails too, also for alice.
    const replay = await alice.fetch(callback.pathname + callback.search);
    expect(replay.status).toBe(400);
  });

  it('logs out (POST with CSRF token) and forgets the session', async () => {
    const b = await loggedIn(0);
    const cookie = b.cookie!;
    const res = await b.fetch('/logout', {
      method: 'POST',
      headers: { origin: t.gw.url },
      form: { _csrf: b.csrf! },
    });
    expect(res.status).toBe(303);
    expect(b.cookie).toBeUndefined();
    const me = await fetch(`${t.gw.url}/trpc/me`, { headers: { cookie } });
    expect(
      ((await me.json()) as { result: { data: { loggedIn: boolean } } }).result.data.loggedIn,
    ).toBe(false);
  });
});

describe('CSRF', () => {
  it('refuses state-changing requests without the session token, with a wrong one, or from another Origin', async () => {
    const b = await loggedIn(3);
    const tokens = await b.trpc<{ id: string }[]>('myTokens');
    const id = tokens.body.result!.data[0]!.id;
    const attempts: [string, RequestInit & { form?: Record<string, string> }][] = [
      ['no token', { method: 'POST', headers: { origin: t.gw.url }, form: {} }],
      [
        'wrong token',
        { method: 'POST', headers: { origin: t.gw.url }, form: { _csrf: 'x'.repeat(43) } },
      ],
      [
        'other origin',
        { method: 'POST', headers: { origin: 'https://evil.example' }, form: { _csrf: b.csrf! } },
      ],
    ];
    for (const [what, init] of attempts) {
      const res = await b.fetch(`/tokens/${id}/revoke`, init);
      expect(res.status, what).toBe(403);
      expect(((await res.json()) as { error: string }).error, what).toBe('CSRF');
    }
    for (const path of ['/logout', '/sso/login']) {
      const res = await b.fetch(path, { method: 'POST', headers: { origin: t.gw.url }, form: {} });
      expect(res.status, path).toBe(403);
    }
    const trpc = await b.fetch('/trpc/revoke', { method: 'POST', json: { tokenId: id } });
    expect(trpc.status).toBe(403);
    const gql = await b.fetch('/graphql', {
      method: 'POST',
      json: { query: '{ viewer { userId } }' },
    });
    expect(gql.status).toBe(403);
    // Nothing was revoked.
    expect(
      (await b.trpc<{ id: string }[]>('myTokens')).body.result!.data.map((x) => x.id),
    ).toContain(id);
  });
});

describe('two users', () => {
  it('cannot see or use each other’s characters or tokens through the page, /trpc or /graphql', async () => {
    const alice = await loggedIn(4);
    const bob = await loggedIn(5);
    const a = t.sim.characters[4]!;
    const bc = t.sim.characters[5]!;
    expect(await alice.home()).toContain(a.name);
    expect(await alice.home()).not.toContain(bc.name);
    expect(await bob.home()).not.toContain(a.name);

    const aliceTokens = (await alice.trpc<{ id: string }[]>('myTokens')).body.result!.data;
    const bobChars = (await bob.trpc<{ characterId: number }[]>('myCharacters')).body.result!.data;
    expect(bobChars.map((c) => c.characterId)).toEqual([bc.id]);

    const wallet = await bob.trpc('esi.wallet.getCharactersCharacterIdWallet', {
      character_id: a.id,
    });
    expect(wallet.status).toBe(403);
    expect(wallet.body.error?.data).toMatchObject({
      code: 'FORBIDDEN',
      esiCode: 'ESIKIT_TOKEN_FORBIDDEN',
    });

    const revoke = await bob.trpcMutation('revoke', { tokenId: aliceTokens[0]!.id });
    expect(revoke.status).toBe(404);
    const form = await bob.fetch(`/tokens/${aliceTokens[0]!.id}/revoke`, {
      method: 'POST',
      headers: { origin: t.gw.url },
      form: { _csrf: bob.csrf! },
    });
    expect(form.status).toBe(404);

    const q = await bob.graphql<{ character: { wallet: number | null } }>(
      `query($id: Int64!) { character(character_id: $id) { name wallet } }`,
      { id: a.id },
    );
    expect(q.body.data?.character?.wallet ?? null).toBeNull();
    expect(q.body.errors?.[0]?.extensions).toMatchObject({
      code: 'FORBIDDEN',
      reason: 'not-your-character',
    });
    const viewer = await bob.graphql<{ viewer: { characters: { id: number }[] } }>(
      '{ viewer { characters { id } } }',
    );
    expect(viewer.body.data?.viewer.characters.map((c) => c.id)).toEqual([bc.id]);

    // Alice's token is still there.
    expect(
      (await alice.trpc<{ id: string }[]>('myTokens')).body.result!.data.map((x) => x.id),
    ).toEqual(aliceTokens.map((x) => x.id));
    expect(violations(t.sim)).toBe(0);
  });
});

describe('tRPC and GraphQL', () => {
  it('answers a batched tRPC call with ESI-length procedure names (maxParamLength raised)', async () => {
    const b = await loggedIn(6);
    const id = t.sim.characters[6]!.id;
    const names = Array.from({ length: 6 }, () => 'esi.wallet.getCharactersCharacterIdWallet').join(
      ',',
    );
    const input = Object.fromEntries(
      Array.from({ length: 6 }, (_, i) => [i, { character_id: id }]),
    );
    const res = await b.fetch(
      `/trpc/${names}?batch=1&input=${encodeURIComponent(JSON.stringify(input))}`,
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as { result: { data: number } }[];
    expect(body).toHaveLength(6);
    expect(typeof body[0]!.result.data).toBe('number');
  });

  it('answers a plain tRPC call whole, and still streams batch-stream answers and SSE subscriptions', async () => {
    openFreshCacheWindows(t.sim); // else a call in a window's last second gets no max-age
    const plain = await fetch(`${t.gw.url}/trpc/esi.status.getStatus`);
    expect(plain.status).toBe(200);
    // Sent whole (a length, not chunked): Fastify writes a buffer far cheaper than a stream.
    expect(plain.headers.get('content-length')).toMatch(/^\d+$/);
    expect(plain.headers.get('cache-control')).toMatch(/max-age=\d+/);
    const stream = await fetch(
      `${t.gw.url}/trpc/esi.status.getStatus,me?batch=1&input=${encodeURIComponent('{}')}`,
      { headers: { 'trpc-accept': 'application/jsonl' } },
    );
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-length')).toBeNull();
    const lines = (await stream.text()).trim().split('\n');
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.join('')).toContain('players');
    const controller = new AbortController();
    const sse = await fetch(`${t.gw.url}/trpc/esi.live.status.getStatus`, {
      signal: controller.signal,
    });
    expect(sse.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = sse.body!.getReader();
    let text = '';
    while (!text.includes('players')) text += new TextDecoder().decode((await reader.read()).value);
    controller.abort();
  });

  it('revokes a token through tRPC (at SSO and in the store)', async () => {
    const b = await loggedIn(7);
    const [token] = (await b.trpc<{ id: string }[]>('myTokens')).body.result!.data;
    const res = await b.trpcMutation('revoke', { tokenId: token!.id });
    expect(res.status).toBe(200);
    expect((await b.trpc<unknown[]>('myTokens')).body.result!.data).toEqual([]);
    expect(await t.gw.tokens.find({ characterId: t.sim.characters[7]!.id })).toEqual([]);
    // The user ended it: the character is gone, not flagged "needs a new login".
    expect((await b.trpc<unknown[]>('myCharacters')).body.result!.data).toEqual([]);
  });

  it('revokes a token through the page form', async () => {
    const b = await loggedIn(8);
    const [token] = (await b.trpc<{ id: string }[]>('myTokens')).body.result!.data;
    const res = await b.fetch(`/tokens/${token!.id}/revoke`, {
      method: 'POST',
      headers: { origin: t.gw.url },
      form: { _csrf: b.csrf! },
    });
    expect(res.status).toBe(303);
    expect(await b.home()).not.toContain(t.sim.characters[8]!.name);
  });

  it('serves GraphiQL offline with the example queries and the CSRF header preloaded', async () => {
    const b = new Browserless(t.gw.url);
    await b.home();
    const res = await b.fetch('/graphql', { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('viewer');
    expect(html).toContain('marketsOrders');
    expect(html).toContain(b.csrf!);
    // Nothing loaded from elsewhere: no script or stylesheet with an absolute URL.
    expect(html).not.toMatch(/<(script|link)[^>]+(src|href)=["']https?:/i);
  });

  it('streams a GraphQL subscription over SSE (and answers plain queries whole)', async () => {
    const controller = new AbortController();
    const res = await fetch(`${t.gw.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: 'subscription { status { players } }' }),
      signal: controller.signal,
    });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = res.body!.getReader();
    let text = '';
    while (!text.includes('players')) text += new TextDecoder().decode((await reader.read()).value);
    expect(text).toMatch(/data: \{"data":\{"status":\{"players":\d+\}\}\}/);
    controller.abort();
    openFreshCacheWindows(t.sim); // else a call in a window's last second gets no max-age
    const plain = await fetch(`${t.gw.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ status { players } }' }),
    });
    expect(plain.headers.get('content-type')).toMatch(/^application\/(graphql-response\+)?json/);
    expect(plain.headers.get('cache-control')).toMatch(/max-age=\d+/);
    expect(
      ((await plain.json()) as { data: { status: { players: number } } }).data.status.players,
    ).toBeGreaterThan(0);
  });

  it('answers every example query GraphiQL preloads', async () => {
    const b = await loggedIn(5);
    for (const example of EXAMPLE_QUERIES) {
      const q = await b.graphql(example.query);
      expect(q.body.errors, example.title).toBeUndefined();
      expect(q.body.data, example.title).toBeTruthy();
    }
  });

  it('answers a GraphQL query with linked entities for the viewer', async () => {
    const b = await loggedIn(9);
    const q = await b.graphql<{
      viewer: { characters: { name: string; corporation: { name: string } }[] };
    }>('{ viewer { characters { name wallet corporation { name } } } }');
    expect(q.body.errors).toBeUndefined();
    expect(q.body.data?.viewer.characters[0]?.name).toBe(t.sim.characters[9]!.name);
    expect(q.body.data?.viewer.characters[0]?.corporation.name).toMatch(/\w/);
  });
});

describe('housekeeping', () => {
  it('skips while another process holds the lease, and flags a character whose token SSO declared dead', async () => {
    const b = await loggedIn(2);
    const pilot = t.sim.characters[2]!;
    const mine = (await b.trpc<{ id: string }[]>('myTokens')).body.result!.data;
    const store = t.gw.tokens.store;
    expect(await store.acquireLease(HOUSEKEEPING_LEASE_KEY, 'other-process', 60_000)).toBe(true);
    expect(await t.gw.housekeeping.run()).toMatchObject({ ran: false });
    await store.releaseLease(HOUSEKEEPING_LEASE_KEY, 'other-process');

    // SSO forgets the refresh token (consent revoked in-game) and the access token expires.
    const token = (await t.gw.tokens.find({ characterId: pilot.id })).find(
      (x) => x.id === mine[0]!.id,
    );
    await fetch(`${t.sim.ssoUrl}/v2/oauth/revoke`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from('esikit-simulator:esikit-simulator-secret').toString('base64')}`,
      },
      body: new URLSearchParams({ token: token!.refreshToken!, token_type_hint: 'refresh_token' }),
    });
    t.sim.clock.advance(25 * 60_000);
    const before = await refreshes();
    const run = await t.gw.housekeeping.run();
    expect(run).toMatchObject({ ran: true, deleted: 1, failed: 0 });
    expect(run.refreshed).toBeGreaterThan(0); // earlier tests' tokens, expired by now
    // Counted once, from core's refresh events: not again from the run's result.
    expect(await refreshes()).toEqual({
      refreshed: before.refreshed + run.refreshed,
      failed: before.failed,
      deleted: before.deleted + 1,
    });
    const html = await b.home();
    expect(html).toContain(pilot.name);
    expect(html).toContain('needs a new login');
    const metrics = await (await fetch(`${t.gw.url}/metrics`)).text();
    expect(metrics).toMatch(/esikit_housekeeping_runs_total\{result="skipped"\} 1/);
    expect(metrics).toMatch(/esikit_housekeeping_runs_total\{result="ok"\} 1/);
    expect(metrics).toMatch(/esikit_token_refreshes_total\{result="deleted"\} 1/);
  });
});

describe('token refreshes in /metrics', () => {
  const WALLET = 'esi.wallet.getCharactersCharacterIdWallet';

  it('counts the refresh a plain tRPC call makes for an expired token (not only housekeeping)', async () => {
    const b = await loggedIn(4);
    const pilot = t.sim.characters[4]!;
    const [mine] = (await b.trpc<{ id: string }[]>('myTokens')).body.result!.data;
    const token = await t.gw.tokens.store.get(mine!.id);
    t.sim.clock.advance(21 * 60_000); // the access token has expired
    const before = await refreshes();
    const res = await b.trpc<number>(WALLET, { character_id: pilot.id });
    expect(res.status).toBe(200);
    expect(typeof res.body.result?.data).toBe('number');
    expect((await t.gw.tokens.store.get(token!.id))?.accessToken).not.toBe(token!.accessToken);
    expect(await refreshes()).toEqual({ ...before, refreshed: before.refreshed + 1 });
    // Fresh now: another call refreshes nothing and counts nothing.
    expect((await b.trpc<number>(WALLET, { character_id: pilot.id })).status).toBe(200);
    expect(await refreshes()).toEqual({ ...before, refreshed: before.refreshed + 1 });
  });

  it("counts a failure when SSO answers 5xx to a GraphQL call's refresh, and keeps the token", async () => {
    const b = await loggedIn(5);
    const pilot = t.sim.characters[5]!;
    const [mine] = (await b.trpc<{ id: string }[]>('myTokens')).body.result!.data;
    const token = await t.gw.tokens.store.get(mine!.id);
    t.sim.clock.advance(21 * 60_000);
    const before = await refreshes();
    const query = '{ viewer { characters { name wallet } } }';
    t.sim.sso.setFaults({ token: { status: 503 } });
    let failed;
    try {
      failed = await b.graphql<unknown>(query);
    } finally {
      t.sim.sso.setFaults({});
    }
    expect(failed.body.errors?.[0]?.extensions).toMatchObject({
      code: 'ESI_UNAVAILABLE',
      esikitCode: 'ESIKIT_SSO_UNAVAILABLE',
    });
    expect(await refreshes()).toEqual({ ...before, failed: before.failed + 1 });
    expect(await t.gw.tokens.store.get(token!.id)).toEqual(token);
    expect(await b.home()).not.toContain('needs a new login');

    // SSO is back: the next call refreshes the kept token, and that is counted too.
    const ok = await b.graphql<{ viewer: { characters: { name: string; wallet: number }[] } }>(
      query,
    );
    expect(ok.body.errors).toBeUndefined();
    expect(ok.body.data?.viewer.characters[0]?.name).toBe(pilot.name);
    expect(typeof ok.body.data?.viewer.characters[0]?.wallet).toBe('number');
    expect(await refreshes()).toEqual({
      ...before,
      failed: before.failed + 1,
      refreshed: before.refreshed + 1,
    });
    expect(violations(t.sim)).toBe(0);
  });
});

describe('needs a new login', () => {
  /** The user's "needs a new login" rows, read from the gateway's table. */
  const flags = (characterId: number) =>
    t.gw.db.orm.em
      .fork()
      .getConnection()
      .execute('SELECT user_id FROM esikit_gateway_dead_character WHERE character_id = ?', [
        characterId,
      ]);

  it("is not set by the user's own revoke, nor by a login that finds the character sold to another account", async () => {
    // The user's own revoke (the page form): the token ends on purpose.
    const pilot = t.sim.characters[3]!;
    const b = await loggedIn(3);
    const [token] = (await b.trpc<{ id: string }[]>('myTokens')).body.result!.data;
    const res = await b.fetch(`/tokens/${token!.id}/revoke`, {
      method: 'POST',
      headers: { origin: t.gw.url },
      form: { _csrf: b.csrf! },
    });
    expect(res.status).toBe(303);
    expect(await t.gw.tokens.store.get(token!.id)).toBeUndefined();
    expect(await flags(pilot.id)).toEqual([]);
    const home = await b.home();
    expect(home).not.toContain(pilot.name);
    expect(home).not.toContain('needs a new login');

    // A sale: the new owner logs the character in, core removes the seller's token.
    const sold = t.sim.characters[6]!;
    const seller = await loggedIn(6);
    t.sim.sso.transferCharacter(sold.id);
    const buyer = await loggedIn(6);
    expect(await buyer.home()).toContain(sold.name);
    expect(await flags(sold.id)).toEqual([]);
    expect((await seller.trpc<unknown[]>('myCharacters')).body.result!.data).toEqual([]);
  });
});

describe('logs', () => {
  it('never contain a token, a cookie or the session secret', async () => {
    const all = t.logs.join('\n');
    expect(all.length).toBeGreaterThan(0);
    expect(all).toContain('SIMULATED ESI');
    const tokens = await t.gw.tokens.find({});
    expect(tokens.length).toBeGreaterThan(0);
    for (const token of tokens) {
      expect(all).not.toContain(token.accessToken);
      if (token.refreshToken) expect(all).not.toContain(token.refreshToken);
    }
    expect(all).not.toContain('esikit_sid=');
    expect(all).not.toContain(t.sessionSecret);
    expect(all).not.toMatch(/code=[\w-]{10,}/);
  });
});

describe('behind an https proxy (PUBLIC_URL)', () => {
  it('marks the session cookie Secure and checks Origin against the public origin', async () => {
    await using https = await startTestGateway({ PUBLIC_URL: 'https://gateway.example' });
    expect(https.gw.url).toBe('https://gateway.example');
    const { port } = https.gw.app.server.address() as { port: number };
    const direct = `http://127.0.0.1:${port}`;
    const res = await fetch(direct);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('esikit_sid='))!;
    expect(cookie).toMatch(/; Secure/i);
    const html = await res.text();
    const csrf = /<meta name="csrf-token" content="([^"]+)">/.exec(html)![1]!;
    const post = (origin: string) =>
      fetch(`${direct}/logout`, {
        method: 'POST',
        redirect: 'manual',
        headers: {
          origin,
          cookie: cookie.split(';')[0]!,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: `_csrf=${csrf}`,
      });
    expect((await post(direct)).status).toBe(403);
    expect((await post('https://gateway.example')).status).toBe(303);
  });
});
