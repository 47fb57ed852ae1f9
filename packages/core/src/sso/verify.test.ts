import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  exportJWK,
  exportSPKI,
  generateKeyPair,
  SignJWT,
  type CryptoKey,
  type JWTPayload,
} from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenVerificationError } from './errors.js';
import { createSso, type EveSso } from './sso.js';

// A real loopback server publishing metadata and a JWKS we hold the private keys of, so every
// kind of forged token can be built.
const NOW = Date.UTC(2026, 5, 1, 12);
const CLIENT = 'my3rdpartyclientid';
let server: Server;
let baseUrl: string;
let jwksRequests = 0;
let signing: CryptoKey;
let attacker: CryptoKey;
let publicPem: string;
let jwks: { keys: unknown[] };

beforeAll(async () => {
  const real = await generateKeyPair('RS256');
  const other = await generateKeyPair('RS256');
  const ec = await generateKeyPair('ES256');
  signing = real.privateKey;
  attacker = other.privateKey;
  publicPem = await exportSPKI(real.publicKey);
  jwks = {
    keys: [
      { ...(await exportJWK(real.publicKey)), kid: 'JWT-Signature-Key', alg: 'RS256', use: 'sig' },
      { ...(await exportJWK(ec.publicKey)), kid: 'ec-key', alg: 'ES256', use: 'sig' },
    ],
  };
  server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/.well-known/oauth-authorization-server') {
      res.end(
        JSON.stringify({
          issuer: baseUrl,
          authorization_endpoint: `${baseUrl}/v2/oauth/authorize`,
          token_endpoint: `${baseUrl}/v2/oauth/token`,
          jwks_uri: `${baseUrl}/oauth/jwks`,
          revocation_endpoint: `${baseUrl}/v2/oauth/revoke`,
          code_challenge_methods_supported: ['S256'],
        }),
      );
    } else if (req.url === '/oauth/jwks') {
      jwksRequests++;
      res.end(JSON.stringify(jwks));
    } else {
      res.statusCode = 404;
      res.end('{}');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

function sso(overrides: { cooldown?: number } = {}): EveSso {
  return createSso({
    clientId: CLIENT,
    clientSecret: 'secret',
    callbackUrl: 'http://127.0.0.1:9/cb',
    ssoUrl: baseUrl,
    clock: () => NOW,
    jwksRefetchCooldownMs: overrides.cooldown ?? 0,
  });
}

const claims = (over: JWTPayload = {}): JWTPayload => ({
  scp: ['esi-skills.read_skills.v1', 'esi-skills.read_skillqueue.v1'],
  jti: '998e12c7-3241-43c5-8355-2c48822e0a1b',
  sub: 'CHARACTER:EVE:2117712894',
  azp: CLIENT,
  tenant: 'tranquility',
  tier: 'live',
  region: 'world',
  aud: [CLIENT, 'EVE Online'],
  name: 'Some Bloke',
  owner: '8PmzCeTKb4VFUDrHLc/AeZXDSWM=',
  exp: NOW / 1000 + 1200,
  iat: NOW / 1000,
  iss: 'login.eveonline.com',
  ...over,
});

function sign(
  payload: JWTPayload,
  key: CryptoKey | Uint8Array = signing,
  header: Record<string, unknown> = {},
): Promise<string> {
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'RS256', kid: 'JWT-Signature-Key', typ: 'JWT', ...header })
    .sign(key);
}

async function rejection(token: string, client = sso()): Promise<TokenVerificationError> {
  const error = await client.verifyAccessToken(token).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TokenVerificationError);
  expect((error as TokenVerificationError).code).toBe('ESIKIT_SSO_TOKEN_INVALID');
  return error as TokenVerificationError;
}

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

