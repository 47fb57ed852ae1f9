import { writeFileSync, readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { harnessPerTest, SPEC_FILE } from '../test/helpers.js';
import {
  createEsiClient,
  EsiHttpError,
  EsiMissingScopeError,
  EsiOptionError,
  EsiTokenRequiredError,
  EsiValidationError,
  type EsiRequestEvent,
  type AccessTokenSource,
} from './index.js';

const NOTIFICATIONS = 'esi-characters.read_notifications.v1';
const WALLET = 'esi-wallet.read_character_wallet.v1';

// One simulator per test; it must count no citizenship violation.
const start = harnessPerTest();

describe('public calls', () => {
  it('sends a GET with User-Agent, compatibility date and tenant, by id and by tag', async () => {
    const h = await start();
    const status = await h.esi.request('GetStatus').result();
    expect(typeof status.players).toBe('number');
    const byTag = await h.esi.Status.getStatus().result();
    expect(byTag).toEqual(status);
    const [entry] = h.sim.audit();
    expect(entry?.userAgent).toBe(h.esi.userAgent);
    expect(h.esi.userAgent).toMatch(
      /^esikit-tests\/1\.0\.0 \(tests@esikit\.invalid\) esikit\/\d+\.\d+\.\d+$/,
    );
    expect(entry?.compatibilityDate).toBe('2026-08-04');
  });

  it('sends the User-Agent as X-User-Agent for browsers', async () => {
    const h = await start({}, { userAgentHeader: 'X-User-Agent' });
    await h.esi.request('GetStatus').result();
    expect(h.sim.audit()[0]?.userAgent).toBe(h.esi.userAgent);
  });

  it('answers a second GET inside the cache window from cache, with no request (audit log)', async () => {
    const h = await start();
    const call = h.esi.Market.getMarketsRegionIdOrders({ region_id: 10000002 });
    const first = await call.resultWithResponse();
    const second = await h.esi
      .request('GetMarketsRegionIdOrders', { region_id: 10000002 })
      .resultWithResponse();
    expect(first.fromCache).toBe(false);
    expect(second.fromCache).toBe(true);
    expect(second.data).toEqual(first.data);
    expect(h.seen('GetMarketsRegionIdOrders')).toBe(1);
    expect(h.esi.stats().cacheHits).toBe(1);
    h.sim.clock.advance(298_000);
    await h.esi.request('GetMarketsRegionIdOrders', { region_id: 10000002 }).result();
    expect(h.seen('GetMarketsRegionIdOrders')).toBe(1);
  });

  it('revalidates after expiry with If-None-Match and treats 304 as a hit', async () => {
    const h = await start();
    const first = await h.esi.request('GetAlliances').resultWithResponse();
    // Alliances are cached for an hour; the next window has the same data, so ESI says 304.
    h.sim.clock.advance(3600_000);
    const again = await h.esi.request('GetAlliances').resultWithResponse();
    const audit = h.sim.audit().filter((e) => e.operationId === 'GetAlliances');
    expect(audit).toHaveLength(2);
    expect(audit[1]?.ifNoneMatch).toBe(first.etag);
    expect(audit[1]?.status).toBe(304);
    expect(again.fromCache).toBe(true);
    expect(again.data).toEqual(first.data);
    expect(h.esi.stats().notModified).toBe(1);
    expect(again.expires).toBeGreaterThan(first.expires ?? 0);
  });

  it('turns a 304 into data, never an error, whenever the body is unchanged', async () => {
    const h = await start();
    // Races have no x-cache-age: no Expires, only an ETag, so each call revalidates.
    const first = await h.esi.request('GetUniverseRaces').result();
    const again = await h.esi.request('GetUniverseRaces').resultWithResponse();
    expect(h.sim.audit().map((e) => e.status)).toEqual([200, 304]);
    expect(again.data).toEqual(first);
    expect(again.fromCache).toBe(true);
    expect(h.esi.stats().notModified).toBe(1);
  });

  it('shares one request between identical GETs in flight', async () => {
    const h = await start({ latencyMs: 30 });
    const calls = await Promise.all(
      Array.from({ length: 5 }, () => h.esi.request('GetUniverseRegions').result()),
    );
    expect(new Set(calls.map((c) => JSON.stringify(c))).size).toBe(1);
    expect(h.seen('GetUniverseRegions')).toBe(1);
    expect(h.esi.stats().coalesced).toBe(4);
  });

  it('can run without a cache; then every call is a request', async () => {
    const h = await start({}, { cache: false });
    await h.esi.request('GetUniverseRegions').result();
    h.sim.clock.advance(3600_000 * 24);
    await h.esi.request('GetUniverseRegions').result();
    expect(h.seen('GetUniverseRegions')).toBe(2);
  });

  it('exposes the response details', async () => {
    const h = await start();
    const r = await h.esi
      .request('GetMarketsRegionIdOrders', { region_id: 10000002 })
      .resultWithResponse({ page: 2 });
    expect(r.status).toBe(200);
    expect(r.pages).toBe(3);
    expect(r.etag).toMatch(/^"/);
    expect(r.lastModified).toBe(r.headers['last-modified']);
    expect(r.expires).toBe(Date.parse(r.headers.expires ?? ''));
    expect(h.sim.audit()[0]?.query).toContain('page=2');
  });

  it('sends per-tag, per-operation and per-call compatibility dates', async () => {
    const h = await start(
      {},
      {
        compatibilityDate: {
          default: '2025-12-16',
          tags: { Universe: '2025-08-26' },
          operations: { GetStatus: '2020-01-01' },
        },
      },
    );
    await h.esi.request('GetStatus').result();
    await h.esi.request('GetUniverseRaces').result();
    await h.esi.request('GetAlliances').result();
    await h.esi.request('GetWars', {}, { compatibilityDate: '2024-01-01' }).result();
    expect(h.sim.audit().map((e) => [e.operationId, e.compatibilityDate])).toEqual([
      ['GetStatus', '2020-01-01'],
      ['GetUniverseRaces', '2025-08-26'],
      ['GetAlliances', '2025-12-16'],
      ['GetWars', '2024-01-01'],
    ]);
  });

  it('keys the cache by language and fetches every language with resultsLocalized', async () => {
    const h = await start();
    const all = await h.esi.request('GetAlliances').resultsLocalized();
    expect(Object.keys(all).sort()).toEqual(['de', 'en', 'es', 'fr', 'ja', 'ko', 'ru', 'zh']);
    expect(h.seen('GetAlliances')).toBe(8);
    const two = await h.esi.request('GetAlliances').resultsLocalized(['de', 'fr']);
    expect(Object.keys(two)).toEqual(['de', 'fr']);
    expect(h.seen('GetAlliances')).toBe(8);
    await expect(h.esi.request('GetAlliances').result({ language: 'xx' })).rejects.toThrow(
      /language must be one of/,
    );
  });

  it('emits one event per request, with its source and never the token', async () => {
    const events: EsiRequestEvent[] = [];
    const h = await start({}, { onRequest: (e) => events.push(e) });
    const t = await h.token(0, [NOTIFICATIONS]);
    await h.esi
      .request(
        'GetCharactersCharacterIdNotifications',
        { character_id: t.characterId },
        { token: t.accessToken },
      )
      .result();
    await h.esi
      .request(
        'GetCharactersCharacterIdNotifications',
        { character_id: t.characterId },
        { token: t.accessToken },
      )
      .result();
    expect(events.map((e) => e.source)).toEqual(['network', 'cache']);
    expect(events[0]).toMatchObject({
      operation: 'GetCharactersCharacterIdNotifications',
      status: 200,
      attempts: 1,
      characterId: t.characterId,
    });
    expect(JSON.stringify(events)).not.toContain(t.accessToken);
    expect(h.esi.stats()).toMatchObject({ requests: 2, networkRequests: 1, cacheHits: 1 });
    expect(h.esi.stats().rateLimits[`char-notification|${t.characterId}`]).toBe(13);
  });
});

describe('authenticated calls', () => {
  it('accepts a raw access token and an AccessTokenSource', async () => {
    // Sharing the character's cache between a raw token and a source needs trusted raw tokens
    // (issue 7 §3); without them a raw token's entries are its own (raw-tokens.test.ts).
    const h = await start({}, { trustRawTokens: true });
    const t = await h.token(0, [WALLET]);
    const balance = await h.esi
      .request(
        'GetCharactersCharacterIdWallet',
        { character_id: t.characterId },
        { token: t.accessToken },
      )
      .result();
    expect(typeof balance).toBe('number');
    let asked = 0;
    const source: AccessTokenSource = {
      characterId: t.characterId,
      scopes: [WALLET],
      getAccessToken: async () => {
        asked += 1;
        return t.accessToken;
      },
    };
    h.sim.clock.advance(60_000);
    const again = await h.esi.Wallet.getCharactersCharacterIdWallet(
      { character_id: t.characterId },
      { token: source },
    ).result();
    expect(again).toBe(balance);
    expect(asked).toBe(0); // served from the cache of the same character: no token needed
    expect(h.sim.audit()[0]?.characterId).toBe(t.characterId);
  });

  it('never serves one character’s cached data to another', async () => {
    const h = await start();
    const a = await h.token(0, [WALLET]);
    const b = await h.token(1, [WALLET]);
    expect(a.characterId).not.toBe(b.characterId);
    // Same path for both (the asker's id in the path differs), plus a route without an id in
    // the path would be the leak; notifications are asked per character too.
    await h.esi
      .request(
        'GetCharactersCharacterIdWallet',
        { character_id: a.characterId },
        { token: a.accessToken },
      )
      .result();
    const asB = h.esi.request(
      'GetCharactersCharacterIdWallet',
      { character_id: a.characterId },
      { token: b.accessToken },
    );
    // B asking for A's wallet must go to ESI (which refuses), not be served A's cached balance.
    await expect(asB.result()).rejects.toBeInstanceOf(EsiHttpError);
    expect(h.seen('GetCharactersCharacterIdWallet')).toBe(2);
  });

  it('keys public routes called with a token by character too', async () => {
    const h = await start();
    const a = await h.token(0, []);
    const b = await h.token(1, []);
    await h.esi.request('GetUniverseRegions', {}, { token: a.accessToken }).result();
    await h.esi.request('GetUniverseRegions', {}, { token: b.accessToken }).result();
    await h.esi.request('GetUniverseRegions').result();
    expect(h.seen('GetUniverseRegions')).toBe(3);
  });

  it('refuses a scoped call without a token, or with a token lacking the scope, sending nothing', async () => {
    const h = await start();
    const t = await h.token(0, [WALLET]);
    const noToken = h.esi.request(
      'GetCharactersCharacterIdNotifications',
      { character_id: t.characterId },
      {} as never,
    );
    await expect(noToken.result()).rejects.toBeInstanceOf(EsiTokenRequiredError);
    const wrong = h.esi.request(
      'GetCharactersCharacterIdNotifications',
      { character_id: t.characterId },
      { token: t.accessToken },
    );
    const e = await wrong.result().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(EsiMissingScopeError);
    expect((e as EsiMissingScopeError).scope).toBe(NOTIFICATIONS);
    expect((e as Error).message).not.toContain(t.accessToken);
    expect(h.sim.audit()).toHaveLength(0);
  });

  it('names the missing scope when ESI answers 403 for it', async () => {
    const h = await start();
    const t = await h.token(0, [WALLET]);
    // A source that does not know its scopes: the client cannot tell before sending.
    const source: AccessTokenSource = {
      characterId: t.characterId,
      getAccessToken: async () => t.accessToken,
    };
    const e = await h.esi
      .request(
        'GetCharactersCharacterIdNotifications',
        { character_id: t.characterId },
        { token: source },
      )
      .result()
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(EsiMissingScopeError);
    expect(e).toMatchObject({ code: 'ESIKIT_MISSING_SCOPE', status: 403, scope: NOTIFICATIONS });
  });

  it('reports a 401 as an HTTP error without the token', async () => {
    const h = await start();
    const t = await h.token(0, [WALLET]);
    const forged = `${t.accessToken.slice(0, -4)}AAAA`;
    const e = await h.esi
      .request('GetCharactersCharacterIdWallet', { character_id: t.characterId }, { token: forged })
      .result()
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(EsiHttpError);
    expect((e as EsiHttpError).status).toBe(401);
    expect((e as Error).message).not.toContain(forged);
    expect(h.esi.stats().errors).toBe(1);
  });
});

describe('validation', () => {
  it('sends nothing when params break the spec', async () => {
    const h = await start();
    const bad = [
      () => h.esi.request('GetMarketsRegionIdOrders', {} as never).result(),
      () => h.esi.request('GetMarketsRegionIdOrders', { region_id: 'Jita' } as never).result(),
      () =>
        h.esi
          .request('GetMarketsRegionIdOrders', { region_id: 1, order_type: 'any' } as never)
          .result(),
      () =>
        h.esi.request('GetMarketsRegionIdOrders', { region_id: 1, color: 'red' } as never).result(),
      () => h.esi.request('GetMarketsRegionIdOrders', { region_id: 1 }).result({ page: 0 }),
      () => h.esi.request('GetStatus').result({ page: 2 }),
      () => h.esi.request('PostUniverseNames', {}, { body: [] }).result(),
      () =>
        (h.esi.request as (id: string) => { result(): Promise<unknown> })(
          'NoSuchOperation',
        ).result(),
    ];
    for (const call of bad) await expect(call()).rejects.toBeInstanceOf(EsiValidationError);
    expect(h.sim.audit()).toHaveLength(0);
  });

  it('validates per-call options', async () => {
    const h = await start();
    await expect(h.esi.request('GetStatus').result({ timeout: -1 })).rejects.toBeInstanceOf(
      EsiOptionError,
    );
    await expect(h.esi.request('GetStatus').result({ retries: { server: -1 } })).rejects.toThrow(
      /retries\.server/,
    );
    await expect(
      h.esi.request('GetStatus', {}, { compatibilityDate: 'today' }).result(),
    ).rejects.toThrow(/compatibilityDate/);
    expect(h.sim.audit()).toHaveLength(0);
  });

  it('posts a validated body', async () => {
    const h = await start();
    const names = await h.esi.Universe.postUniverseNames({}, { body: [30000142] }).result();
    expect(Array.isArray(names)).toBe(true);
    expect(h.sim.audit()[0]?.method).toBe('POST');
  });
});

describe('createEsiClient', () => {
  it('warns once through the logger when app info is missing', async () => {
    const warnings: string[] = [];
    const logger = { warn: (m: string) => warnings.push(m) };
    const esi = createEsiClient({ logger });
    const again = createEsiClient({ logger });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/appInfo/);
    await esi.close();
    await again.close();
  });

  it('loads another spec lazily from specFile', async () => {
    const h = await start();
    const dir = mkdtempSync(join(tmpdir(), 'esikit-spec-'));
    const file = join(dir, 'openapi.json');
    writeFileSync(file, readFileSync(SPEC_FILE));
    const esi = createEsiClient({
      appInfo: { name: 'spec-file-test', version: '1.0.0' },
      contactEmail: 'tests@esikit.invalid',
      baseUrl: h.sim.esiUrl,
      clock: () => h.sim.clock.now(),
      specFile: file,
    });
    try {
      expect((await esi.request('GetStatus').result()).players).toBeTypeOf('number');
      const missing = createEsiClient({
        specFile: join(dir, 'nope.json'),
        logger: { warn: () => undefined },
      });
      await expect(missing.request('GetStatus').result()).rejects.toThrow(/nope\.json/);
      await missing.close();
    } finally {
      await esi.close();
    }
  });
});
