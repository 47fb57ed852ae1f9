import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { call, specDocument, UA } from '../test/helpers.js';
import { type SimulatorOptions, SimulatorClock, startSimulator } from './index.js';

const T0 = Date.UTC(2026, 10, 22, 12, 0, 0);

async function sim(options: SimulatorOptions = {}) {
  const clock = new SimulatorClock();
  clock.freeze(T0);
  return startSimulator({ spec: specDocument(), clock, seed: 11, ...options });
}

describe('X-ESI-Request-ID', () => {
  it('is on every response, one per request: 200, 304, 404, 400, 420, preflight', async () => {
    await using s = await sim({ limits: { errorLimit: 2 } });
    const ok = await call(s, '/alliances');
    const again = await call(s, '/alliances', { headers: { 'if-none-match': ok.headers.etag! } });
    const preflight = await call(s, '/alliances', { method: 'OPTIONS' });
    const missing = await call(s, '/nowhere');
    const bad = await call(s, '/characters/abc');
    const limited = await call(s, '/alliances');
    expect([ok, again, preflight, missing, bad, limited].map((r) => r.status)).toEqual([
      200, 304, 204, 404, 400, 420,
    ]);
    const ids = [ok, again, preflight, missing, bad, limited].map(
      (r) => r.headers['x-esi-request-id'],
    );
    for (const id of ids)
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('HEAD', () => {
  it('answers where GET does, with GET’s status and headers and no body', async () => {
    await using s = await sim();
    const get = await call(s, '/markets/prices');
    s.resetAudit();
    s.clock.advance(Date.parse(get.headers.expires!) - T0);
    const later = await call(s, '/markets/prices');
    const head = await call(s, '/markets/prices', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.text).toBe('');
    expect(head.headers.etag).toBe(later.headers.etag);
    expect(head.headers.expires).toBe(later.headers.expires);
    expect(head.headers['content-type']).toMatch(/^application\/json/);
    const head404 = await call(s, '/characters/123', { method: 'HEAD' });
    expect(head404.status).toBe(404);
    expect(head404.text).toBe('');
    // A path with no GET stays 405 for HEAD too.
    expect((await call(s, '/universe/names', { method: 'HEAD' })).status).toBe(405);
  });
});

describe('CORS preflight', () => {
  it('lists the allowed request headers by name: Authorization is not covered by "*"', async () => {
    await using s = await sim();
    const r = await call(s, '/characters/1/wallet', {
      method: 'OPTIONS',
      headers: {
        origin: 'https://app.example',
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'authorization,x-compatibility-date',
      },
    });
    expect(r.status).toBe(204);
    const allowed = r.headers['access-control-allow-headers']!.toLowerCase().split(/\s*,\s*/);
    expect(allowed).not.toContain('*');
    for (const h of [
      'authorization',
      'content-type',
      'if-none-match',
      'if-modified-since',
      'x-compatibility-date',
      'x-user-agent',
      'accept-language',
    ])
      expect(allowed).toContain(h);
    expect(r.headers['access-control-allow-methods']).toContain('HEAD');
    expect(r.headers['access-control-allow-origin']).toBe('*');
  });
});

describe('error limit per IP', () => {
  it('a new User-Agent, or a token of another application, from the same IP gets no fresh budget', async () => {
    await using s = await sim({ limits: { errorLimit: 3 } });
    for (let i = 0; i < 3; i++) expect((await call(s, '/nowhere')).status).toBe(404);
    expect((await call(s, '/alliances')).status).toBe(420);
    const other = await call(s, '/alliances', {
      headers: { 'user-agent': 'OtherApp/2.0 (x@example.com)' },
    });
    expect(other.status).toBe(420);
    const pilot = s.characters[0]!;
    const { access_token } = await s.issueTokens({ characterId: pilot.id, scopes: [] });
    expect((await call(s, '/alliances', { token: access_token })).status).toBe(420);
    s.clock.advance(60_000);
    expect((await call(s, '/alliances', { token: access_token })).status).toBe(200);
  });
});

describe('truncated bodies', () => {
  it('a body cut by a fault is not a served cache window: the retry is no violation', async () => {
    await using s = await sim({ faults: { failNext: { count: 1, with: 'truncate' } } });
    const cut = await request(`${s.esiUrl}/markets/prices`, { headers: { 'user-agent': UA } });
    expect(cut.statusCode).toBe(200);
    await expect(cut.body.text()).rejects.toThrow();
    const retry = await call(s, '/markets/prices');
    expect(retry.status).toBe(200);
    expect(s.stats().truncated).toBe(1);
    expect(s.stats().violations.cacheWindow).toBe(0);
    // The whole body that did arrive opens the window: asking again now is a violation.
    await call(s, '/markets/prices');
    expect(s.stats().violations.cacheWindow).toBe(1);
  });
});
