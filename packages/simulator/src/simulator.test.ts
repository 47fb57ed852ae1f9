import { describe, expect, it } from 'vitest';
import { call, specDocument } from '../test/helpers.js';
import { SimulatorClock, SimulatorError, startSimulator } from './index.js';

const T0 = Date.UTC(2026, 10, 22, 12, 0, 10);

async function sim(options: Parameters<typeof startSimulator>[0] = {}) {
  const clock = new SimulatorClock();
  clock.freeze(T0);
  return startSimulator({ spec: specDocument(), clock, seed: 7, ...options });
}

describe('startSimulator', () => {
  it('serves the universe: character, corporation and alliance details agree and resolve by name', async () => {
    await using s = await sim();
    const pilot = s.characters.find((c) => c.allianceId !== undefined)!;
    const character = await call(s, `/characters/${pilot.id}`);
    expect(character.status).toBe(200);
    expect(character.json).toMatchObject({
      name: pilot.name,
      corporation_id: pilot.corporationId,
      alliance_id: pilot.allianceId,
    });
    const corp = await call(s, `/corporations/${pilot.corporationId}`);
    expect(corp.json).toMatchObject({ alliance_id: pilot.allianceId });
    const alliance = await call(s, `/alliances/${pilot.allianceId}/corporations`);
    expect(alliance.json).toContain(pilot.corporationId);
    const names = await call(s, '/universe/names', {
      method: 'POST',
      body: [pilot.id, pilot.corporationId],
    });
    expect(names.json).toEqual([
      { id: pilot.id, name: pilot.name, category: 'character' },
      {
        id: pilot.corporationId,
        name: (corp.json as { name: string }).name,
        category: 'corporation',
      },
    ]);
    const ids = await call(s, '/universe/ids', {
      method: 'POST',
      body: [pilot.name, 'Jita', 'Nobody Here'],
    });
    expect(ids.json).toEqual({
      characters: [{ id: pilot.id, name: pilot.name }],
      systems: [{ id: 30000142, name: 'Jita' }],
    });
    expect((await call(s, '/universe/names', { method: 'POST', body: [123] })).status).toBe(404);
    expect((await call(s, '/characters/123456')).status).toBe(404);
  });

  it('has new-era character ids (2.1e9) and item ids above 2^31 that are still safe integers', async () => {
    await using s = await sim();
    const recent = s.characters.find((c) => c.id >= 2_100_000_000)!;
    const r = await call(s, `/characters/${recent.id}`);
    expect(r.status).toBe(200);
    expect((r.json as { name: string }).name).toBe(recent.name);
    const { access_token } = await s.issueTokens({
      characterId: recent.id,
      scopes: ['esi-assets.read_assets.v1'],
    });
    const assets = await call(s, `/characters/${recent.id}/assets`, { token: access_token });
    const ids = (assets.json as { item_id: number }[]).map((a) => a.item_id);
    expect(ids.length).toBeGreaterThan(0);
    for (const id of ids) expect(id > 2 ** 31 && Number.isSafeInteger(id)).toBe(true);
  });

  it('is deterministic for a seed and differs across seeds', async () => {
    await using a = await sim();
    await using b = await sim();
    await using c = await sim({ seed: 8 });
    const path = '/markets/10000002/orders?order_type=all';
    expect((await call(a, path)).text).toBe((await call(b, path)).text);
    expect((await call(a, path)).text).not.toBe((await call(c, path)).text);
  });

  it('sends ETag, Last-Modified, Expires and Cache-Control, and 304 on a matching If-None-Match', async () => {
    // Prices change every window here, so the old ETag is sure to be stale after the rollover.
    await using s = await sim({ dataChangeRate: { GetMarketsPrices: 1 } });
    const first = await call(s, '/markets/prices');
    expect(first.status).toBe(200);
    const { etag, expires } = first.headers;
    expect(etag).toMatch(/^"[0-9a-f]+"$/);
    expect(Date.parse(expires!)).toBeGreaterThan(T0);
    expect(first.headers['cache-control']).toMatch(/^public, max-age=\d+$/);
    expect(Date.parse(first.headers['last-modified']!)).toBeLessThanOrEqual(T0);
    s.clock.advance(Date.parse(expires!) - T0);
    const second = await call(s, '/markets/prices', {
      headers: { 'if-none-match': 'W/"nope", ' + etag },
    });
    // A new window means new data, so the old ETag no longer matches.
    expect(second.status).toBe(200);
    expect(second.headers.etag).not.toBe(etag);
    s.clock.advance(Date.parse(second.headers.expires!) - s.clock.now());
    const pilot = `/characters/${s.characters[0]!.id}`;
    const third = await call(s, pilot);
    const fourth = await call(s, pilot, { headers: { 'if-none-match': third.headers.etag! } });
    // Same window, same data: a 304 — but asked before Expires, so it counts as a violation.
    expect(fourth.status).toBe(304);
    expect(s.stats().violations.cacheWindow).toBe(1);
    s.clock.advance(Date.parse(third.headers.expires!) - s.clock.now());
    const old = await call(s, '/alliances');
    s.clock.advance(Date.parse(old.headers.expires!) - s.clock.now());
    const revalidated = await call(s, '/alliances', {
      headers: { 'if-none-match': old.headers.etag! },
    });
    expect(revalidated.status).toBe(304);
    expect(revalidated.text).toBe('');
    expect(revalidated.headers.etag).toBe(old.headers.etag);
    expect(revalidated.headers.expires).toBeDefined();
    expect(s.stats().notModified).toBe(2);
    expect(s.stats().violations.cacheWindow).toBe(1);
  });

  it('pages: X-Pages, shared Last-Modified/Expires, 404 past the last page, configurable', async () => {
    await using s = await sim({ pages: { GetMarketsRegionIdOrders: 4 } });
    const base = '/markets/10000002/orders?order_type=all';
    const pages = await Promise.all([1, 2, 3, 4].map((p) => call(s, `${base}&page=${p}`)));
    for (const p of pages) {
      expect(p.status).toBe(200);
      expect(p.headers['x-pages']).toBe('4');
      expect(p.headers['last-modified']).toBe(pages[0]!.headers['last-modified']);
      expect(p.headers.expires).toBe(pages[0]!.headers.expires);
    }
    expect(new Set(pages.map((p) => p.text)).size).toBe(4);
    const beyond = await call(s, `${base}&page=5`);
    expect(beyond.status).toBe(404);
    expect(beyond.json).toEqual({ error: 'Requested page does not exist!' });
    s.setPages(2);
    expect((await call(s, `${base}&page=1`)).headers['x-pages']).toBe('2');
    expect(() => s.setPages(0)).toThrow(/pages/);
  });

  it('auth: 401 without or with a bad token, 403 for a missing scope or another character, 200 otherwise', async () => {
    await using s = await sim();
    const [pilot, other] = s.characters;
    const path = `/characters/${pilot!.id}/wallet`;
    const none = await call(s, path);
    expect(none.status).toBe(401);
    expect((none.json as { error: string }).error).toMatch(/authentication required/);
    expect((await call(s, path, { token: 'not-a-jwt' })).status).toBe(401);
    const wrongScope = await s.issueTokens({
      characterId: pilot!.id,
      scopes: ['esi-skills.read_skills.v1'],
    });
    const scoped = await call(s, path, { token: wrongScope.access_token });
    expect(scoped.status).toBe(403);
    expect(scoped.json).toEqual({
      error: 'token is not valid for scope(s): esi-wallet.read_character_wallet.v1',
    });
    const good = await s.issueTokens({
      characterId: pilot!.id,
      scopes: ['esi-wallet.read_character_wallet.v1'],
    });
    expect(
      (await call(s, `/characters/${other!.id}/wallet`, { token: good.access_token })).status,
    ).toBe(403);
    const ok = await call(s, path, { token: good.access_token });
    expect(ok.status).toBe(200);
    expect(typeof ok.json).toBe('number');
    s.clock.advance(1300_000);
    const expired = await call(s, path, { token: good.access_token });
    expect(expired.status).toBe(401);
    expect((expired.json as { error: string }).error).toMatch(/expired/);
  });

  it('audits every request with the headers of interest, never the token', async () => {
    await using s = await sim();
    const pilot = s.characters[0]!;
    const { access_token } = await s.issueTokens({
      characterId: pilot.id,
      scopes: ['esi-wallet.read_character_wallet.v1'],
    });
    await call(s, `/characters/${pilot.id}/wallet?x=1`, {
      token: access_token,
      headers: { 'x-compatibility-date': '2026-08-04', 'if-none-match': '"a"' },
    });
    await call(s, '/nowhere', { headers: { 'user-agent': '' } });
    const [first, second] = s.audit();
    expect(first).toMatchObject({
      method: 'GET',
      path: `/characters/${pilot.id}/wallet`,
      query: 'x=1',
      status: 200,
      operationId: 'GetCharactersCharacterIdWallet',
      characterId: pilot.id,
      clientId: 'esikit-simulator',
      ifNoneMatch: '"a"',
      compatibilityDate: '2026-08-04',
      authorization: true,
      at: T0,
      violations: [],
    });
    expect(JSON.stringify(s.audit())).not.toContain(access_token);
    expect(second).toMatchObject({
      path: '/nowhere',
      status: 404,
      authorization: false,
      violations: ['missingUserAgent'],
    });
    s.resetAudit();
    expect(s.audit()).toEqual([]);
    expect(s.stats().requests).toBe(0);
  });
});

