import { request } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { SsoFixture } from './testing.js';
import { CHARACTERS, readSharedEsi, startSso } from './testing.js';

let fx: SsoFixture;
beforeEach(async () => {
  fx = await startSso();
});
afterEach(async () => {
  await fx.close();
});

async function getJson(path: string, headers: Record<string, string> = {}) {
  const res = await request(`${fx.url}${path}`, { headers });
  return {
    status: res.statusCode,
    headers: res.headers,
    body: (await res.body.json()) as Record<string, unknown>,
  };
}

describe('GET /.well-known/oauth-authorization-server', () => {
  it('is shaped like the real document, with endpoints on the base URL', async () => {
    const real = readSharedEsi('sso/oauth-authorization-server_2026-03-12.json') as Record<
      string,
      unknown
    >;
    const { status, body } = await getJson('/.well-known/oauth-authorization-server');
    expect(status).toBe(200);
    // Every member we serve exists in the real document, and only the client_secret_jwt
    // signing-alg list (a method we do not implement) is missing.
    expect(Object.keys(real).filter((k) => !(k in body))).toEqual([
      'token_endpoint_auth_signing_alg_values_supported',
    ]);
    expect(Object.keys(body).every((k) => k in real)).toBe(true);
    for (const key of [
      'authorization_endpoint',
      'token_endpoint',
      'userinfo_endpoint',
      'jwks_uri',
      'revocation_endpoint',
    ]) {
      const path = new URL(real[key] as string).pathname;
      expect(body[key]).toBe(`${fx.url}${path}`);
    }
    expect(body.issuer).toBe(fx.url);
    expect(body.code_challenge_methods_supported).toEqual(['S256']);
    expect(body.token_endpoint_auth_methods_supported).toEqual([
      'client_secret_basic',
      'client_secret_post',
    ]);
    expect(body.response_types_supported).toEqual(['code']);
    expect(fx.sso.stats().metadataRequests).toBe(1);
  });
});

describe('GET /oauth/jwks', () => {
  it('serves the RS256 JWT-Signature-Key and an ES256 key with the real members', async () => {
    const real = readSharedEsi('sso/jwks_login.eveonline.com.json') as {
      keys: Record<string, string>[];
    };
    const { status, body } = await getJson('/oauth/jwks');
    expect(status).toBe(200);
    expect(Object.keys(body)).toEqual(Object.keys(real));
    expect(body.SkipUnresolvedJsonWebKeys).toBe(true);
    expect(body.keys).toHaveLength(2);
    const [rsa, ec] = body.keys as Record<string, string>[];
    expect(Object.keys(rsa!)).toEqual(Object.keys(real.keys[0]!));
    expect(rsa).toMatchObject({
      alg: 'RS256',
      kid: 'JWT-Signature-Key',
      kty: 'RSA',
      e: 'AQAB',
      use: 'sig',
    });
    // 2048-bit modulus, like the real key.
    expect(Buffer.from(rsa!.n!, 'base64url')).toHaveLength(
      Buffer.from(real.keys[0]!.n!, 'base64url').length,
    );
    expect(Object.keys(ec!).sort()).toEqual(Object.keys(real.keys[1]!).sort());
    expect(ec).toMatchObject({ alg: 'ES256', crv: 'P-256', kty: 'EC', use: 'sig' });
    expect(ec!.kid).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(JSON.stringify(body)).not.toMatch(/"(d|p|q|dp|dq|qi)":/); // no private members
    expect(fx.sso.stats().jwksRequests).toBe(1);
  });
});

describe('GET /v2/oauth/verify (legacy token info)', () => {
  it('describes a valid token and refuses a bad one', async () => {
    const c = CHARACTERS[0]!;
    const { access_token } = await fx.sso.issueTokens({
      characterId: c.id,
      scopes: ['publicData', 'esi-skills.read_skills.v1'],
    });
    const ok = await getJson('/v2/oauth/verify', { authorization: `Bearer ${access_token}` });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({
      CharacterID: c.id,
      CharacterName: c.name,
      ExpiresOn: new Date((fx.clock.nowSeconds() + 1200) * 1000).toISOString().slice(0, 19),
      Scopes: 'publicData esi-skills.read_skills.v1',
      TokenType: 'Character',
      CharacterOwnerHash: c.ownerHash,
      IntellectualProperty: 'EVE',
    });
    const bad = await getJson('/v2/oauth/verify', {
      authorization: `Bearer ${access_token.slice(0, -4)}AAAA`,
    });
    expect(bad.status).toBe(401);
    expect(bad.body.error).toBe('invalid_token');
    expect((await getJson('/v2/oauth/verify')).status).toBe(401);
  });
});

describe('routing', () => {
  it('answers unknown paths with a JSON 404 and wrong methods with 405 + Allow', async () => {
    const missing = await getJson('/v2/oauth/nothing');
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({
      error: 'not_found',
      error_description: 'no SSO route /v2/oauth/nothing',
    });
    const wrong = await getJson('/v2/oauth/token');
    expect(wrong.status).toBe(405);
    expect(wrong.headers.allow).toBe('POST');
  });
});
