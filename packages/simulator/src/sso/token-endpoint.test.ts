import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';

import {
  basic,
  CHARACTERS,
  expectOAuthError,
  ssoPerTest,
  NATIVE,
  OPEN,
  pkcePair,
  readSharedEsi,
  SCOPES,
  WEB,
  WEB_AUTH,
} from './testing.js';

const env = ssoPerTest();
const { authorize, token, webCode } = env;
const expectError = expectOAuthError;

describe('authorization code with a client secret', () => {
  it('exchanges with HTTP Basic and issues an EVE-shaped JWT that verifies against the served JWKS', async () => {
    const code = await webCode();
    const res = await token(
      { grant_type: 'authorization_code', code },
      basic(WEB.clientId, WEB.clientSecret),
    );
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(Object.keys(res.body).sort()).toEqual([
      'access_token',
      'expires_in',
      'refresh_token',
      'token_type',
    ]);
    expect(res.body.token_type).toBe('Bearer');
    expect(res.body.expires_in).toBe(1199);
    expect(res.body.refresh_token).toMatch(/^[A-Za-z0-9_-]{32}$/);

    const jwks = await (await request(`${env.fx.url}/oauth/jwks`)).body.json();
    const { payload, protectedHeader } = await jwtVerify(
      res.body.access_token,
      createLocalJWKSet(jwks as never),
      { algorithms: ['RS256'], audience: 'EVE Online', currentDate: new Date(env.fx.clock.now()) },
    );
    expect(protectedHeader).toEqual({ alg: 'RS256', kid: 'JWT-Signature-Key', typ: 'JWT' });
    const c = CHARACTERS[0]!;
    const now = env.fx.clock.nowSeconds();
    expect(payload).toEqual({
      scp: SCOPES,
      jti: expect.stringMatching(
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      ),
      kid: 'JWT-Signature-Key',
      sub: `CHARACTER:EVE:${c.id}`,
      azp: WEB.clientId,
      tenant: 'tranquility',
      tier: 'live',
      region: 'world',
      aud: [WEB.clientId, 'EVE Online'],
      name: c.name,
      owner: c.ownerHash,
      exp: now + 1200,
      iat: now,
      // The default issuer 'self': the SSO's own URL, as its metadata publishes.
      iss: env.fx.url,
    });
    // Same members in the same order as a real EVE token.
    const examples = readSharedEsi('sso/jwt_access_token_claims_examples.json') as {
      claims: object;
    }[];
    const real = Object.keys(examples[0]!.claims);
    expect(Object.keys(payload)).toEqual(real);

    const access = await env.fx.sso.verifyAccessToken(res.body.access_token);
    expect(access).toEqual({
      characterId: c.id,
      characterName: c.name,
      ownerHash: c.ownerHash,
      clientId: WEB.clientId,
      scopes: SCOPES,
      expiresAt: (now + 1200) * 1000,
      jti: payload.jti,
    });
    expect(env.fx.sso.stats()).toMatchObject({ codesIssued: 1, codeExchanges: 1, jwksRequests: 1 });
  });

  it('exchanges with client_secret_post', async () => {
    const code = await webCode();
    const res = await token({
      grant_type: 'authorization_code',
      code,
      client_id: WEB.clientId,
      client_secret: WEB.clientSecret,
      redirect_uri: WEB.redirectUris[0]!,
    });
    expect(res.status).toBe(200);
    expect(decodeProtectedHeader(res.body.access_token).kid).toBe('JWT-Signature-Key');
  });

  it('sends scp as a bare string when exactly one scope was granted, as EVE does', async () => {
    const code = await authorize({
      client_id: WEB.clientId,
      redirect_uri: WEB.redirectUris[0]!,
      scope: 'publicData',
    });
    const res = await token(
      { grant_type: 'authorization_code', code },
      basic(WEB.clientId, WEB.clientSecret),
    );
    const payload = JSON.parse(
      Buffer.from(res.body.access_token.split('.')[1], 'base64url').toString(),
    );
    expect(payload.scp).toBe('publicData');
    expect((await env.fx.sso.verifyAccessToken(res.body.access_token)).scopes).toEqual([
      'publicData',
    ]);
  });

  it('decodes form-encoded Basic credentials (RFC 6749 §2.3.1) for secrets with reserved characters', async () => {
    const odd = { clientId: 'odd app', clientSecret: 'p@ss:w/rd+%' };
    await env.restart({ clients: [odd] });
    const code = await authorize({ client_id: odd.clientId, redirect_uri: 'http://localhost/cb' });
    const res = await token(
      { grant_type: 'authorization_code', code },
      basic(odd.clientId, odd.clientSecret),
    );
    expect(res.status).toBe(200);
  });

  it('refuses two client authentication methods at once', async () => {
    const res = await token(
      { grant_type: 'authorization_code', code: await webCode(), client_secret: WEB.clientSecret },
      WEB_AUTH,
    );
    expectError(res, 400, 'invalid_request', /one client authentication method/);
  });
});

