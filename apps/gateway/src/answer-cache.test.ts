// The gateway's shared cache of public tRPC answers, over real HTTP against a real gateway (the
// simulator as ESI, the embedded database in memory): what it serves from memory, and that it
// never serves a user's answer to anyone else nor anything past ESI's Expires.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  openFreshCacheWindows,
  startTestGateway,
  violations,
  type TestGateway,
} from '../test/fixture.js';
import { AnswerCache, sharedMaxAge } from './internal/answer-cache.js';
import { Browserless } from './internal/browserless.js';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
}, 120_000);
afterAll(async () => {
  expect(violations(t.sim)).toBe(0);
  await t?.[Symbol.asyncDispose]();
});

const STATUS = '/trpc/esi.status.getStatus';

// Each test starts with every cache window just opened, so no answer is a second from its
// Expires (max-age 0, nothing to share) by chance of when the test happens to run.
beforeEach(() => openFreshCacheWindows(t.sim));

async function metric(result: 'hit' | 'stored'): Promise<number> {
  const text = await (await fetch(`${t.gw.url}/metrics`)).text();
  const m = new RegExp(`esikit_http_answer_cache_total\\{result="${result}"\\} (\\d+)`).exec(text);
  return Number(m?.[1] ?? 0);
}

async function get(path: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${t.gw.url}${path}`, { headers });
  return { res, body: await res.text() };
}

describe('the shared answer cache', () => {
  it('serves a public answer again from memory, with Age, without asking core', async () => {
    const first = await get(STATUS);
    expect(first.res.status).toBe(200);
    expect(first.res.headers.get('cache-control')).toMatch(/^public, max-age=\d+$/);
    expect(first.res.headers.get('age')).toBeNull();
    const hits = await metric('hit');
    const coreHits = t.gw.esi.stats().cacheHits;
    const second = await get(STATUS);
    expect(second.res.status).toBe(200);
    expect(second.body).toBe(first.body);
    expect(second.res.headers.get('age')).toMatch(/^\d+$/);
    expect(second.res.headers.get('cache-control')).toBe(first.res.headers.get('cache-control'));
    expect(second.res.headers.get('content-type')).toBe(first.res.headers.get('content-type'));
    expect(await metric('hit')).toBe(hits + 1);
    expect(t.gw.esi.stats().cacheHits).toBe(coreHits);
  });

  it('never serves an answer at or past ESI’s Expires', async () => {
    const path = `${STATUS}?input=${encodeURIComponent(JSON.stringify({}))}`;
    const requested = t.sim.clock.now();
    const first = await get(path);
    // The Expires of the answer just stored, from core's cache (the same entry tRPC was given).
    const { expires } = await t.gw.esi.call('GetStatus', {}).resultWithResponse();
    const maxAge = sharedMaxAge(first.res.headers.get('cache-control'))!;
    // The stored copy lives max-age from the request's arrival: never past ESI's Expires.
    expect(maxAge).toBeGreaterThan(0);
    expect(requested + maxAge * 1000).toBeLessThanOrEqual(expires!);
    expect((await get(path)).res.headers.get('age')).not.toBeNull();
    // At ESI's Expires the stored copy is gone: the gateway asks tRPC (and core) again.
    t.sim.clock.advance(expires! - t.sim.clock.now());
    const at = await get(path);
    expect(at.res.status).toBe(200);
    expect(at.res.headers.get('age')).toBeNull();
  });

  it('never stores or serves what a logged-in user asked, and never shares a private answer', async () => {
    const b = new Browserless(t.gw.url);
    t.sim.sso.setAutoConsent(t.sim.characters[1]!.id);
    await b.login();
    const character = t.sim.characters[1]!.id;
    const path = `/trpc/esi.wallet.getCharactersCharacterIdWallet?input=${encodeURIComponent(
      JSON.stringify({ character_id: character }),
    )}`;
    const stored = await metric('stored');
    const mine = await b.fetch(path);
    expect(mine.status).toBe(200);
    expect(mine.headers.get('cache-control')).toMatch(/^private, max-age=\d+$/);
    expect(typeof ((await mine.json()) as { result: { data: unknown } }).result.data).toBe(
      'number',
    );
    // The same URL without the cookie: the wallet is not anyone else's to read.
    const anonymous = await get(path);
    expect(anonymous.res.status).toBe(401);
    expect(anonymous.body).not.toContain('"result"');
    // A public answer asked with a cookie is neither stored nor served from memory.
    for (let i = 0; i < 2; i++) {
      const res = await b.fetch(`${STATUS}?input=${encodeURIComponent('{"u":1}')}`);
      await res.body?.cancel();
      expect(res.headers.get('age')).toBeNull();
    }
    expect(await metric('stored')).toBe(stored);
    // Nor with an Authorization header.
    for (let i = 0; i < 2; i++) {
      const { res } = await get(`${STATUS}?auth`, { authorization: 'Bearer nope' });
      expect(res.headers.get('age')).toBeNull();
    }
  });

  it('keys on the request headers the answer varies on, and lets no-cache requests through', async () => {
    const path = `${STATUS}?vary`;
    await get(path, { accept: 'application/json' });
    expect((await get(path, { accept: 'application/json' })).res.headers.get('age')).not.toBeNull();
    expect((await get(path, { accept: 'text/plain' })).res.headers.get('age')).toBeNull();
    expect(
      (
        await get(path, { accept: 'application/json', 'cache-control': 'no-cache' })
      ).res.headers.get('age'),
    ).toBeNull();
    expect(
      (await get(path, { accept: 'application/json', pragma: 'no-cache' })).res.headers.get('age'),
    ).toBeNull();
    // A streamed batch is never stored: no Cache-Control, no length.
    const streamPath = `/trpc/esi.status.getStatus?batch=1&input=${encodeURIComponent('{}')}`;
    for (let i = 0; i < 2; i++) {
      const { res } = await get(streamPath, { 'trpc-accept': 'application/jsonl' });
      expect(res.headers.get('age')).toBeNull();
    }
    // Neither are the app's own procedures (no Cache-Control) nor errors.
    for (let i = 0; i < 2; i++) {
      expect((await get('/trpc/me')).res.headers.get('age')).toBeNull();
      expect((await get('/trpc/esi.status.nope')).res.headers.get('age')).toBeNull();
    }
  });
});

describe('sharedMaxAge and the store', () => {
  it('takes only public answers with a positive max-age', () => {
    expect(sharedMaxAge('public, max-age=30')).toBe(30);
    expect(sharedMaxAge('max-age=30, public')).toBe(30);
    expect(sharedMaxAge('max-age=30')).toBeUndefined();
    expect(sharedMaxAge('private, max-age=30')).toBeUndefined();
    expect(sharedMaxAge('public, private, max-age=30')).toBeUndefined();
    expect(sharedMaxAge('public, max-age=30, no-store')).toBeUndefined();
    expect(sharedMaxAge('public, no-cache, max-age=30')).toBeUndefined();
    expect(sharedMaxAge('public, max-age=0')).toBeUndefined();
    expect(sharedMaxAge('public, max-age=-1')).toBeUndefined();
    expect(sharedMaxAge('public, max-age=30, s-maxage=60')).toBeUndefined();
    expect(sharedMaxAge(null)).toBeUndefined();
  });

  it('counts max-age (and Age) from when the request arrived, not from when the answer was stored', () => {
    let now = 5_000_000;
    const cache = new AnswerCache(16 * 1024, () => now);
    const requested = now;
    // tRPC took 400 ms; the adapter computed max-age=10 at some moment after the arrival.
    now += 400;
    const headers = { 'cache-control': 'public, max-age=10' };
    expect(cache.offer('a', 200, headers, Buffer.alloc(10), requested)).toBe(true);
    expect(cache.get('a')?.age).toBe(0);
    now = requested + 9_999;
    expect(cache.get('a')?.age).toBe(9);
    now = requested + 10_000; // not at storage + 10 s: that would be 400 ms past
    expect(cache.get('a')).toBeUndefined();
  });

  it('refuses Set-Cookie, non-200 and Vary beyond its key, expires by its clock, stays within its size', () => {
    let now = 1_000_000;
    const cache = new AnswerCache(16 * 1024, () => now);
    const headers = (extra: Record<string, string> = {}) => ({
      'cache-control': 'public, max-age=10',
      vary: 'trpc-accept, accept',
      ...extra,
    });
    const body = Buffer.alloc(1000);
    expect(cache.offer('a', 200, headers({ 'set-cookie': 'x=1' }), body)).toBe(false);
    expect(cache.offer('a', 404, headers(), body)).toBe(false);
    expect(cache.offer('a', 200, headers({ vary: 'cookie' }), body)).toBe(false);
    expect(cache.offer('a', 200, headers({ vary: '*' }), body)).toBe(false);
    expect(cache.offer('a', 200, headers(), Buffer.alloc(2000))).toBe(false); // > 1/16 of it
    expect(cache.offer('a', 200, headers(), body)).toBe(true);
    now += 9_999;
    expect(cache.get('a')?.age).toBe(9);
    now += 1;
    expect(cache.get('a')).toBeUndefined();
    for (let i = 0; i < 40; i++) cache.offer(`k${i}`, 200, headers(), body);
    expect(cache.size).toBe(16);
    expect(cache.get('k0')).toBeUndefined();
    expect(cache.get('k39')).toBeDefined();
  });
});