describe('conditional requests', () => {
  it('answers 304 to If-Modified-Since at or after Last-Modified, 200 before it', async () => {
    // Data that changes every window, so each window has a later Last-Modified.
    await using s = await sim({ dataChangeRate: { GetAlliances: 1 } });
    const first = await call(s, '/alliances');
    s.clock.advance(Date.parse(first.headers.expires!) - T0);
    const fresh = await call(s, '/alliances');
    s.clock.advance(Date.parse(fresh.headers.expires!) - s.clock.now());
    const lm = fresh.headers['last-modified']!;
    const same = await call(s, '/alliances', { headers: { 'if-modified-since': lm } });
    // A new window again: its Last-Modified is later than what we hold.
    expect(same.status).toBe(200);
    const now = same.headers['last-modified']!;
    s.clock.advance(Date.parse(same.headers.expires!) - s.clock.now() - 1000);
    expect(s.stats().violations.cacheWindow).toBe(0);
    const ims = await call(s, '/alliances', { headers: { 'if-modified-since': now } });
    expect(ims.status).toBe(304);
    expect(s.stats().violations.cacheWindow).toBe(1); // one second before Expires
  });
});

describe('data over time', () => {
  it('changes when the cache window rolls over and is the same again for the same window', async () => {
    await using s = await sim({ dataChangeRate: 1 });
    const path = '/markets/10000002/orders?order_type=sell&page=2';
    const first = await call(s, path);
    s.clock.advance(Date.parse(first.headers.expires!) - T0);
    const next = await call(s, path);
    expect(next.text).not.toBe(first.text);
    expect(Date.parse(next.headers['last-modified']!)).toBe(Date.parse(first.headers.expires!));
    // Back in the first window (a clock moved back): the first window's data again.
    s.clock.freeze(T0);
    s.resetAudit();
    expect((await call(s, path)).text).toBe(first.text);
  });

  it('adds the configured latency without changing the answer', async () => {
    await using fast = await sim();
    await using slow = await sim({ latencyMs: 20 });
    const a = await call(fast, '/alliances');
    const b = await call(slow, '/alliances');
    expect(b.status).toBe(200);
    expect(b.text).toBe(a.text);
  });
});

