import {
  createLocalJWKSet,
  decodeProtectedHeader,
  generateKeyPair,
  jwtVerify,
  SignJWT,
} from 'jose';
import { request } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { SimulatorClock } from '../clock.js';
import { SsoCore } from './core.js';
import { SsoVerifyError } from './index.js';
import { normalizeOptions } from './options.js';
import type { SsoFixture } from './testing.js';
import { CHARACTERS, CLIENTS, startSso, WEB } from './testing.js';

let fx: SsoFixture;
beforeEach(async () => {
  fx = await startSso({ rotatedKeyGraceSeconds: 600 });
});
afterEach(async () => {
  await fx.close();
});

const issue = () => fx.sso.issueTokens({ characterId: CHARACTERS[0]!.id, scopes: ['publicData'] });
const jwks = async () =>
  (await (await request(`${fx.url}/oauth/jwks`)).body.json()) as {
    keys: { kid: string; alg: string }[];
  };
const kids = async () => (await jwks()).keys.filter((k) => k.alg === 'RS256').map((k) => k.kid);
const claims = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;

describe('signing key rotation', () => {
  it('publishes the new kid, signs with it, and keeps the old key for the grace period', async () => {
    const before = await issue();
    const kid = await fx.sso.rotateSigningKey();
    expect(kid).not.toBe('JWT-Signature-Key');
    expect(await kids()).toEqual([kid, 'JWT-Signature-Key']);

    const after = await issue();
    expect(decodeProtectedHeader(after.access_token)).toEqual({ alg: 'RS256', kid, typ: 'JWT' });
    expect(claims(after.access_token).kid).toBe(kid);
    // Verifies with jose against the served JWKS, and with the SSO itself.
    await jwtVerify(after.access_token, createLocalJWKSet((await jwks()) as never), {
      currentDate: new Date(fx.clock.now()),
    });
    expect((await fx.sso.verifyAccessToken(after.access_token)).characterId).toBe(
      CHARACTERS[0]!.id,
    );
    expect((await fx.sso.verifyAccessToken(before.access_token)).characterId).toBe(
      CHARACTERS[0]!.id,
    );

    fx.clock.advance(600_000);
    expect(await kids()).toEqual([kid]);
    // The token signed by the retired key now fails on its signature (it would be expired
    // too, but the signature is checked first).
    await expect(fx.sso.verifyAccessToken(before.access_token)).rejects.toMatchObject({
      reason: 'signature',
    });
  });

  it('dropPrevious removes the old key at once', async () => {
    const before = await issue();
    // Verified once first: a token seen before must not outlive its key.
    await fx.sso.verifyAccessToken(before.access_token);
    const kid = await fx.sso.rotateSigningKey({ dropPrevious: true });
    expect(await kids()).toEqual([kid]);
    await expect(fx.sso.verifyAccessToken(before.access_token)).rejects.toMatchObject({
      reason: 'signature',
    });
  });

  it('survives several rotations with distinct kids', async () => {
    const a = await fx.sso.rotateSigningKey();
    const b = await fx.sso.rotateSigningKey();
    expect(new Set([a, b, 'JWT-Signature-Key']).size).toBe(3);
    expect(await kids()).toEqual([b, a, 'JWT-Signature-Key']);
  });
});

