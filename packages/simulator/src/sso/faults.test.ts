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

  it('latency alone still answers, after the delay', async () => {
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

  it('latencyAfterMs alone still answers, after the delay', async () => {
    const { refresh_token } = await issue();
    fx.sso.setFaults({ token: { latencyAfterMs: 150 } });
    const started = performance.now();
    expect((await refresh(refresh_token)).status).toBe(200);
    // A lower bound on an injected delay, not a performance claim.
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
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
    [{ userinfo: { status: 500 } }, /unknown endpoint "userinfo"/],
  ])('%j is refused', (faults, message) => {
    expect(() => fx.sso.setFaults(faults as never)).toThrow(message);
  });
});