describe('options', () => {
  it('are validated once, naming the option and the value', async () => {
    await expect(startSimulator({ spec: 42 as unknown as string })).rejects.toThrow(
      'startSimulator: option "spec" must be a file path or a parsed OpenAPI document, got 42',
    );
    await expect(sim({ latencyMs: -1 })).rejects.toThrow(
      'option "latencyMs" must be a finite number >= 0, got -1',
    );
    await expect(sim({ pages: 0 })).rejects.toThrow(
      'option "pages" must be an integer from 1 to 10000, got 0',
    );
    await expect(sim({ pages: { GetStatus: 2 } })).rejects.toThrow(
      'option "pages.GetStatus" names no X-Pages operation',
    );
    await expect(sim({ esiPort: 70000 })).rejects.toThrow(
      /option "esiPort" must be an integer from 0 to 65535, got 70000/,
    );
    await expect(sim({ faults: { global: { resetRate: 1.5 } } })).rejects.toThrow(
      /global\.resetRate must be between 0 and 1, got 1\.5/,
    );
    await expect(startSimulator({ spec: '/nonexistent/openapi.json' })).rejects.toThrow(
      /nonexistent\/openapi\.json/,
    );
    await expect(startSimulator({ spec: { openapi: '2.0' } })).rejects.toThrow(/OpenAPI 3/);
    await expect(sim({ limits: { groups: { 'char-walet': { maxTokens: 5 } } } })).rejects.toThrow(
      /option "limits.groups.char-walet" names no rate-limit group of the spec \(.*char-wallet/,
    );
    const error = await sim({ latencyMs: Number.NaN }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SimulatorError);
    expect(error).toMatchObject({ code: 'ESIKIT_SIMULATOR_OPTION', name: 'SimulatorError' });
  });
});

describe('headers', () => {
  it('answers Content-Language from Accept-Language when ESI has the language, else en', async () => {
    await using s = await sim();
    expect(
      (await call(s, '/alliances', { headers: { 'accept-language': 'de-DE,de;q=0.9' } })).headers[
        'content-language'
      ],
    ).toBe('de');
    expect(
      (await call(s, '/alliances?x=1', { headers: { 'accept-language': 'pt-BR' } })).headers[
        'content-language'
      ],
    ).toBe('en');
    expect((await call(s, '/alliances?x=2')).headers['content-language']).toBe('en');
  });
});

describe('cancellation', () => {
  it('an aborted signal cancels start-up; aborting later closes the servers', async () => {
    const aborted = AbortSignal.abort(new Error('stop'));
    await expect(sim({ signal: aborted })).rejects.toThrow('stop');
    const controller = new AbortController();
    const s = await sim({ signal: controller.signal });
    expect((await call(s, '/alliances')).status).toBe(200);
    controller.abort();
    await s.close(); // the same close, already under way
    await expect(call(s, '/alliances')).rejects.toThrow();
  });
});

describe('detail bodies', () => {
  it('echo the ids of their path and the universe names they know', async () => {
    await using s = await sim();
    const jita = (await call(s, '/universe/systems/30000142')).json as {
      system_id: number;
      name: string;
    };
    expect(jita).toMatchObject({ system_id: 30000142, name: 'Jita' });
    expect((await call(s, '/universe/types/34')).json).toMatchObject({
      type_id: 34,
      name: 'Tritanium',
    });
    expect((await call(s, '/universe/types/99999')).json).toMatchObject({ type_id: 99999 });
  });
});
