import { describe, expect, it } from 'vitest';
import { call, specDocument } from '../test/helpers.js';
import { NO_VIOLATIONS, SimulatorClock, startSimulator } from './index.js';

async function sim(at = Date.UTC(2026, 10, 22, 12, 0, 0)) {
  const clock = new SimulatorClock();
  clock.freeze(at);
  return startSimulator({ spec: specDocument(), clock, seed: 2 });
}

const errorOf = (json: unknown): string => (json as { error: string }).error;

describe('parameters', () => {
  it('answers 400 naming the parameter for bad path and query values', async () => {
    await using s = await sim();
    const badPath = await call(s, '/characters/abc');
    expect(badPath.status).toBe(400);
    expect(errorOf(badPath.json)).toMatch(
      /path parameter character_id must be an integer, got "abc"/,
    );
    const missing = await call(s, '/markets/10000002/orders');
    expect(missing.status).toBe(400);
    expect(errorOf(missing.json)).toMatch(/Missing required query parameter order_type/);
    const badEnum = await call(s, '/markets/10000002/orders?order_type=cheap');
    expect(errorOf(badEnum.json)).toMatch(
      /query parameter order_type must be one of buy, sell, all, got "cheap"/,
    );
    const tooLow = await call(s, '/markets/10000002/orders?order_type=all&page=0');
    expect(tooLow.status).toBe(400);
    expect(errorOf(tooLow.json)).toMatch(/page/);
    const badBool = await call(
      s,
      `/characters/${s.characters[0]!.id}/search?categories=character&search=abc&strict=yes`,
    );
    expect(badBool.status).toBe(400); // strict must be true/false (before auth is even considered)
  });

  it('parses comma-separated array query values (explode: false)', async () => {
    await using s = await sim();
    const pilot = s.characters[0]!;
    const { access_token: token } = await s.issueTokens({
      characterId: pilot.id,
      scopes: ['esi-characters.write_contacts.v1'],
    });
    const ok = await call(s, `/characters/${pilot.id}/contacts?contact_ids=1,2,3`, {
      method: 'DELETE',
      token,
    });
    expect(ok.status).toBe(204);
    expect(ok.text).toBe('');
    const bad = await call(s, `/characters/${pilot.id}/contacts?contact_ids=1,x`, {
      method: 'DELETE',
      token,
    });
    expect(bad.status).toBe(400);
    expect(errorOf(bad.json)).toMatch(/contact_ids item must be an integer, got "x"/);
  });

  it('404 for unknown routes, 405 for a known path with another method', async () => {
    await using s = await sim();
    const unknown = await call(s, '/no/such/route');
    expect(unknown.status).toBe(404);
    expect(unknown.json).toEqual({ error: 'Not found' });
    expect((await call(s, '/universe/names')).status).toBe(405);
  });

  it('validates JSON request bodies', async () => {
    await using s = await sim();
    const notJson = await call(s, '/universe/names', { method: 'POST', body: '[1,' });
    expect(notJson.status).toBe(400);
    expect(errorOf(notJson.json)).toMatch(/not valid JSON/);
    const tooMany = await call(s, '/universe/ids', {
      method: 'POST',
      body: Array.from({ length: 501 }, (_, i) => `n${i}`),
    });
    expect(errorOf(tooMany.json)).toMatch(/body allows at most 500 items, got 501/);
    const wrongType = await call(s, '/universe/names', { method: 'POST', body: ['Jita'] });
    expect(errorOf(wrongType.json)).toMatch(/body\[0\] must be integer/);
    const empty = await call(s, '/universe/names', { method: 'POST', body: [] });
    expect(empty.status).toBe(400);
    const affiliation = await call(s, '/characters/affiliation', {
      method: 'POST',
      body: [s.characters[0]!.id],
    });
    expect(affiliation.json).toEqual([
      expect.objectContaining({
        character_id: s.characters[0]!.id,
        corporation_id: s.characters[0]!.corporationId,
      }),
    ]);
  });
});