describe('authorization code with PKCE (public client)', () => {
  const start = (challenge: string) =>
    authorize({
      client_id: NATIVE.clientId,
      redirect_uri: NATIVE.redirectUris[0]!,
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });

  it('exchanges with client_id + code_verifier and no secret', async () => {
    const { verifier, challenge } = pkcePair();
    const code = await start(challenge);
    const res = await token({
      grant_type: 'authorization_code',
      code,
      client_id: NATIVE.clientId,
      code_verifier: verifier,
    });
    expect(res.status).toBe(200);
    expect((await env.fx.sso.verifyAccessToken(res.body.access_token)).clientId).toBe(
      NATIVE.clientId,
    );
    // Public clients refresh with client_id alone as well.
    const refreshed = await token({
      grant_type: 'refresh_token',
      refresh_token: res.body.refresh_token,
      client_id: NATIVE.clientId,
    });
    expect(refreshed.status).toBe(200);
  });

  it('refuses a wrong verifier, then still accepts the right one', async () => {
    const { verifier, challenge } = pkcePair();
    const code = await start(challenge);
    const wrong = await token({
      grant_type: 'authorization_code',
      code,
      client_id: NATIVE.clientId,
      code_verifier: pkcePair().verifier,
    });
    expectError(wrong, 400, 'invalid_grant', /code_verifier does not match/);
    const right = await token({
      grant_type: 'authorization_code',
      code,
      client_id: NATIVE.clientId,
      code_verifier: verifier,
    });
    expect(right.status).toBe(200);
  });

  it('refuses a missing verifier', async () => {
    const code = await start(pkcePair().challenge);
    const res = await token({ grant_type: 'authorization_code', code, client_id: NATIVE.clientId });
    expectError(res, 400, 'invalid_grant', /code_verifier is required/);
  });

  it('refuses a public client that sends a secret', async () => {
    const { verifier, challenge } = pkcePair();
    const code = await start(challenge);
    const res = await token({
      grant_type: 'authorization_code',
      code,
      client_id: NATIVE.clientId,
      client_secret: 'guess',
      code_verifier: verifier,
    });
    expectError(res, 401, 'invalid_client', /public/);
  });

  it('refuses a verifier when the authorization request had no challenge', async () => {
    const code = await webCode();
    const res = await token(
      { grant_type: 'authorization_code', code, code_verifier: pkcePair().verifier },
      WEB_AUTH,
    );
    expectError(res, 400, 'invalid_grant', /no code_challenge/);
  });
});

