import { request } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { SsoFixture } from './testing.js';
import { basic, CHARACTERS, OPEN, startSso, WEB } from './testing.js';

let fx: SsoFixture;
beforeEach(async () => {
  fx = await startSso();
});
afterEach(async () => {
  await fx.close();
});

const WEB_AUTH = basic(WEB.clientId, WEB.clientSecret);

async function post(path: string, form: Record<string, string>, authorization?: string) {
  const res = await request(`${fx.url}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(authorization ? { authorization } : {}),
    },
    body: new URLSearchParams(form).toString(),
  });
  const text = await res.body.text();
  return { status: res.statusCode, text, body: text === '' ? undefined : JSON.parse(text) };
}

const issue = () =>
  fx.sso.issueTokens({
    characterId: CHARACTERS[0]!.id,
    scopes: ['publicData'],
    clientId: WEB.clientId,
  });

describe('POST /v2/oauth/revoke', () => {
  it('revoking a refresh token kills it and the access tokens of its grant', async () => {
    const tokens = await issue();
    // Verified before the revocation, as ESI would have: revocation must still win.
    await fx.sso.verifyAccessToken(tokens.access_token);
    const other = await issue(); // another grant of the same character stays alive
    const res = await post(
      '/v2/oauth/revoke',
      { token: tokens.refresh_token, token_type_hint: 'refresh_token' },
      WEB_AUTH,
    );
    expect(res).toMatchObject({ status: 200, text: '' });
    const refresh = await post(
      '/v2/oauth/token',
      { grant_type: 'refresh_token', refresh_token: tokens.refresh_token },
      WEB_AUTH,
    );
    expect(refresh.status).toBe(400);
    expect(refresh.body.error).toBe('invalid_grant');
    await expect(fx.sso.verifyAccessToken(tokens.access_token)).rejects.toMatchObject({
      name: 'SsoVerifyError',
      reason: 'revoked',
    });
    expect((await fx.sso.verifyAccessToken(other.access_token)).characterId).toBe(
      CHARACTERS[0]!.id,
    );
    expect(fx.sso.stats().revocations).toBe(1);
  });

  it('accepts client_secret_post', async () => {
    const tokens = await issue();
    const res = await post('/v2/oauth/revoke', {
      token: tokens.refresh_token,
      client_id: WEB.clientId,
      client_secret: WEB.clientSecret,
    });
    expect(res.status).toBe(200);
    await expect(fx.sso.verifyAccessToken(tokens.access_token)).rejects.toMatchObject({
      reason: 'revoked',
    });
  });

  it('revoking an access token revokes only that token', async () => {
    const tokens = await issue();
    await fx.sso.verifyAccessToken(tokens.access_token);
    const res = await post(
      '/v2/oauth/revoke',
      { token: tokens.access_token, token_type_hint: 'access_token' },
      WEB_AUTH,
    );
    expect(res.status).toBe(200);
    await expect(fx.sso.verifyAccessToken(tokens.access_token)).rejects.toMatchObject({
      reason: 'revoked',
    });
    const refresh = await post(
      '/v2/oauth/token',
      { grant_type: 'refresh_token', refresh_token: tokens.refresh_token },
      WEB_AUTH,
    );
    expect(refresh.status).toBe(200);
    expect((await fx.sso.verifyAccessToken(refresh.body.access_token)).characterId).toBe(
      CHARACTERS[0]!.id,
    );
  });

  it('an unknown token is 200 and counts nothing (RFC 7009)', async () => {
    const res = await post(
      '/v2/oauth/revoke',
      { token: 'never-issued', token_type_hint: 'refresh_token' },
      WEB_AUTH,
    );
    expect(res.status).toBe(200);
    expect(fx.sso.stats().revocations).toBe(0);
  });

  it("refuses to revoke another client's token and leaves it alive", async () => {
    const tokens = await issue();
    const res = await post(
      '/v2/oauth/revoke',
      { token: tokens.refresh_token },
      basic(OPEN.clientId, OPEN.clientSecret),
    );
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      error: 'invalid_request',
      error_description: expect.stringMatching(/another client/),
    });
    expect((await fx.sso.verifyAccessToken(tokens.access_token)).clientId).toBe(WEB.clientId);
  });

  it('requires client authentication and the token parameter', async () => {
    const tokens = await issue();
    expect((await post('/v2/oauth/revoke', { token: tokens.refresh_token })).body.error).toBe(
      'invalid_client',
    );
    expect(
      (
        await post(
          '/v2/oauth/revoke',
          { token: tokens.refresh_token },
          basic(WEB.clientId, 'wrong'),
        )
      ).status,
    ).toBe(401);
    const missing = await post('/v2/oauth/revoke', {}, WEB_AUTH);
    expect(missing.status).toBe(400);
    expect(missing.body.error_description).toMatch(/"token" is required/);
    expect((await fx.sso.verifyAccessToken(tokens.access_token)).clientId).toBe(WEB.clientId);
  });
});
