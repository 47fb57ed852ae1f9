import { errors, request } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { SsoFixture } from './testing.js';
import { basic, CHARACTERS, startSso, WEB } from './testing.js';

let fx: SsoFixture;
beforeEach(async () => {
  fx = await startSso();
});
afterEach(async () => {
  await fx.close();
});

async function refresh(refreshToken: string, options: { headersTimeout?: number } = {}) {
  const res = await request(`${fx.url}/v2/oauth/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: basic(WEB.clientId, WEB.clientSecret),
    },
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
    }).toString(),
    ...options,
  });
  return { status: res.statusCode, body: (await res.body.json()) as Record<string, string> };
}

/** Waits (real time, polling) until `n` requests sleep on the frozen simulator clock. */
async function untilSleeping(n = 1): Promise<void> {
  while (fx.clock.sleeping < n) await new Promise((r) => setTimeout(r, 5));
}

/** Whether `p` settles within `ms` of real time (a negative check; no upper-bound claim). */
async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  const settled = p.then(
    () => true,
    () => true,
  );
  return Promise.race([settled, new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);
}

const issue = () => fx.sso.issueTokens({ characterId: CHARACTERS[0]!.id, scopes: ['publicData'] });

describe('token endpoint faults', () => {
  it('503 for `times` requests, without consuming the refresh token, then clears', async () => {
    const { refresh_token } = await issue();
    fx.sso.setFaults({ token: { status: 503, times: 2 } });
    for (let i = 0; i < 2; i++) {
      const res = await refresh(refresh_token);
      expect(res.status).toBe(503);
      expect(res.body.error).toBe('temporarily_unavailable');
    }
    const ok = await refresh(refresh_token);
    expect(ok.status).toBe(200);
    expect(fx.sso.stats()).toMatchObject({ faultsInjected: 2, refreshes: 1, tokenErrors: {} });
  });

  it('500/502/504 answer server_error', async () => {
    const { refresh_token } = await issue();
    for (const status of [500, 502, 504] as const) {
      fx.sso.setFaults({ token: { status, times: 1 } });
      const res = await refresh(refresh_token);
      expect(res).toMatchObject({ status, body: { error: 'server_error' } });
    }
  });

  it('reset destroys the connection; the next request works', async () => {
    const { refresh_token } = await issue();
    fx.sso.setFaults({ token: { reset: true, times: 1 } });
    const error = await refresh(refresh_token).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(errors.SocketError);
    expect((await refresh(refresh_token)).status).toBe(200);
  });

  it('latency holds the answer back (a short client timeout gives up), then clears', async () => {
    const { refresh_token } = await issue();
    fx.sso.setFaults({ token: { latencyMs: 5_000, times: 1 } });
    const error = await refresh(refresh_token, { headersTimeout: 100 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(errors.HeadersTimeoutError);
    // The stalled request never reached the endpoint: the refresh token is still good.
    expect((await refresh(refresh_token, { headersTimeout: 2_000 })).status).toBe(200);
  });

  it('latency follows a frozen simulator clock: the answer comes once the clock has moved on', async () => {
    const { refresh_token } = await issue();
    fx.sso.setFaults({ token: { latencyMs: 60_000 } });
    const pending = refresh(refresh_token);
    await untilSleeping();
    fx.clock.advance(59_999);
    expect(await settlesWithin(pending, 100)).toBe(false);
    fx.clock.advance(1);
    expect((await pending).status).toBe(200);
  });

  it('on a running clock the latency is real time', async () => {
    fx.clock.unfreeze();
    const { refresh_token } = await issue();
    fx.sso.setFaults({ token: { latencyMs: 150 } });
    const started = performance.now();
    expect((await refresh(refresh_token)).status).toBe(200);
    // A lower bound on an injected delay, not a performance claim.
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('latencyAfterMs does the work first, then holds the answer back', async () => {
    const { refresh_token } = await issue();
    fx.sso.setFaults({ token: { latencyAfterMs: 5_000, times: 1 } });
    const error = await refresh(refresh_token, { headersTimeout: 100 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(errors.HeadersTimeoutError);
    // Unlike latencyMs, the refresh happened: the refresh token was rotated and is now dead.
    expect(fx.sso.stats().refreshes).toBe(1);
    const again = await refresh(refresh_token, { headersTimeout: 2_000 });
    expect(again).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  });

  it('latencyAfterMs alone still answers, once the frozen clock has moved on', async () => {
    const { refresh_token } = await issue();
    fx.sso.setFaults({ token: { latencyAfterMs: 30_000 } });
    const pending = refresh(refresh_token);
    await untilSleeping();
    // The work is done already; only the answer waits for the clock.
    expect(fx.sso.stats().refreshes).toBe(1);
    expect(await settlesWithin(pending, 100)).toBe(false);
    fx.clock.advance(30_000);
    expect((await pending).status).toBe(200);
  });

  it('setFaults({}) clears a fault without `times`', async () => {
    const { refresh_token } = await issue();
    fx.sso.setFaults({ token: { status: 500 } });
    expect((await refresh(refresh_token)).status).toBe(500);
    expect((await refresh(refresh_token)).status).toBe(500);
    fx.sso.setFaults({});
    expect((await refresh(refresh_token)).status).toBe(200);
  });
});

describe('faults on the other endpoints', () => {
  it('jwks, metadata and revoke each take their own fault', async () => {
    fx.sso.setFaults({
      jwks: { status: 502, times: 1 },
      metadata: { status: 504, times: 1 },
      revoke: { status: 503, times: 1 },
    });
    const jwks = await request(`${fx.url}/oauth/jwks`);
    await jwks.body.dump();
    const meta = await request(`${fx.url}/.well-known/oauth-authorization-server`);
    await meta.body.dump();
    const { refresh_token, access_token } = await issue();
    const revoke = await request(`${fx.url}/v2/oauth/revoke`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: basic(WEB.clientId, WEB.clientSecret),
      },
      body: new URLSearchParams({ token: refresh_token }).toString(),
    });
    await revoke.body.dump();
    expect([jwks.statusCode, meta.statusCode, revoke.statusCode]).toEqual([502, 504, 503]);
    // The failed revocation did nothing.
    expect((await fx.sso.verifyAccessToken(access_token)).characterId).toBe(CHARACTERS[0]!.id);
    const again = await request(`${fx.url}/oauth/jwks`);
    expect(again.statusCode).toBe(200);
    await again.body.dump();
    expect(fx.sso.stats()).toMatchObject({
      jwksRequests: 1,
      metadataRequests: 0,
      faultsInjected: 3,
    });
  });
});

describe('setFaults validation', () => {
  it.each([
    [{ token: { status: 404 } }, /token\.status must be one of 500, 502, 503, 504, got 404/],
    [{ token: { latencyMs: -1 } }, /token\.latencyMs must be a number >= 0, got -1/],
    [{ token: { latencyAfterMs: -1 } }, /token\.latencyAfterMs must be a number >= 0, got -1/],
    [{ jwks: { status: 500, times: 0 } }, /jwks\.times must be an integer >= 1, got 0/],
    [{ metadata: { times: 1 } }, /metadata does nothing/],
    [{ global: { errorRate: 1.5 } }, /global\.errorRate must be between 0 and 1, got 1\.5/],
    [{ routes: { token: { resetRate: -1 } } }, /routes\.token\.resetRate must be between 0 and 1/],
    [{ routes: { userinfo: { status: 500 } } }, /unknown endpoint "routes\.userinfo"/],
    [
      { token: { status: 500 }, routes: { token: { status: 502 } } },
      /both directly and under routes/,
    ],
    [
      { failNext: { count: 1, with: 404 } },
      /failNext\[0\]\.with must be 500\|502\|503\|504\|'reset', got 404/,
    ],
    [
      { failNext: [{ count: 1, with: 500, endpoint: 'authorize' }] },
      /failNext\[0\]\.endpoint must be one of/,
    ],
    [
      { token: { statuses: [418], errorRate: 1 } },
      /token\.statuses may hold 500, 502, 503, 504, got 418/,
    ],
    [{ userinfo: { status: 500 } }, /unknown endpoint "userinfo"/],
  ])('%j is refused', (faults, message) => {
    expect(() => fx.sso.setFaults(faults as never)).toThrow(message);
  });
});

describe('faults shaped like ESI faults', () => {
  it('errorRate draws a seeded share of 5xx from statuses, the same way for the same seed', async () => {
    const { refresh_token } = await issue();
    const run = async (): Promise<number[]> => {
      fx.sso.setFaults({ routes: { jwks: { errorRate: 0.4, statuses: [502, 503] } }, seed: 9 });
      const out: number[] = [];
      for (let i = 0; i < 60; i++) {
        const r = await request(`${fx.url}/oauth/jwks`);
        await r.body.dump();
        out.push(r.statusCode);
      }
      return out;
    };
    const a = await run();
    expect(await run()).toEqual(a);
    const failed = a.filter((s) => s !== 200);
    expect(failed.length).toBeGreaterThan(10);
    expect(failed.length).toBeLessThan(40);
    expect(new Set(failed)).toEqual(new Set([502, 503]));
    // Only the jwks endpoint was affected.
    expect((await refresh(refresh_token)).status).toBe(200);
  });

  it('failNext fails exactly the next N matching requests, per endpoint or any, several at once', async () => {
    const { refresh_token } = await issue();
    fx.sso.setFaults({
      failNext: [
        { count: 2, with: 503, endpoint: 'token' },
        { count: 1, with: 'reset', endpoint: 'metadata' },
      ],
    });
    const meta = await request(`${fx.url}/oauth/jwks`);
    await meta.body.dump();
    expect(meta.statusCode).toBe(200); // jwks is not targeted
    expect((await refresh(refresh_token)).status).toBe(503);
    expect((await refresh(refresh_token)).status).toBe(503);
    await expect(
      request(`${fx.url}/.well-known/oauth-authorization-server`).then((r) => r.body.text()),
    ).rejects.toBeInstanceOf(errors.SocketError);
    expect((await refresh(refresh_token)).status).toBe(200);
    expect(fx.sso.stats().faultsInjected).toBe(3);
  });

  it('global applies where an endpoint has no spec of its own; kinds combine (latency, then the error)', async () => {
    const { refresh_token } = await issue();
    fx.sso.setFaults({
      global: { latencyMs: 10_000, status: 502 },
      routes: { jwks: { latencyMs: 1 } },
    });
    const pending = refresh(refresh_token);
    await untilSleeping();
    expect(await settlesWithin(pending, 100)).toBe(false);
    fx.clock.advance(10_000);
    expect((await pending).status).toBe(502);
    const jwks = request(`${fx.url}/oauth/jwks`);
    await untilSleeping();
    fx.clock.advance(1);
    const answered = await jwks;
    await answered.body.dump();
    expect(answered.statusCode).toBe(200);
  });
});
