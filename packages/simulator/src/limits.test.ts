import { describe, expect, it } from 'vitest';
import { call, specDocument } from '../test/helpers.js';
import { type SimulatorOptions, SimulatorClock, startSimulator } from './index.js';

const T0 = Date.UTC(2026, 10, 22, 12, 0, 0);
const WALLET_SCOPE = 'esi-wallet.read_character_wallet.v1';

async function sim(options: SimulatorOptions = {}) {
  const clock = new SimulatorClock();
  clock.freeze(T0);
  return startSimulator({ spec: specDocument(), clock, seed: 5, ...options });
}

describe('error limit', () => {
  it('counts 4xx/5xx per window, answers 420 after the limit, and resets with the window', async () => {
    await using s = await sim();
    let last = await call(s, '/alliances');
    for (let i = 1; i <= 100; i++) {
      last = await call(s, `/characters/${i}`); // no such character: 404
      expect(last.status).toBe(404);
      expect(last.headers['x-esi-error-limit-remain']).toBe(String(100 - i));
    }
    expect(Number(last.headers['x-esi-error-limit-reset'])).toBe(60);
    const pilot = s.characters[0]!;
    const limited = await call(s, `/characters/${pilot.id}`);
    expect(limited.status).toBe(420);
    expect(limited.json).toEqual({ error: 'error limited' });
    expect(limited.headers['x-esi-error-limit-remain']).toBe('0');
    // Every route, including those under bucket rate limiting.
    expect((await call(s, '/status')).status).toBe(420);
    expect(s.stats().violations.afterErrorLimit).toBe(1);
    s.clock.advance(60_000);
    const fresh = await call(s, `/characters/${pilot.id}`);
    expect(fresh.status).toBe(200);
    expect(fresh.headers['x-esi-error-limit-remain']).toBe('100');
    expect(s.stats().violations.afterErrorLimit).toBe(1);
  });

  it('only routes without x-rate-limit carry the error-limit headers', async () => {
    await using s = await sim();
    const bucketed = await call(s, '/status');
    expect(bucketed.headers['x-ratelimit-group']).toBe('status');
    expect(bucketed.headers['x-esi-error-limit-remain']).toBeUndefined();
    const legacy = await call(s, '/alliances');
    expect(legacy.headers['x-ratelimit-group']).toBeUndefined();
    expect(legacy.headers['x-esi-error-limit-remain']).toBe('100');
  });
});

describe('rate-limit buckets', () => {
  it('sends the bucket headers and charges 2/1/5/0 tokens for 2xx/3xx/4xx/5xx', async () => {
    await using s = await sim({
      limits: { groups: { 'char-wallet': { maxTokens: 40, windowMs: 86_400_000 } } },
    });
    const pilot = s.characters[0]!;
    const { access_token: token } = await s.issueTokens({
      characterId: pilot.id,
      scopes: [WALLET_SCOPE],
    });
    const path = `/characters/${pilot.id}/wallet/journal`;
    const ok = await call(s, path, { token });
    expect(ok.headers).toMatchObject({
      'x-ratelimit-group': 'char-wallet',
      'x-ratelimit-limit': '40/24h',
      'x-ratelimit-used': '2',
      'x-ratelimit-remaining': '38',
    });
    // Revalidating inside the window (a cache-window violation, but it shows the 3xx cost).
    const revalidated = await call(s, path, {
      token,
      headers: { 'if-none-match': ok.headers.etag! },
    });
    expect(revalidated.status).toBe(304);
    expect(revalidated.headers['x-ratelimit-used']).toBe('1');
    const bad = await call(s, `${path}?page=abc`, { token });
    expect(bad.status).toBe(400);
    expect(bad.headers['x-ratelimit-used']).toBe('5');
    s.setFaults({ failNext: { count: 1, with: 503 } });
    const failed = await call(s, `${path}?page=2`, { token });
    expect(failed.status).toBe(503);
    expect(failed.headers['x-ratelimit-used']).toBe('0');
    expect(failed.headers['x-ratelimit-remaining']).toBe(String(40 - 2 - 1 - 5));
  });

  it('answers 429 with Retry-After when the bucket is empty and frees tokens a window after they were spent', async () => {
    await using s = await sim({ limits: { groups: { 'char-wallet': { maxTokens: 10 } } } });
    const pilot = s.characters[1]!;
    const { access_token: token } = await s.issueTokens({
      characterId: pilot.id,
      scopes: [WALLET_SCOPE],
    });
    // Distinct pages so no request repeats a cached resource.
    for (let page = 1; page <= 3; page++) {
      expect(
        (await call(s, `/characters/${pilot.id}/wallet/journal?page=${page}`, { token })).status,
      ).toBe(200);
    }
    s.clock.advance(60_000);
    await call(s, `/characters/${pilot.id}/wallet`, { token });
    await call(s, `/characters/${pilot.id}/wallet/transactions`, { token });
    const limited = await call(s, `/characters/${pilot.id}/wallet/journal?page=4`, { token });
    expect(limited.status).toBe(429);
    // The first 6 tokens were spent at T0 and come back at T0 + 15 min, 14 min from now.
    expect(limited.headers['retry-after']).toBe(String(14 * 60));
    expect(limited.headers['x-ratelimit-remaining']).toBe('0');
    expect(s.stats().violations.duringRetryAfter).toBe(0);
    s.clock.advance(60_000);
    expect((await call(s, `/characters/${pilot.id}/wallet/journal?page=5`, { token })).status).toBe(
      429,
    );
    expect(s.stats().violations.duringRetryAfter).toBe(1);
    // Other characters of the same app have their own bucket.
    const other = s.characters[2]!;
    const { access_token: otherToken } = await s.issueTokens({
      characterId: other.id,
      scopes: [WALLET_SCOPE],
    });
    expect((await call(s, `/characters/${other.id}/wallet`, { token: otherToken })).status).toBe(
      200,
    );
    s.clock.advance(13 * 60_000);
    const back = await call(s, `/characters/${pilot.id}/wallet/journal?page=1`, { token });
    expect(back.status).toBe(200);
    expect(back.headers['x-ratelimit-remaining']).toBe(String(10 - 4 - 2));
    expect(s.stats().violations.duringRetryAfter).toBe(1);
  });

  it('rejects bad limit overrides naming the option', async () => {
    await expect(sim({ limits: { groups: { 'char-wallet': { maxTokens: 0 } } } })).rejects.toThrow(
      /limits\.groups\.char-wallet\.maxTokens/,
    );
    await expect(sim({ limits: { errorLimit: -1 } })).rejects.toThrow(/limits\.errorLimit/);
  });
});
