import { createCipheriv, randomBytes } from 'node:crypto';
import type { Simulator } from '@esikit/simulator';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EncryptedTokenStore, TokenCipher } from './encryption.js';
import { TokenError } from './errors.js';
import { importRefreshToken } from './login.js';
import { MemoryTokenStore } from './memory-store.js';
import { simManager, startSim } from './testing/sim-fixture.js';
import { sampleToken, tokenStoreContract } from './testing/token-store-contract.js';

const keyA = randomBytes(32);
const keyB = randomBytes(32).toString('base64');
const T0 = Date.UTC(2026, 0, 1);

tokenStoreContract(
  'EncryptedTokenStore(MemoryTokenStore)',
  { describe, it, beforeEach, afterEach },
  async () => ({
    store: new EncryptedTokenStore(
      new MemoryTokenStore(),
      new TokenCipher({ keys: { a: keyA }, currentKeyId: 'a' }),
    ),
  }),
);

describe('TokenCipher and EncryptedTokenStore', () => {
  it('stores access and refresh tokens encrypted, reads them back in clear', async () => {
    const inner = new MemoryTokenStore();
    const store = new EncryptedTokenStore(
      inner,
      new TokenCipher({ keys: { a: keyA }, currentKeyId: 'a' }),
    );
    const input = sampleToken();
    const created = await store.create(input, T0);
    expect(created.accessToken).toBe(input.accessToken);
    const raw = (await inner.get(created.id))!;
    expect(raw.accessToken).not.toContain(input.accessToken);
    expect(raw.refreshToken).not.toContain(input.refreshToken!);
    expect(TokenCipher.keyIdOf(raw.accessToken)).toBe('a');
    expect((await store.get(created.id))?.refreshToken).toBe(input.refreshToken);
    // Same plaintext, different ciphertext (random IV).
    const again = await store.create(input, T0);
    expect((await inner.get(again.id))!.accessToken).not.toBe(raw.accessToken);
  });

  it('rotates keys: reads old key ids, writes with the current one', async () => {
    const inner = new MemoryTokenStore();
    const old = new EncryptedTokenStore(
      inner,
      new TokenCipher({ keys: { a: keyA }, currentKeyId: 'a' }),
    );
    const created = await old.create(sampleToken({ accessToken: 'first-access' }), T0);
    const rotated = new EncryptedTokenStore(
      inner,
      new TokenCipher({ keys: { a: keyA, b: keyB }, currentKeyId: 'b' }),
    );
    expect((await rotated.get(created.id))?.accessToken).toBe('first-access');
    await rotated.update(
      created.id,
      1,
      { accessToken: 'second-access', refreshToken: 'second-refresh' },
      T0,
    );
    const raw = (await inner.get(created.id))!;
    expect(TokenCipher.keyIdOf(raw.accessToken)).toBe('b');
    expect(TokenCipher.keyIdOf(raw.refreshToken!)).toBe('b');
    const onlyB = new EncryptedTokenStore(
      inner,
      new TokenCipher({ keys: { b: keyB }, currentKeyId: 'b' }),
    );
    expect((await onlyB.get(created.id))?.accessToken).toBe('second-access');
    const onlyA = new EncryptedTokenStore(
      inner,
      new TokenCipher({ keys: { a: keyA }, currentKeyId: 'a' }),
    );
    await expect(onlyA.get(created.id)).rejects.toMatchObject({
      code: 'ESIKIT_TOKEN_DECRYPT_FAILED',
    });
  });

  it('rejects tampered ciphertexts, swapped fields and a wrong key under a known id', () => {
    const cipher = new TokenCipher({ keys: { a: keyA }, currentKeyId: 'a' });
    const sealed = cipher.encrypt('secret-refresh', 'refreshToken');
    expect(cipher.decrypt(sealed, 'refreshToken')).toBe('secret-refresh');
    const parts = sealed.split(':');
    const body = Buffer.from(parts[4]!, 'base64url');
    body[0] = body[0]! ^ 1;
    parts[4] = body.toString('base64url');
    expect(() => cipher.decrypt(parts.join(':'), 'refreshToken')).toThrow(TokenError);
    expect(() => cipher.decrypt(sealed, 'accessToken')).toThrow(/failed authentication/);
    const impostor = new TokenCipher({ keys: { a: randomBytes(32) }, currentKeyId: 'a' });
    expect(() => impostor.decrypt(sealed, 'refreshToken')).toThrow(/failed authentication/);
    expect(() => cipher.decrypt('esikit:v1:a:only-two', 'refreshToken')).toThrow(
      /not a well-formed/,
    );
  });

  it("regression: a ciphertext moved to another token's row does not decrypt", async () => {
    const inner = new MemoryTokenStore();
    const store = new EncryptedTokenStore(
      inner,
      new TokenCipher({ keys: { a: keyA }, currentKeyId: 'a' }),
    );
    const mine = await store.create(sampleToken({ characterId: 2_100_000_001 }), T0);
    const theirs = await store.create(sampleToken({ characterId: 2_100_000_002 }), T0);
    // Someone with write access to the rows swaps the victim's secrets into their own token.
    const stolen = (await inner.get(mine.id))!;
    await inner.update(
      theirs.id,
      theirs.version,
      { refreshToken: stolen.refreshToken, accessToken: stolen.accessToken },
      T0,
    );
    await expect(store.get(theirs.id)).rejects.toMatchObject({
      code: 'ESIKIT_TOKEN_DECRYPT_FAILED',
      message: expect.stringMatching(/failed authentication/) as unknown,
    });
    // Where they were written, they still decrypt; an update re-binds to the same character.
    expect((await store.get(mine.id))?.refreshToken).toBe(mine.refreshToken);
    const updated = await store.update(mine.id, mine.version, { refreshToken: 'rotated' }, T0);
    expect(updated?.refreshToken).toBe('rotated');
    expect((await store.get(mine.id))?.refreshToken).toBe('rotated');
  });

  it("regression: a PKCE verifier moved to another login's state does not decrypt", async () => {
    const inner = new MemoryTokenStore();
    const store = new EncryptedTokenStore(
      inner,
      new TokenCipher({ keys: { a: keyA }, currentKeyId: 'a' }),
    );
    const login = (state: string) => ({
      state,
      sessionKey: 's',
      returnUrl: undefined,
      codeVerifier: `verifier-${state}`,
      scopes: [],
      userId: undefined,
      created: T0,
    });
    await store.saveCallbackRedirect(login('victim'));
    const sealed = (await inner.takeCallbackRedirect('victim'))!.codeVerifier!;
    await inner.saveCallbackRedirect({ ...login('attacker'), codeVerifier: sealed });
    await expect(store.takeCallbackRedirect('attacker')).rejects.toMatchObject({
      code: 'ESIKIT_TOKEN_DECRYPT_FAILED',
    });
  });

  it('still reads esikit:v1 ciphertexts written before secrets were bound to their token', async () => {
    // v1 format: associated data was the field name alone.
    const v1 = (plaintext: string, field: string) => {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', keyA, iv);
      c.setAAD(Buffer.from(field));
      const body = Buffer.concat([c.update(plaintext, 'utf8'), c.final()]);
      return `esikit:v1:a:${iv.toString('base64url')}:${body.toString('base64url')}:${c.getAuthTag().toString('base64url')}`;
    };
    const inner = new MemoryTokenStore();
    const old = await inner.create(
      sampleToken({
        accessToken: v1('old-access', 'accessToken'),
        refreshToken: v1('old-refresh', 'refreshToken'),
      }),
      T0,
    );
    await inner.saveCallbackRedirect({
      state: 'old-login',
      sessionKey: 's',
      returnUrl: undefined,
      codeVerifier: v1('old-verifier', 'codeVerifier'),
      scopes: [],
      userId: undefined,
      created: T0,
    });
    const store = new EncryptedTokenStore(
      inner,
      new TokenCipher({ keys: { a: keyA }, currentKeyId: 'a' }),
    );
    expect(await store.get(old.id)).toMatchObject({
      accessToken: 'old-access',
      refreshToken: 'old-refresh',
    });
    expect((await store.takeCallbackRedirect('old-login'))?.codeVerifier).toBe('old-verifier');
    // The next write upgrades it to the bound format.
    await store.update(old.id, old.version, { refreshToken: 'new-refresh' }, T0);
    expect((await inner.get(old.id))?.refreshToken).toMatch(/^esikit:v2:a:/);
  });

  it('reads tokens stored before encryption was enabled', async () => {
    const inner = new MemoryTokenStore();
    const plain = await inner.create(sampleToken({ accessToken: 'legacy' }), T0);
    const store = new EncryptedTokenStore(
      inner,
      new TokenCipher({ keys: { a: keyA }, currentKeyId: 'a' }),
    );
    expect((await store.get(plain.id))?.accessToken).toBe('legacy');
  });

  it('validates options without echoing key material', () => {
    expect(() => new TokenCipher({ keys: { a: randomBytes(16) }, currentKeyId: 'a' })).toThrow(
      /keys: entry 1 of 1 must be a 32-byte key \(AES-256\), got 16 bytes/,
    );
    expect(() => new TokenCipher({ keys: { a: keyA }, currentKeyId: 'b' })).toThrow(
      /currentKeyId must name one of the 1 keys given, got a string of 1 characters/,
    );
    expect(() => new TokenCipher({ keys: { 'bad id': keyA }, currentKeyId: 'bad id' })).toThrow(
      /keys: the id of entry 1 of 1 \(a string of 6 characters\) must be 1-32 letters/,
    );
  });
});

describe('encrypted store with the token manager', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSim();
  });
  afterAll(async () => {
    await sim?.close();
  });

  it('refreshes through the encrypted store; the rotated refresh token is stored encrypted', async () => {
    const inner = new MemoryTokenStore();
    const store = new EncryptedTokenStore(
      inner,
      new TokenCipher({ keys: { a: keyA }, currentKeyId: 'a' }),
    );
    const tokens = simManager(sim, { store });
    const pilot = sim.characters[0]!;
    const issued = await sim.issueTokens({
      characterId: pilot.id,
      scopes: ['esi-skills.read_skills.v1'],
    });
    const token = await importRefreshToken(tokens, issued.refresh_token);
    sim.clock.advance(21 * 60_000);
    const access = await tokens.validAccessToken(token.id);
    await expect(sim.sso.verifyAccessToken(access)).resolves.toMatchObject({
      characterId: pilot.id,
    });
    const raw = (await inner.get(token.id))!;
    expect(TokenCipher.isCiphertext(raw.accessToken)).toBe(true);
    expect(TokenCipher.isCiphertext(raw.refreshToken!)).toBe(true);
    expect((await store.get(token.id))?.accessToken).toBe(access);
  });
});
