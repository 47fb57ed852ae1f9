// Issue 7 §3: a gateway forwards its users' bearer tokens. A raw token string used to be decoded,
// not verified, and its `sub` picked the private cache: an unsigned token naming character A was
// answered from A's cached wallet.
import { generateKeyPair, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { harnessPerTest, type Harness } from '../test/helpers.js';
import { EsiHttpError, EsiOptionError, EsiValidationError, createEsiClient } from './index.js';
import { createSso } from './sso/index.js';
import type { TokenVerifier } from './auth.js';

const WALLET = 'esi-wallet.read_character_wallet.v1';
const start = harnessPerTest();

function claimsOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as Record<
    string,
    unknown
  >;
}

/** The same claims as a real token, unsigned (`alg: none`). */
function unsigned(real: string): string {
  const part = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(claimsOf(real))}.`;
}

/** The same claims and key id as a real token, signed with someone else's key. */
async function wronglySigned(real: string): Promise<string> {
  const { privateKey } = await generateKeyPair('RS256');
  return new SignJWT(claimsOf(real))
    .setProtectedHeader({ alg: 'RS256', kid: 'JWT-Signature-Key', typ: 'JWT' })
    .sign(privateKey);
}

/** EveSso against the simulator's SSO, counting verifications. */
function verifierFor(h: Harness): TokenVerifier & { calls: number } {
  const sso = createSso({
    clientId: 'esikit-simulator',
    clientSecret: 'esikit-simulator-secret',
    callbackUrl: 'http://127.0.0.1:9/sso/callback',
    ssoUrl: h.sim.ssoUrl,
    clock: () => h.sim.clock.now(),
  });
  const counting = {
    calls: 0,
    verifyAccessToken(token: string, options?: { signal?: AbortSignal }) {
      counting.calls += 1;
      return sso.verifyAccessToken(token, options);
    },
  };
  return counting;
}

async function cacheWallet(h: Harness): Promise<{ characterId: number; accessToken: string }> {
  const t = await h.token(0, [WALLET]);
  await h.esi
    .request(
      'GetCharactersCharacterIdWallet',
      { character_id: t.characterId },
      { token: t.accessToken },
    )
    .result();
  return t;
}

function wallet(h: Harness, characterId: number, token: string) {
  return h.esi
    .request('GetCharactersCharacterIdWallet', { character_id: characterId }, { token })
    .resultWithResponse();
}

describe('raw tokens with a tokenVerifier', () => {
  for (const [name, forge] of [
    ['alg: none', (real: string) => Promise.resolve(unsigned(real))],
    ['a wrong signature', wronglySigned],
  ] as const) {
    it(`refuses ${name} naming a character whose data is cached; nothing is served or sent`, async () => {
      const h = await start();
      // The verifier is the client's: a second client on the same simulator.
      const verifier = verifierFor(h);
      const esi = createEsiClient({
        appInfo: { name: 'esikit-tests', version: '1.0.0' },
        contactEmail: 'tests@esikit.invalid',
        baseUrl: h.sim.esiUrl,
        clock: () => h.sim.clock.now(),
        tokenVerifier: verifier,
      });
      try {
        const t = await h.token(0, [WALLET]);
        await esi
          .request(
            'GetCharactersCharacterIdWallet',
            { character_id: t.characterId },
            { token: t.accessToken },
          )
          .result();
        const sent = h.sim.audit().length;
        const forged = await forge(t.accessToken);
        const e = await esi
          .request(
            'GetCharactersCharacterIdWallet',
            { character_id: t.characterId },
            { token: forged },
          )
          .result()
          .catch((x: unknown) => x);
        expect(e).toBeInstanceOf(EsiValidationError);
        expect(e).toMatchObject({ code: 'ESIKIT_VALIDATION', parameter: 'token' });
        expect((e as Error).message).not.toContain(forged);
        expect(h.sim.audit()).toHaveLength(sent);
      } finally {
        await esi.close();
      }
    });
  }

  it('serves a verified token from the character’s cache and verifies each token once until it expires', async () => {
    const h = await start();
    const verifier = verifierFor(h);
    const esi = createEsiClient({
      appInfo: { name: 'esikit-tests', version: '1.0.0' },
      contactEmail: 'tests@esikit.invalid',
      baseUrl: h.sim.esiUrl,
      clock: () => h.sim.clock.now(),
      tokenVerifier: verifier,
    });
    try {
      const t = await h.token(0, [WALLET]);
      const call = (token: string) =>
        esi
          .request('GetCharactersCharacterIdWallet', { character_id: t.characterId }, { token })
          .resultWithResponse();
      await call(t.accessToken);
      const again = await call(t.accessToken);
      expect(again.fromCache).toBe(true);
      expect(verifier.calls).toBe(1);
      // A second genuine token of the same character shares the character's cache.
      const other = await h.token(0, [WALLET]);
      expect((await call(other.accessToken)).fromCache).toBe(true);
      expect(verifier.calls).toBe(2);
      expect(h.seen('GetCharactersCharacterIdWallet')).toBe(1);
      // Past its exp the verification is not trusted any more: the token is checked again, and refused.
      h.sim.clock.advance(
        (claimsOf(t.accessToken).exp as number) * 1000 - h.sim.clock.now() + 120_000,
      );
      await expect(call(t.accessToken)).rejects.toBeInstanceOf(EsiValidationError);
      expect(verifier.calls).toBe(3);
    } finally {
      await esi.close();
    }
  });

  it('EveSso is a tokenVerifier as it is; anything else is refused naming the option', () => {
    const sso = createSso({
      clientId: 'x',
      clientSecret: 'y',
      callbackUrl: 'http://127.0.0.1:9/cb',
    });
    expect(() => createEsiClient({ tokenVerifier: sso, cache: false })).not.toThrow();
    expect(() => createEsiClient({ tokenVerifier: {} as TokenVerifier })).toThrow(EsiOptionError);
    expect(() => createEsiClient({ tokenVerifier: {} as TokenVerifier })).toThrow(/tokenVerifier/);
  });
});

describe('raw tokens without a verifier', () => {
  for (const [name, forge] of [
    ['alg: none', (real: string) => Promise.resolve(unsigned(real))],
    ['a wrong signature', wronglySigned],
  ] as const) {
    it(`${name} naming a character whose data is cached is sent to ESI, never answered from the cache`, async () => {
      const h = await start();
      const t = await cacheWallet(h);
      const forged = await forge(t.accessToken);
      const e = await wallet(h, t.characterId, forged).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(EsiHttpError);
      expect((e as EsiHttpError).status).toBe(401);
      expect(h.seen('GetCharactersCharacterIdWallet')).toBe(2);
    });
  }

  it('the same token string is answered from its own entries', async () => {
    const h = await start();
    const t = await cacheWallet(h);
    expect((await wallet(h, t.characterId, t.accessToken)).fromCache).toBe(true);
    expect(h.seen('GetCharactersCharacterIdWallet')).toBe(1);
  });

  it('trustRawTokens: true trusts the decoded sub (the opt-in, for tokens the app got from SSO itself)', async () => {
    const h = await start({}, { trustRawTokens: true });
    const t = await cacheWallet(h);
    const res = await wallet(h, t.characterId, unsigned(t.accessToken));
    expect(res.fromCache).toBe(true);
  });
});