describe('verifyAccessToken', () => {
  it('refuses tokens that are not JWTs as malformed', async () => {
    for (const bad of ['', 'abc', 'a.b', 'a.b.c', `${'x'.repeat(10)}.${'y'.repeat(10)}.z`]) {
      await expect(fx.sso.verifyAccessToken(bad)).rejects.toMatchObject({
        name: 'SsoVerifyError',
        reason: 'malformed',
      });
    }
  });

  it('refuses a tampered payload and a foreign key as signature failures', async () => {
    const { access_token } = await issue();
    const [h, , s] = access_token.split('.');
    const forged = Buffer.from(
      JSON.stringify({ ...claims(access_token), sub: 'CHARACTER:EVE:90000001' }),
    ).toString('base64url');
    await expect(fx.sso.verifyAccessToken(`${h}.${forged}.${s}`)).rejects.toMatchObject({
      reason: 'signature',
    });

    const foreign = await generateKeyPair('RS256');
    const impostor = await new SignJWT(claims(access_token))
      .setProtectedHeader({ alg: 'RS256', kid: 'JWT-Signature-Key', typ: 'JWT' })
      .sign(foreign.privateKey);
    await expect(fx.sso.verifyAccessToken(impostor)).rejects.toMatchObject({ reason: 'signature' });

    const ec = await generateKeyPair('ES256');
    const wrongAlg = await new SignJWT(claims(access_token))
      .setProtectedHeader({ alg: 'ES256', kid: 'JWT-Signature-Key', typ: 'JWT' })
      .sign(ec.privateKey);
    await expect(fx.sso.verifyAccessToken(wrongAlg)).rejects.toMatchObject({ reason: 'signature' });
  });

  it('expires exactly at exp by the simulator clock', async () => {
    const { access_token } = await issue();
    fx.clock.advance(1199_000);
    await expect(fx.sso.verifyAccessToken(access_token)).resolves.toBeDefined();
    fx.clock.advance(1000);
    const error = await fx.sso.verifyAccessToken(access_token).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SsoVerifyError);
    expect(error).toMatchObject({ reason: 'expired' });
    expect((error as Error).message).not.toContain(access_token);
  });

  it('honours accessTokenTtlSeconds', async () => {
    await fx.close();
    fx = await startSso({ accessTokenTtlSeconds: 60 });
    const tokens = await issue();
    expect(tokens.expires_in).toBe(59);
    expect((await fx.sso.verifyAccessToken(tokens.access_token)).expiresAt).toBe(
      (fx.clock.nowSeconds() + 60) * 1000,
    );
    fx.clock.advance(60_000);
    await expect(fx.sso.verifyAccessToken(tokens.access_token)).rejects.toMatchObject({
      reason: 'expired',
    });
  });

  it('refuses a token signed by the SSO key without "EVE Online" in aud', async () => {
    const clock = new SimulatorClock();
    const core = new SsoCore(normalizeOptions({ clock, characters: CHARACTERS, clients: CLIENTS }));
    await core.keys.init();
    const { kid, privateKey } = core.keys.signing();
    const now = clock.nowSeconds();
    const sign = (aud: string[]) =>
      new SignJWT({
        scp: 'publicData',
        jti: '998e12c7-3241-43c5-8355-2c48822e0a1b',
        kid,
        sub: `CHARACTER:EVE:${CHARACTERS[0]!.id}`,
        azp: WEB.clientId,
        aud,
        name: CHARACTERS[0]!.name,
        owner: CHARACTERS[0]!.ownerHash,
        exp: now + 60,
        iat: now,
        iss: 'https://login.eveonline.com',
      })
        .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
        .sign(privateKey);
    await expect(core.verify(await sign([WEB.clientId]))).rejects.toMatchObject({
      reason: 'audience',
    });
    await expect(core.verify(await sign([WEB.clientId, 'EVE Online']))).resolves.toMatchObject({
      scopes: ['publicData'],
    });
  });
});

describe('seed', () => {
  it('makes refresh tokens, jtis and the ES256 kid repeatable', async () => {
    const run = async () => {
      const f = await startSso({ seed: 42 });
      try {
        const t = await f.sso.issueTokens({
          characterId: CHARACTERS[0]!.id,
          scopes: ['publicData'],
        });
        const es = (await (await request(`${f.url}/oauth/jwks`)).body.json()) as {
          keys: { kid: string }[];
        };
        return { refresh: t.refresh_token, jti: claims(t.access_token).jti, es: es.keys[1]!.kid };
      } finally {
        await f.close();
      }
    };
    const [a, b] = [await run(), await run()];
    expect(a).toEqual(b);
    const c = await issue();
    expect(c.refresh_token).not.toBe(a.refresh);
  });
});
