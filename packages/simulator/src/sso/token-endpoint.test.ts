import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { request } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { SsoFixture } from './testing.js';
import { basic, CHARACTERS, readSharedEsi, startSso, WEB } from './testing.js';

let fx: SsoFixture;
beforeEach(async () => {
  fx = await startSso();
});
afterEach(async () => {
  await fx.close();
});

const SCOPES = ['esi-skills.read_skills.v1', 'esi-wallet.read_character_wallet.v1'];

/** Runs the authorize step as a script would (esikit_character) and returns the code. */
async function authorize(
  params: Record<string, string>,
  characterId = CHARACTERS[0]!.id,
): Promise<string> {
  const query = new URLSearchParams({
    response_type: 'code',
    state: 'st-1',
    scope: SCOPES.join(' '),
    esikit_character: String(characterId),
    ...params,
  });
  const res = await request(`${fx.url}/v2/oauth/authorize?${query.toString()}`);
  await res.body.dump();
  expect(res.statusCode).toBe(302);
  const location = new URL(String(res.headers.location));
  expect(location.searchParams.get('state')).toBe(params.state ?? 'st-1');
  return location.searchParams.get('code')!;
}

async function token(form: Record<string, string>, authorization?: string) {
  const res = await request(`${fx.url}/v2/oauth/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(authorization ? { authorization } : {}),
    },
    body: new URLSearchParams(form).toString(),
  });
  const text = await res.body.text();
  return {
    status: res.statusCode,
    headers: res.headers,
    body: text === '' ? undefined : JSON.parse(text),
  };
}

const webCode = () => authorize({ client_id: WEB.clientId, redirect_uri: WEB.redirectUris[0]! });

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

    const jwks = await (await request(`${fx.url}/oauth/jwks`)).body.json();
    const { payload, protectedHeader } = await jwtVerify(
      res.body.access_token,
      createLocalJWKSet(jwks as never),
      { algorithms: ['RS256'], audience: 'EVE Online', currentDate: new Date(fx.clock.now()) },
    );
    expect(protectedHeader).toEqual({ alg: 'RS256', kid: 'JWT-Signature-Key', typ: 'JWT' });
    const c = CHARACTERS[0]!;
    const now = fx.clock.nowSeconds();
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
      iss: 'https://login.eveonline.com',
    });
    // Same members in the same order as a real EVE token.
    const examples = readSharedEsi('sso/jwt_access_token_claims_examples.json') as {
      claims: object;
    }[];
    const real = Object.keys(examples[0]!.claims);
    expect(Object.keys(payload)).toEqual(real);

    const access = await fx.sso.verifyAccessToken(res.body.access_token);
    expect(access).toEqual({
      characterId: c.id,
      characterName: c.name,
      ownerHash: c.ownerHash,
      clientId: WEB.clientId,
      scopes: SCOPES,
      expiresAt: (now + 1200) * 1000,
      jti: payload.jti,
    });
    expect(fx.sso.stats()).toMatchObject({ codesIssued: 1, codeExchanges: 1, jwksRequests: 1 });
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
    expect((await fx.sso.verifyAccessToken(res.body.access_token)).scopes).toEqual(['publicData']);
  });
});
