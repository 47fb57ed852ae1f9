import { describe, expect, it } from 'vitest';

import {
  basic,
  CHARACTERS,
  expectOAuthError,
  ssoPerTest,
  OPEN,
  SCOPES,
  WEB,
  WEB_AUTH,
} from './testing.js';

const env = ssoPerTest();
const { token, webCode } = env;
const expectError = expectOAuthError;

async function webTokens() {
  const res = await token({ grant_type: 'authorization_code', code: await webCode() }, WEB_AUTH);
  expect(res.status).toBe(200);
  return res.body as { access_token: string; refresh_token: string };
}

describe('refresh tokens', () => {
  it('rotate: the old refresh token dies once used', async () => {
    const first = await webTokens();
    const second = await token(
      { grant_type: 'refresh_token', refresh_token: first.refresh_token },
      WEB_AUTH,
    );
    expect(second.status).toBe(200);
    expect(second.body.refresh_token).not.toBe(first.refresh_token);
    expect(second.body.access_token).not.toBe(first.access_token);
    const reused = await token(
      { grant_type: 'refresh_token', refresh_token: first.refresh_token },
      WEB_AUTH,
    );
    expectError(reused, 400, 'invalid_grant');
    const third = await token(
      { grant_type: 'refresh_token', refresh_token: second.body.refresh_token },
      WEB_AUTH,
    );
    expect(third.status).toBe(200);
    expect(env.fx.sso.stats()).toMatchObject({
      refreshes: 2,
      refreshesByCharacter: { [CHARACTERS[0]!.id]: 2 },
      tokenErrors: { invalid_grant: 1 },
    });
  });

  it('issues fresh iat/exp from the clock', async () => {
    const first = await webTokens();
    env.fx.clock.advance(1300_000);
    await expect(env.fx.sso.verifyAccessToken(first.access_token)).rejects.toMatchObject({
      reason: 'expired',
    });
    const next = await token(
      { grant_type: 'refresh_token', refresh_token: first.refresh_token },
      WEB_AUTH,
    );
    const access = await env.fx.sso.verifyAccessToken(next.body.access_token);
    expect(access.expiresAt).toBe((env.fx.clock.nowSeconds() + 1200) * 1000);
  });

  it('narrow to a subset of the granted scopes, keeping the full grant for the next refresh', async () => {
    const first = await webTokens();
    const narrow = await token(
      { grant_type: 'refresh_token', refresh_token: first.refresh_token, scope: SCOPES[1]! },
      WEB_AUTH,
    );
    expect(narrow.status).toBe(200);
    expect((await env.fx.sso.verifyAccessToken(narrow.body.access_token)).scopes).toEqual([
      SCOPES[1],
    ]);
    const full = await token(
      { grant_type: 'refresh_token', refresh_token: narrow.body.refresh_token },
      WEB_AUTH,
    );
    expect((await env.fx.sso.verifyAccessToken(full.body.access_token)).scopes).toEqual(SCOPES);
  });

  it('a scope that was not granted is invalid_scope, and the refresh token survives', async () => {
    const first = await webTokens();
    const res = await token(
      {
        grant_type: 'refresh_token',
        refresh_token: first.refresh_token,
        scope: `${SCOPES[0]} esi-mail.send_mail.v1`,
      },
      WEB_AUTH,
    );
    expectError(res, 400, 'invalid_scope', /esi-mail\.send_mail\.v1/);
    expect(
      (await token({ grant_type: 'refresh_token', refresh_token: first.refresh_token }, WEB_AUTH))
        .status,
    ).toBe(200);
  });

  it("another client's refresh token is invalid_grant", async () => {
    const first = await webTokens();
    const res = await token(
      { grant_type: 'refresh_token', refresh_token: first.refresh_token },
      basic(OPEN.clientId, OPEN.clientSecret),
    );
    expectError(res, 400, 'invalid_grant', /another client/);
  });

  it('transferCharacter kills old refresh tokens; a new login carries the new owner hash', async () => {
    const before = await webTokens();
    const oldOwner = CHARACTERS[0]!.ownerHash;
    env.fx.sso.transferCharacter(CHARACTERS[0]!.id);
    const newOwner = env.fx.sso.characters[0]!.ownerHash;
    expect(newOwner).not.toBe(oldOwner);
    expect(newOwner).toMatch(/^[A-Za-z0-9+/]{27}=$/);
    expectError(
      await token({ grant_type: 'refresh_token', refresh_token: before.refresh_token }, WEB_AUTH),
      400,
      'invalid_grant',
    );
    // The access token already out runs until it expires, as on EVE.
    expect((await env.fx.sso.verifyAccessToken(before.access_token)).ownerHash).toBe(oldOwner);
    const after = await webTokens();
    expect((await env.fx.sso.verifyAccessToken(after.access_token)).ownerHash).toBe(newOwner);
  });

  it('issueTokens gives a refresh token the token endpoint accepts', async () => {
    const issued = await env.fx.sso.issueTokens({
      characterId: CHARACTERS[1]!.id,
      scopes: ['publicData'],
      clientId: WEB.clientId,
    });
    const res = await token(
      { grant_type: 'refresh_token', refresh_token: issued.refresh_token },
      WEB_AUTH,
    );
    expect(res.status).toBe(200);
    expect((await env.fx.sso.verifyAccessToken(res.body.access_token)).characterName).toBe(
      CHARACTERS[1]!.name,
    );
  });

  it('concurrent refreshes with one token: exactly one wins', async () => {
    const first = await webTokens();
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        token({ grant_type: 'refresh_token', refresh_token: first.refresh_token }, WEB_AUTH),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 400, 400, 400, 400]);
  });
});