describe('verifyAccessToken', () => {
  it('accepts an EVE token and returns character, owner, scopes and expiry', async () => {
    const verified = await sso().verifyAccessToken(await sign(claims()));
    expect(verified).toEqual({
      characterId: 2117712894,
      characterName: 'Some Bloke',
      ownerHash: '8PmzCeTKb4VFUDrHLc/AeZXDSWM=',
      scopes: ['esi-skills.read_skillqueue.v1', 'esi-skills.read_skills.v1'],
      expiresAt: NOW + 1_200_000,
      issuedAt: NOW,
      authorizedParty: CLIENT,
    });
  });

  it('accepts both issuer spellings and scp as a string or missing', async () => {
    const a = await sso().verifyAccessToken(
      await sign(claims({ iss: 'https://login.eveonline.com', scp: 'publicData' })),
    );
    expect(a.scopes).toEqual(['publicData']);
    const b = await sso().verifyAccessToken(await sign(claims({ scp: undefined })));
    expect(b.scopes).toEqual([]);
  });

  it('accepts a token expired by less than the leeway, rejects one beyond it', async () => {
    await expect(
      sso().verifyAccessToken(await sign(claims({ exp: NOW / 1000 - 3 }))),
    ).resolves.toBeTruthy();
    expect((await rejection(await sign(claims({ exp: NOW / 1000 - 30 })))).reason).toBe('expired');
  });

  it('rejects a bad signature (same kid, another key)', async () => {
    expect((await rejection(await sign(claims(), attacker))).reason).toBe('signature');
  });

  it('rejects a payload altered after signing', async () => {
    const [h, , s] = (await sign(claims())).split('.');
    const forged = `${h}.${b64(claims({ sub: 'CHARACTER:EVE:90000001' }))}.${s}`;
    expect((await rejection(forged)).reason).toBe('signature');
  });

  it('rejects alg none', async () => {
    const forged = `${b64({ alg: 'none', kid: 'JWT-Signature-Key', typ: 'JWT' })}.${b64(claims())}.`;
    expect((await rejection(forged)).reason).toBe('algorithm');
  });

  it('rejects HS256 signed with the public key as the HMAC secret', async () => {
    const forged = await sign(claims(), new TextEncoder().encode(publicPem), { alg: 'HS256' });
    expect((await rejection(forged)).reason).toBe('algorithm');
  });

  it('rejects a token signed with the published ES256 key id (RS256 only)', async () => {
    const forged = await sign(claims(), attacker, { kid: 'ec-key' });
    expect((await rejection(forged)).reason).toBe('unknown-kid');
  });

  it('rejects a wrong or incomplete audience', async () => {
    expect(
      (await rejection(await sign(claims({ aud: ['someone-else', 'EVE Online'] })))).reason,
    ).toBe('audience');
    expect((await rejection(await sign(claims({ aud: CLIENT })))).reason).toBe('audience');
    expect((await rejection(await sign(claims({ aud: 'EVE Online' })))).reason).toBe('audience');
  });

  it('rejects a wrong issuer', async () => {
    expect(
      (await rejection(await sign(claims({ iss: 'https://login.evil.example' })))).reason,
    ).toBe('issuer');
    expect(
      (await rejection(await sign(claims({ iss: 'https://login.eveonline.com.evil' })))).reason,
    ).toBe('issuer');
  });

  it('rejects a subject that is not a character, and missing name or owner', async () => {
    expect((await rejection(await sign(claims({ sub: 'CORPORATION:EVE:1' })))).reason).toBe(
      'claims',
    );
    expect((await rejection(await sign(claims({ name: undefined })))).reason).toBe('claims');
    expect((await rejection(await sign(claims({ owner: undefined })))).reason).toBe('claims');
  });

  it('rejects garbage', async () => {
    expect((await rejection('not-a-jwt')).reason).toBe('malformed');
    expect((await rejection('a.b.c')).reason).toBe('malformed');
  });

  it('rejects an unknown kid after exactly one JWKS re-fetch', async () => {
    const client = sso();
    await client.verifyAccessToken(await sign(claims()));
    const before = jwksRequests;
    const error = await rejection(await sign(claims(), signing, { kid: 'unknown-kid' }), client);
    expect(error.reason).toBe('unknown-kid');
    expect(jwksRequests - before).toBe(1);
  });

  it('does not re-fetch the JWKS for unknown kids within the cooldown', async () => {
    const client = sso({ cooldown: 60_000 });
    await client.verifyAccessToken(await sign(claims()));
    const before = jwksRequests;
    for (let i = 0; i < 5; i++)
      await rejection(await sign(claims(), signing, { kid: `made-up-${i}` }), client);
    expect(jwksRequests - before).toBe(0);
  });

  it('picks up a rotated key on its first token, with one fetch for concurrent verifies', async () => {
    const client = sso();
    await client.verifyAccessToken(await sign(claims()));
    const next = await generateKeyPair('RS256');
    jwks.keys.push({
      ...(await exportJWK(next.publicKey)),
      kid: 'rotated',
      alg: 'RS256',
      use: 'sig',
    });
    const before = jwksRequests;
    const token = await sign(claims(), next.privateKey, { kid: 'rotated' });
    const results = await Promise.all(
      Array.from({ length: 10 }, () => client.verifyAccessToken(token)),
    );
    expect(results.every((r) => r.characterId === 2117712894)).toBe(true);
    expect(jwksRequests - before).toBe(1);
  });
});