describe('X-Compatibility-Date', () => {
  it('accepts absent, today and past dates; rejects malformed and future ones (ESI day turns at 11:00 UTC)', async () => {
    await using s = await sim(Date.UTC(2026, 10, 22, 5, 0, 0));
    const get = (date?: string) =>
      call(s, '/alliances', date ? { headers: { 'x-compatibility-date': date } } : {});
    expect((await get()).status).toBe(200);
    expect((await get('2026-08-04')).status).toBe(200);
    // 05:00 UTC on the 22nd is still the 21st in ESI's day.
    expect((await get('2026-11-21')).status).toBe(200);
    const future = await get('2026-11-22');
    expect(future.status).toBe(400);
    expect(errorOf(future.json)).toMatch(/in the future/);
    for (const bad of ['2026-13-01', '2026-02-30', '04-08-2026', 'yesterday']) {
      const r = await get(bad);
      expect(r.status).toBe(400);
      expect(errorOf(r.json)).toContain(JSON.stringify(bad));
    }
    s.clock.advance(6 * 3_600_000);
    expect((await get('2026-11-22')).status).toBe(200);
    const query = await call(s, '/alliances?compatibility_date=2099-01-01');
    expect(query.status).toBe(400);
  });
});

describe('citizenship counters', () => {
  it('stay at zero for a well-behaved client', async () => {
    await using s = await sim();
    const first = await call(s, '/alliances');
    s.clock.advance(Date.parse(first.headers.expires!) - s.clock.now());
    const again = await call(s, '/alliances', {
      headers: { 'if-none-match': first.headers.etag! },
    });
    expect([200, 304]).toContain(again.status);
    await call(s, '/universe/names', { method: 'POST', body: [30000142] });
    await call(s, '/universe/names', { method: 'POST', body: [30000142] }); // POSTs are not cached
    expect(s.stats().violations).toEqual(NO_VIOLATIONS);
  });

  it('count requests inside the cache window, per resource, query and principal', async () => {
    await using s = await sim();
    await call(s, '/markets/prices');
    await call(s, '/markets/prices'); // violation
    await call(s, '/alliances'); // another resource: fine
    await call(s, '/markets/10000002/orders?order_type=all&page=1');
    await call(s, '/markets/10000002/orders?order_type=all&page=2'); // another page: fine
    await call(s, '/markets/10000002/orders?page=1&order_type=all'); // same query reordered: violation
    expect(s.stats().violations.cacheWindow).toBe(2);
    expect(
      s
        .audit()
        .filter((e) => e.violations.includes('cacheWindow'))
        .map((e) => e.path),
    ).toEqual(['/markets/prices', '/markets/10000002/orders']);
  });

  it('count requests without a meaningful User-Agent', async () => {
    await using s = await sim();
    for (const ua of [
      '',
      'undici',
      'node',
      'python-requests/2.32.3',
      'curl/8.5.0',
      'Go-http-client/1.1',
    ]) {
      await call(s, `/universe/types/34?ua=${encodeURIComponent(ua)}`, {
        headers: { 'user-agent': ua },
      });
    }
    expect(s.stats().violations.missingUserAgent).toBe(6);
    for (const ua of [
      'MyApp/1.2.3 (me@example.com)',
      'MyApp/1.0 undici/7.16.0',
      'RIFT/1.2.3 (foo@example.com)',
    ]) {
      await call(s, `/universe/types/35?ua=${encodeURIComponent(ua)}`, {
        headers: { 'user-agent': ua },
      });
    }
    expect(s.stats().violations.missingUserAgent).toBe(6);
    // A CORS preflight carries no app headers; it is not the app's fault.
    const preflight = await call(s, '/universe/types/587', {
      method: 'OPTIONS',
      headers: { 'user-agent': '' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('*');
    expect(s.stats().violations.missingUserAgent).toBe(6);
    // Browsers send X-User-Agent instead.
    await call(s, '/universe/types/587', {
      headers: { 'user-agent': '', 'x-user-agent': 'WebApp/1.0 (a@b.c)' },
    });
    expect(s.stats().violations.missingUserAgent).toBe(6);
  });
});
