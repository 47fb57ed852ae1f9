import { rateLimitTokenCost } from '@esikit/spec';
// Small pure pieces whose edge cases the HTTP tests reach only indirectly.
import { describe, expect, it } from 'vitest';
import { SimulatorClock } from '../clock.js';
import { isMeaningfulUserAgent } from './audit.js';
import { cacheWindow, ifNoneMatchMatches } from './caching.js';
import { BucketLimiter } from './limits.js';
import { cursorPage, encodeCursor, streamRecords } from './pagination.js';
import { Prng } from './prng.js';

describe('User-Agent', () => {
  it.each([
    [undefined, false],
    ['', false],
    ['   ', false],
    ['undici', false],
    ['node-fetch/1.0', false],
    ['axios/1.7.2', false],
    ['Python-urllib/3.12', false],
    ['MyApp', true],
    ['MyApp/1.0 (me@example.com)', true],
    ['eveseat:eveapi/5.0.22 (admin contact: foo@example)', true],
  ])('%j meaningful: %s', (ua, expected) => {
    expect(isMeaningfulUserAgent(ua)).toBe(expected);
  });
});

describe('caching', () => {
  it('aligns windows to multiples of the cache age', () => {
    const w = cacheWindow(Date.UTC(2026, 0, 1, 10, 7, 30), 300);
    expect(w.start).toBe(Date.UTC(2026, 0, 1, 10, 5));
    expect(w.expires).toBe(Date.UTC(2026, 0, 1, 10, 10));
    expect(cacheWindow(w.expires, 300).index).toBe(w.index + 1);
  });

  it('matches If-None-Match lists, weak tags and *', () => {
    expect(ifNoneMatchMatches('"a", W/"b"', '"b"')).toBe(true);
    expect(ifNoneMatchMatches('*', '"b"')).toBe(true);
    expect(ifNoneMatchMatches('"a"', '"b"')).toBe(false);
    expect(ifNoneMatchMatches(undefined, '"b"')).toBe(false);
  });
});

describe('buckets', () => {
  it('cost 2/1/5/0 and 0 for 429', () => {
    expect([200, 204, 304, 400, 404, 420, 429, 500, 503].map(rateLimitTokenCost)).toEqual([
      2, 2, 1, 5, 5, 5, 0, 0, 0,
    ]);
  });

  it('return tokens exactly one window after they were spent', () => {
    const clock = new SimulatorClock();
    clock.freeze(0);
    const limiter = new BucketLimiter(clock);
    const spec = limiter.spec({ group: 'g', maxTokens: 4, windowSize: '1m', windowMs: 60_000 });
    limiter.charge(spec, 'p', 200);
    clock.advance(10_000);
    limiter.charge(spec, 'p', 200);
    const denied = limiter.admit(spec, 'p');
    expect(denied).toEqual({
      allowed: false,
      violation: false,
      retryAfterSeconds: 50,
      remaining: 0,
    });
    clock.advance(49_999);
    expect(limiter.admit(spec, 'p')).toMatchObject({
      allowed: false,
      violation: true,
      retryAfterSeconds: 1,
    });
    // Told "1 s" just now: coming back when the tokens are free but before that is still early.
    clock.advance(1);
    expect(limiter.admit(spec, 'p')).toEqual({ allowed: true, violation: true });
    clock.advance(999);
    expect(limiter.admit(spec, 'p')).toEqual({ allowed: true, violation: false });
    expect(limiter.remaining(spec, 'p')).toBe(2);
  });
});

describe('record streams', () => {
  const base = { key: 'k', anchor: 1_000_000, intervalMs: 1000, history: 5 };

  it('grow with time, newest modification last, ids unique', () => {
    const before = streamRecords({ ...base, now: 1_000_000 });
    expect(before.map((r) => r.id)).toEqual([1, 2, 3, 4, 5]);
    const later = streamRecords({ ...base, now: 1_010_000 });
    expect(new Set(later.map((r) => r.id)).size).toBe(later.length);
    expect(later.map((r) => r.modified)).toEqual(
      [...later.map((r) => r.modified)].sort((a, b) => a - b),
    );
    expect(later.at(-1)!.modified).toBe(1_010_000);
  });

  it('cursor pages: before walks back, after walks forward, empty pages echo the token', () => {
    const records = streamRecords({ ...base, now: 1_000_000 });
    const newest = cursorPage(records, { limit: 2 });
    if ('error' in newest) throw new Error(newest.error);
    expect(newest.records.map((r) => r.id)).toEqual([4, 5]);
    const older = cursorPage(records, { before: newest.cursor.before!, limit: 2 });
    expect('records' in older && older.records.map((r) => r.id)).toEqual([2, 3]);
    const end = cursorPage(records, { after: encodeCursor(records.at(-1)!), limit: 2 });
    expect(end).toEqual({
      records: [],
      cursor: { before: encodeCursor(records.at(-1)!), after: encodeCursor(records.at(-1)!) },
    });
    expect(cursorPage(records, { after: '!!', limit: 2 })).toEqual({
      error: 'invalid cursor in after: "!!"',
    });
  });
});

describe('Prng', () => {
  it('is deterministic per seed and stays inside int64-sized ranges', () => {
    const a = new Prng('x');
    const b = new Prng('x');
    const draws = Array.from({ length: 100 }, () => a.int(1_030_000_000_000, 1_039_999_999_999));
    expect(draws).toEqual(
      Array.from({ length: 100 }, () => b.int(1_030_000_000_000, 1_039_999_999_999)),
    );
    expect(
      draws.every(
        (d) => d >= 1_030_000_000_000 && d <= 1_039_999_999_999 && Number.isSafeInteger(d),
      ),
    ).toBe(true);
    expect(new Prng('y').uuid()).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });
});