describe('token endpoint errors', () => {
  it('a reused code is invalid_grant and revokes the tokens issued from it', async () => {
    const code = await webCode();
    const first = await token({ grant_type: 'authorization_code', code }, WEB_AUTH);
    expect(first.status).toBe(200);
    const again = await token({ grant_type: 'authorization_code', code }, WEB_AUTH);
    expectError(again, 400, 'invalid_grant', /already used/);
    await expect(env.fx.sso.verifyAccessToken(first.body.access_token)).rejects.toMatchObject({
      reason: 'revoked',
    });
    const refresh = await token(
      { grant_type: 'refresh_token', refresh_token: first.body.refresh_token },
      WEB_AUTH,
    );
    expectError(refresh, 400, 'invalid_grant');
  });

  it('an expired code is invalid_grant (5 minutes of clock time)', async () => {
    const code = await webCode();
    env.fx.clock.advance(5 * 60_000);
    expectError(
      await token({ grant_type: 'authorization_code', code }, WEB_AUTH),
      400,
      'invalid_grant',
      /expired/,
    );
  });

  it('a code just inside its 5 minutes still works', async () => {
    const code = await webCode();
    env.fx.clock.advance(5 * 60_000 - 1);
    expect((await token({ grant_type: 'authorization_code', code }, WEB_AUTH)).status).toBe(200);
  });

  it('an unknown client is 401 invalid_client with a Basic challenge', async () => {
    const res = await token(
      { grant_type: 'authorization_code', code: await webCode() },
      basic('nobody', 'x'),
    );
    expectError(res, 401, 'invalid_client', /unknown client_id "nobody"/);
    expect(res.headers['www-authenticate']).toMatch(/^Basic/);
  });

  it('a wrong secret is 401 invalid_client and never echoes the secret', async () => {
    const res = await token(
      { grant_type: 'authorization_code', code: await webCode() },
      basic(WEB.clientId, 'not-the-secret'),
    );
    expectError(res, 401, 'invalid_client', /wrong client secret/);
    expect(JSON.stringify(res.body)).not.toContain('not-the-secret');
  });

  it('a missing secret for a confidential client is 401 invalid_client', async () => {
    const res = await token({
      grant_type: 'authorization_code',
      code: await webCode(),
      client_id: WEB.clientId,
    });
    expectError(res, 401, 'invalid_client', /must authenticate/);
  });

  it('no client identification at all is 401 invalid_client', async () => {
    expectError(
      await token({ grant_type: 'authorization_code', code: 'x' }),
      401,
      'invalid_client',
    );
  });

  it('a different redirect_uri is invalid_grant', async () => {
    const res = await token(
      {
        grant_type: 'authorization_code',
        code: await webCode(),
        redirect_uri: 'http://127.0.0.1:9/other',
      },
      WEB_AUTH,
    );
    expectError(res, 400, 'invalid_grant', /redirect_uri/);
  });

  it("another client's code is invalid_grant", async () => {
    const res = await token(
      { grant_type: 'authorization_code', code: await webCode() },
      basic(OPEN.clientId, OPEN.clientSecret),
    );
    expectError(res, 400, 'invalid_grant', /another client/);
  });

  it('an unknown code is invalid_grant', async () => {
    expectError(
      await token({ grant_type: 'authorization_code', code: 'made-up' }, WEB_AUTH),
      400,
      'invalid_grant',
    );
  });

  it('missing or unsupported grant_type, missing code, repeated parameters and JSON bodies are rejected', async () => {
    expectError(await token({ code: 'x' }, WEB_AUTH), 400, 'invalid_request', /grant_type/);
    expectError(
      await token({ grant_type: 'password' }, WEB_AUTH),
      400,
      'unsupported_grant_type',
      /"password"/,
    );
    expectError(
      await token({ grant_type: 'authorization_code' }, WEB_AUTH),
      400,
      'invalid_request',
      /"code"/,
    );
    const repeated = await request(`${env.fx.url}/v2/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: WEB_AUTH },
      body: 'grant_type=authorization_code&code=a&code=b',
    });
    expect(repeated.statusCode).toBe(400);
    expect(await repeated.body.json()).toMatchObject({
      error: 'invalid_request',
      error_description: expect.stringMatching(/"code" is repeated/),
    });
    const json = await request(`${env.fx.url}/v2/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: WEB_AUTH },
      body: JSON.stringify({ grant_type: 'authorization_code', code: 'x' }),
    });
    expect(json.statusCode).toBe(400);
    expect(await json.body.json()).toMatchObject({
      error: 'invalid_request',
      error_description: expect.stringMatching(/Content-Type/),
    });
  });

  it('counts token errors by code', async () => {
    await token({ grant_type: 'authorization_code', code: 'made-up' }, WEB_AUTH);
    await token({ grant_type: 'authorization_code', code: 'made-up' }, WEB_AUTH);
    await token({ grant_type: 'authorization_code', code: 'x' }, basic('nobody', 'x'));
    expect(env.fx.sso.stats().tokenErrors).toEqual({ invalid_grant: 2, invalid_client: 1 });
  });
});
