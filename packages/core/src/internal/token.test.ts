import { describe, expect, it } from 'vitest';
import type { TokenVerifier, VerifiedTokenClaims } from '../auth.js';
import { EsiAbortedError, EsiValidationError } from '../esi-errors.js';
import { RawTokenPolicy, toCredential } from './token.js';

function jwt(characterId: number): string {
  const part = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'none' })}.${part({ sub: `CHARACTER:EVE:${characterId}`, scp: ['s'] })}.`;
}

function verifier(claims: (token: string) => VerifiedTokenClaims | Error) {
  const v = {
    calls: 0,
    async verifyAccessToken(token: string): Promise<VerifiedTokenClaims> {
      v.calls += 1;
      await new Promise((r) => setTimeout(r, 5));
      const c = claims(token);
      if (c instanceof Error) throw c;
      return c;
    },
  };
  return v satisfies TokenVerifier;
}

describe('RawTokenPolicy', () => {
  const now = 1_000_000;

  it('without a verifier tags a raw token with a hash of itself, never with the token', () => {
    const policy = new RawTokenPolicy(undefined, false, () => now);
    const token = jwt(1);
    const c = policy.resolve('Op', toCredential('Op', token), undefined);
    expect(c).not.toBeInstanceOf(Promise);
    const tag = (c as { cacheTag?: string }).cacheTag;
    expect(tag).toMatch(/^[\w-]{22}$/);
    expect(token).not.toContain(tag);
    const other = policy.resolve('Op', toCredential('Op', jwt(1) + 'x'), undefined);
    expect((other as { cacheTag?: string }).cacheTag).not.toBe(tag);
  });

  it('trustRawTokens keeps the decoded credential as it is', () => {
    const policy = new RawTokenPolicy(undefined, true, () => now);
    const c = toCredential('Op', jwt(7));
    expect(policy.resolve('Op', c, undefined)).toBe(c);
  });

  it('verifies once for concurrent callers and keeps the claims until exp', async () => {
    let t = now;
    const v = verifier(() => ({ characterId: 9, scopes: ['s'], expiresAt: t + 1000 }));
    const policy = new RawTokenPolicy(v, false, () => t);
    const token = jwt(1);
    const [a, b] = await Promise.all([
      policy.resolve('Op', toCredential('Op', token), undefined),
      policy.resolve('Op', toCredential('Op', token), undefined),
    ]);
    expect(v.calls).toBe(1);
    // The verified claims win over what the token merely says.
    expect(a.characterId).toBe(9);
    expect(b.cacheTag).toBeUndefined();
    expect(policy.resolve('Op', toCredential('Op', token), undefined)).not.toBeInstanceOf(Promise);
    t = now + 1000;
    await policy.resolve('Op', toCredential('Op', token), undefined);
    expect(v.calls).toBe(2);
  });

  it('refuses a token the verifier rejects with a validation error that does not echo it', async () => {
    const token = jwt(1);
    const policy = new RawTokenPolicy(
      verifier(() => new Error('signature verification failed')),
      false,
      () => now,
    );
    const e = await Promise.resolve(
      policy.resolve('Op', toCredential('Op', token), undefined),
    ).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(EsiValidationError);
    expect(String((e as Error).message)).not.toContain(token);
    expect((e as Error).cause).toBeInstanceOf(Error);
  });

  it('a caller that aborts leaves; the verification goes on for the others', async () => {
    const v = verifier(() => ({ characterId: 1, scopes: [], expiresAt: now + 1000 }));
    const policy = new RawTokenPolicy(v, false, () => now);
    const controller = new AbortController();
    const token = jwt(1);
    const leaving = Promise.resolve(
      policy.resolve('Op', toCredential('Op', token), controller.signal),
    );
    const staying = Promise.resolve(policy.resolve('Op', toCredential('Op', token), undefined));
    controller.abort();
    await expect(leaving).rejects.toBeInstanceOf(EsiAbortedError);
    await expect(staying).resolves.toMatchObject({ characterId: 1 });
  });

  it('keeps a bounded number of verifications', async () => {
    const v = verifier(() => ({ characterId: 1, scopes: [], expiresAt: now + 1000 }));
    const policy = new RawTokenPolicy(v, false, () => now, 2);
    for (const id of [1, 2, 3]) await policy.resolve('Op', toCredential('Op', jwt(id)), undefined);
    await policy.resolve('Op', toCredential('Op', jwt(1)), undefined);
    expect(v.calls).toBe(4);
  });
});
