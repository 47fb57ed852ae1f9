import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_CLIENT, DEFAULT_PUBLIC_CLIENT, type Simulator } from '@esikit/simulator';
import {
  exportJWK,
  exportSPKI,
  generateKeyPair,
  importJWK,
  SignJWT,
  type CryptoKey,
  type JWK,
  type JWTPayload,
} from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenVerificationError } from './errors.js';
import { createSso, type EveSso } from './sso.js';
import { PUBLIC_CLIENT, simSso, startSim, WEB_CLIENT } from './testing/sim-fixture.js';

const SKILLS = 'esi-skills.read_skills.v1';

// Tokens the simulator's SSO can issue (valid, expired by its clock, for another client, signed
// by a rotated or dropped key) and forgeries built from its real tokens and published keys are
// tested against startSimulator below. Claims the simulator never signs (EVE's issuers next to
// another discovered one, odd subjects, missing claims) need a key SSO trusts, so they use this
// loopback server publishing metadata and a JWKS we hold the private keys of.
const NOW = Date.UTC(2026, 5, 1, 12);
const CLIENT = 'my3rdpartyclientid';
let server: Server;
let baseUrl: string;
let jwksRequests = 0;
let signing: CryptoKey;
let jwks: { keys: unknown[] };

beforeAll(async () => {
  const real = await generateKeyPair('RS256');
  signing = real.privateKey;
  jwks = {
    keys: [
      { ...(await exportJWK(real.publicKey)), kid: 'JWT-Signature-Key', alg: 'RS256', use: 'sig' },
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

  it('rejects an incomplete audience', async () => {
    // A token for another client of the same SSO: see the simulator tests below.
    expect((await rejection(await sign(claims({ aud: CLIENT })))).reason).toBe('audience');
    expect((await rejection(await sign(claims({ aud: 'EVE Online' })))).reason).toBe('audience');
  });

  it('accepts the issuer discovery published and its bare-host form', async () => {
    // What a non-EVE SSO (the simulator by default) puts in `iss`: its own URL, or host[:port].
    const url = await sso().verifyAccessToken(await sign(claims({ iss: baseUrl })));
    expect(url.characterId).toBe(2117712894);
    const host = await sso().verifyAccessToken(await sign(claims({ iss: new URL(baseUrl).host })));
    expect(host.characterId).toBe(2117712894);
  });

  it('rejects an issuer that is neither EVE nor the discovered one', async () => {
    const { hostname, port } = new URL(baseUrl);
    const others = [
      `http://${hostname}:${Number(port) + 1}`,
      `${hostname}:${Number(port) + 1}`,
      `http://${hostname}`,
      hostname,
      `https://${hostname}:${port}`,
      `${baseUrl}/`,
      `${baseUrl}.evil`,
    ];
    for (const iss of others)
      expect((await rejection(await sign(claims({ iss })))).reason, iss).toBe('issuer');
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

  it('does not re-fetch the JWKS for unknown kids within the cooldown', async () => {
    const client = sso({ cooldown: 60_000 });
    await client.verifyAccessToken(await sign(claims()));
    const before = jwksRequests;
    for (let i = 0; i < 5; i++)
      await rejection(await sign(claims(), signing, { kid: `made-up-${i}` }), client);
    expect(jwksRequests - before).toBe(0);
  });
});

describe("verifyAccessToken against the simulator's SSO", () => {
  // A client whose tokens spell `iss` as the bare host (EVE's `login.eveonline.com` form).
  const HOST_FORM = {
    ...DEFAULT_CLIENT,
    clientId: 'host-form-client',
    issuerForm: 'host' as const,
  };
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSim({
      clients: [DEFAULT_CLIENT, DEFAULT_PUBLIC_CLIENT, HOST_FORM],
    });
  });
  afterAll(async () => {
    await sim?.close();
  });

  const pilot = () => sim.characters[0]!;
  const issue = async (clientId = WEB_CLIENT.clientId) =>
    (await sim.issueTokens({ characterId: pilot().id, scopes: [SKILLS], clientId })).access_token;
  const jwksFetches = () => sim.sso.stats().jwksRequests;
  const parts = (jwt: string) => {
    const [h, p] = jwt.split('.');
    return {
      header: JSON.parse(Buffer.from(h!, 'base64url').toString()) as Record<string, unknown>,
      payload: JSON.parse(Buffer.from(p!, 'base64url').toString()) as JWTPayload,
    };
  };
  /** The simulator's published keys, as anyone can fetch them. */
  const published = async () =>
    ((await (await fetch(new URL('/oauth/jwks', sim.ssoUrl))).json()) as { keys: JWK[] }).keys;

  it('accepts a token it issued: character, owner, scopes and expiry', async () => {
    const issuedAt = sim.clock.now();
    const verified = await simSso(sim).verifyAccessToken(await issue());
    expect(verified).toMatchObject({
      characterId: pilot().id,
      characterName: pilot().name,
      scopes: [SKILLS],
      authorizedParty: WEB_CLIENT.clientId,
    });
    expect(verified.ownerHash).toMatch(/\S/);
    expect(verified.expiresAt).toBeGreaterThanOrEqual(issuedAt + 1_199_000);
  });

  it('accepts its own URL as iss, as its discovery publishes it, and the bare-host form', async () => {
    const token = await issue();
    expect(parts(token).payload.iss).toBe(sim.ssoUrl);
    expect((await simSso(sim).verifyAccessToken(token)).characterId).toBe(pilot().id);
    const bare = await issue(HOST_FORM.clientId);
    expect(parts(bare).payload.iss).toBe(new URL(sim.ssoUrl).host);
    const hostSso = simSso(sim, { clientId: HOST_FORM.clientId });
    expect((await hostSso.verifyAccessToken(bare)).characterId).toBe(pilot().id);
  });

  it('rejects a token signed by its key but naming another host as iss', async () => {
    const sso = simSso(sim);
    await sso.verifyAccessToken(await issue()); // discovery and keys fetched and cached
    // The same server, told it now lives elsewhere: same key, `iss` of another host.
    sim.sso.setBaseUrl('http://sso.elsewhere.example');
    let token: string;
    try {
      token = await issue();
    } finally {
      sim.sso.setBaseUrl(sim.ssoUrl);
    }
    expect(parts(token).payload.iss).toBe('http://sso.elsewhere.example');
    expect((await rejection(token, sso)).reason).toBe('issuer');
  });

  it('accepts a token expired by less than the leeway, rejects one beyond it (clock)', async () => {
    const token = await issue();
    const { exp } = parts(token).payload;
    const sso = simSso(sim);
    sim.clock.advance((exp! + 3) * 1000 - sim.clock.now());
    await expect(sso.verifyAccessToken(token)).resolves.toBeTruthy();
    sim.clock.advance((exp! + 30) * 1000 - sim.clock.now());
    expect((await rejection(token, sso)).reason).toBe('expired');
  });

  it('rejects a token issued to another client (wrong aud)', async () => {
    const theirs = await issue(PUBLIC_CLIENT.clientId);
    expect(parts(theirs).payload.aud).toContain(PUBLIC_CLIENT.clientId);
    expect((await rejection(theirs, simSso(sim))).reason).toBe('audience');
  });

  it('rejects a token whose key was dropped in a rotation (unknown kid) after exactly one JWKS re-fetch', async () => {
    const old = await issue();
    await sim.sso.rotateSigningKey({ dropPrevious: true });
    // A client that has only seen the JWKS after the rotation.
    const sso = simSso(sim);
    await sso.verifyAccessToken(await issue());
    const before = jwksFetches();
    expect((await rejection(old, sso)).reason).toBe('unknown-kid');
    expect(jwksFetches() - before).toBe(1);
  });

  it('picks up a rotated key on its first token, with one fetch for concurrent verifies', async () => {
    const sso = simSso(sim);
    await sso.verifyAccessToken(await issue());
    const kid = await sim.sso.rotateSigningKey();
    const token = await issue();
    expect(parts(token).header.kid).toBe(kid);
    const before = jwksFetches();
    const results = await Promise.all(
      Array.from({ length: 10 }, () => sso.verifyAccessToken(token)),
    );
    expect(results.every((r) => r.characterId === pilot().id)).toBe(true);
    expect(jwksFetches() - before).toBe(1);
  });

  describe('forgeries built from its tokens and published keys', () => {
    it('rejects a bad signature (its kid, another key)', async () => {
      const { header, payload } = parts(await issue());
      const attackerKey = (await generateKeyPair('RS256')).privateKey;
      const forged = await new SignJWT(payload)
        .setProtectedHeader({ alg: 'RS256', kid: header.kid as string, typ: 'JWT' })
        .sign(attackerKey);
      expect((await rejection(forged, simSso(sim))).reason).toBe('signature');
    });

    it('rejects a payload altered after signing', async () => {
      const real = await issue();
      const [h, , sig] = real.split('.');
      const forged = `${h}.${b64({ ...parts(real).payload, sub: 'CHARACTER:EVE:90000001' })}.${sig}`;
      expect((await rejection(forged, simSso(sim))).reason).toBe('signature');
    });

    it('rejects alg none', async () => {
      const { header, payload } = parts(await issue());
      const forged = `${b64({ ...header, alg: 'none' })}.${b64(payload)}.`;
      expect((await rejection(forged, simSso(sim))).reason).toBe('algorithm');
    });

    it('rejects HS256 signed with its published RS256 key as the HMAC secret', async () => {
      const { header, payload } = parts(await issue());
      const rsa = (await published()).find((k) => k.kid === header.kid)!;
      const pem = await exportSPKI((await importJWK(rsa, 'RS256')) as CryptoKey);
      const forged = await new SignJWT(payload)
        .setProtectedHeader({ alg: 'HS256', kid: header.kid as string, typ: 'JWT' })
        .sign(new TextEncoder().encode(pem));
      expect((await rejection(forged, simSso(sim))).reason).toBe('algorithm');
    });

    it('rejects an RS256 token claiming its published ES256 key id (RS256 keys only)', async () => {
      const { payload } = parts(await issue());
      const ec = (await published()).find((k) => k.alg === 'ES256')!;
      expect(ec.kid).toBeTruthy();
      const forged = await new SignJWT(payload)
        .setProtectedHeader({ alg: 'RS256', kid: ec.kid!, typ: 'JWT' })
        .sign((await generateKeyPair('RS256')).privateKey);
      expect((await rejection(forged, simSso(sim))).reason).toBe('unknown-kid');
    });
  });
});
