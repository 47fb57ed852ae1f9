import { rateLimitTokenCost } from '@esikit/spec';
import { describe, expect, it } from 'vitest';
import { ErrorLimitGovernor } from './error-limit.js';
import { Bucket } from './rate-limit.js';
import { backoffDelay } from './retry.js';

describe('ErrorLimitGovernor', () => {
  it('lets requests through while the error budget is healthy', () => {
    let now = 0;
    const g = new ErrorLimitGovernor(() => now, 10);
    g.observe(200, { 'x-esi-error-limit-remain': '100', 'x-esi-error-limit-reset': '30' });
    expect(g.blockedUntil()).toBe(0);
    now = 1;
    expect(g.snapshot().remain).toBe(100);
  });

  it('holds new requests until the reset when Remain falls under the threshold', () => {
    let now = 1000;
    const g = new ErrorLimitGovernor(() => now, 10);
    g.observe(404, { 'x-esi-error-limit-remain': '9', 'x-esi-error-limit-reset': '20' });
    expect(g.blockedUntil()).toBe(21_000);
    now = 21_000;
    expect(g.blockedUntil()).toBe(0);
  });

  it('pauses everything after a 420 until the reset, even without a Remain header', () => {
    const now = 5000;
    const g = new ErrorLimitGovernor(() => now, 0);
    g.observe(420, { 'x-esi-error-limit-reset': '7' });
    expect(g.blockedUntil()).toBe(12_000);
    const g2 = new ErrorLimitGovernor(() => now, 0);
    g2.observe(420, {});
    expect(g2.blockedUntil()).toBe(65_000);
  });
});

describe('ErrorLimitGovernor at dispatch (requests in flight)', () => {
  it('counts each request in flight as a possible error', () => {
    const now = 0;
    const g = new ErrorLimitGovernor(() => now, 10);
    g.observe(404, { 'x-esi-error-limit-remain': '11', 'x-esi-error-limit-reset': '30' });
    expect(g.holdUntil()).toBe(0);
    g.start();
    expect(g.holdUntil()).toBe(0);
    g.start();
    expect(g.holdUntil()).toBe(30_000);
    g.finish(200, { 'x-esi-error-limit-remain': '11', 'x-esi-error-limit-reset': '29' });
    expect(g.inFlight).toBe(1);
    expect(g.holdUntil()).toBe(0);
  });

  it('knows nothing of a window before the first answer, and forgets it after the reset', () => {
    let now = 0;
    const g = new ErrorLimitGovernor(() => now, 10);
    for (let i = 0; i < 50; i++) g.start();
    expect(g.holdUntil()).toBe(0);
    g.finish(404, { 'x-esi-error-limit-remain': '5', 'x-esi-error-limit-reset': '2' });
    expect(g.holdUntil()).toBe(2000);
    now = 2000;
    expect(g.holdUntil()).toBe(0);
  });
});

describe('Bucket (floating window)', () => {
  it('charges ESI token costs by status', () => {
    expect([200, 304, 404, 429, 503].map(rateLimitTokenCost)).toEqual([2, 1, 5, 0, 0]);
  });

  it('throttles before the bucket is empty and frees tokens as the window slides', () => {
    const b = new Bucket('g', 10, 60_000);
    const s1 = b.reserve(0);
    b.settle(s1, 0, 200, {});
    const s2 = b.reserve(1000);
    b.settle(s2, 1000, 200, {});
    const s3 = b.reserve(2000);
    b.settle(s3, 2000, 200, {});
    const s4 = b.reserve(3000);
    b.settle(s4, 3000, 200, {});
    expect(b.remaining(3000)).toBe(2);
    // 2 left of 10, and a request needs 2 plus a 5 % margin (0 here): still allowed…
    expect(b.blockedUntil(3000)).toBe(0);
    const s5 = b.reserve(4000);
    b.settle(s5, 4000, 200, {});
    // …now empty: the first spend leaves the window at 60 000.
    expect(b.blockedUntil(4000)).toBe(60_000);
    expect(b.blockedUntil(60_000)).toBe(0);
  });

  it('follows X-Ratelimit-Remaining when someone else spends in the same bucket', () => {
    const b = new Bucket('g', 150, 900_000);
    const s = b.reserve(0);
    b.settle(s, 0, 200, {
      'x-ratelimit-remaining': '40',
      'x-ratelimit-used': '2',
      'x-ratelimit-limit': '150/15m',
    });
    expect(b.remaining(0)).toBe(40);
    const s2 = b.reserve(10);
    b.settle(s2, 10, 200, { 'x-ratelimit-remaining': '138', 'x-ratelimit-used': '2' });
    expect(b.remaining(10)).toBe(138);
  });

  it('blocks the bucket for Retry-After after a 429', () => {
    const b = new Bucket('g', 150, 900_000);
    b.settle(b.reserve(0), 0, 429, { 'retry-after': '12' });
    expect(b.blockedUntil(0)).toBe(12_000);
    expect(b.blockedUntil(12_000)).toBe(0);
  });

  it('reads the window from X-Ratelimit-Limit', () => {
    const b = new Bucket('g', Number.POSITIVE_INFINITY, 60_000);
    b.settle(b.reserve(0), 0, 200, { 'x-ratelimit-limit': '20/1m', 'x-ratelimit-remaining': '18' });
    expect(b.maxTokens).toBe(20);
    expect(b.windowMs).toBe(60_000);
  });
});

describe('backoffDelay', () => {
  it('doubles per retry, with 50–150 % jitter', () => {
    const o = { connection: 3, server: 3, backoffFactor: 0.2, jitter: false };
    expect([0, 1, 2].map((r) => backoffDelay(r, o))).toEqual([200, 400, 800]);
    expect(backoffDelay(1, { ...o, jitter: true }, () => 0)).toBe(200);
    expect(backoffDelay(1, { ...o, jitter: true }, () => 0.999)).toBeCloseTo(599.6);
  });
});
