import type { Simulator } from '@esikit/simulator';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  SsoInvalidGrantError,
  SsoLoginDeniedError,
  SsoOptionError,
  SsoStateError,
} from './errors.js';
import { completeLogin, importRefreshToken, startLogin } from './login.js';
import { MemoryTokenStore } from './memory-store.js';
import {
  CALLBACK_URL,
  followAuthorize,
  simManager,
  simSso,
  startSim,
  WEB_CLIENT,
} from './testing/sim-fixture.js';
import { createSso } from './sso.js';

let sim: Simulator;
const SKILLS = 'esi-skills.read_skills.v1';
const WALLET = 'esi-wallet.read_character_wallet.v1';

beforeAll(async () => {
  sim = await startSim();
});
afterAll(async () => {
  await sim?.close();
});

let pilot: Simulator['characters'][number];
beforeEach(() => {
  pilot = sim.characters[0]!;
  sim.sso.setAutoConsent(pilot.id);
  sim.sso.setFaults({});
});

describe('web login (client secret)', () => {
  it('builds the authorization URL, exchanges the code and stores a verified token', async () => {
    const tokens = simManager(sim);
    const before = sim.sso.stats().codeExchanges;
    const { url, state } = await startLogin(tokens, {
      sessionKey: 's1',
      scopes: `${SKILLS} ${WALLET}`,
      returnUrl: '/me',
    });
    expect(url.origin).toBe(sim.ssoUrl);
    expect(url.pathname).toBe('/v2/oauth/authorize');
    expect(url.searchParams.get('client_id')).toBe(WEB_CLIENT.clientId);
    expect(url.searchParams.get('redirect_uri')).toBe(CALLBACK_URL);
    expect(url.searchParams.get('response_type')).toBe('code');
    expect(url.searchParams.get('scope')).toBe([SKILLS, WALLET].sort().join(' '));
    expect(url.searchParams.get('state')).toBe(state);
    expect(url.searchParams.has('code_challenge')).toBe(false);

    const callback = await followAuthorize(url);
    const { token, returnUrl, updatedExisting } = await completeLogin(tokens, {
      sessionKey: 's1',
      callback,
    });
    expect(returnUrl).toBe('/me');
    expect(updatedExisting).toBe(false);
    expect(token).toMatchObject({
      characterId: pilot.id,
      characterName: pilot.name,
      ownerHash: pilot.ownerHash,
      tokenType: 'Bearer',
      ssoVersion: 2,
      scopes: [SKILLS, WALLET].sort(),
    });
    expect(token.expiresAt).toBeGreaterThan(sim.clock.now());
    expect(token.refreshToken).toBeTruthy();
    expect(sim.sso.stats().codeExchanges - before).toBe(1);
    expect(await tokens.store.get(token.id)).toEqual(token);
  });

  it('caches discovery: many logins, one metadata request', async () => {
    const tokens = simManager(sim);
    const before = sim.sso.stats().metadataRequests;
    for (let i = 0; i < 3; i++) {
      const { url } = await startLogin(tokens, { sessionKey: `s${i}`, scopes: [SKILLS] });
      await completeLogin(tokens, { sessionKey: `s${i}`, callback: await followAuthorize(url) });
    }
    expect(sim.sso.stats().metadataRequests - before).toBe(1);
  });

  it('rejects a callback from another session, and the state cannot be retried', async () => {
    const tokens = simManager(sim);
    const { url } = await startLogin(tokens, { sessionKey: 'victim', scopes: [SKILLS] });
    const callback = await followAuthorize(url);
    await expect(completeLogin(tokens, { sessionKey: 'attacker', callback })).rejects.toThrow(
      SsoStateError,
    );
    await expect(completeLogin(tokens, { sessionKey: 'victim', callback })).rejects.toMatchObject({
      code: 'ESIKIT_SSO_STATE_MISMATCH',
    });
    expect(await tokens.find()).toEqual([]);
  });

  it('rejects an unknown state and a callback without state', async () => {
    const tokens = simManager(sim);
    await expect(
      completeLogin(tokens, {
        sessionKey: 's',
        callback: `${CALLBACK_URL}?code=abc&state=made-up-state-value`,
      }),
    ).rejects.toThrow(/unknown, expired or already used/);
    await expect(
      completeLogin(tokens, { sessionKey: 's', callback: `${CALLBACK_URL}?code=abc` }),
    ).rejects.toThrow(/no state/);
  });

  it('rejects a replayed callback, and SSO rejects a replayed code with invalid_grant', async () => {
    const tokens = simManager(sim);
    const { url, state } = await startLogin(tokens, { sessionKey: 's', scopes: [SKILLS] });
    const callback = await followAuthorize(url);
    await completeLogin(tokens, { sessionKey: 's', callback });
    await expect(completeLogin(tokens, { sessionKey: 's', callback })).rejects.toThrow(
      SsoStateError,
    );
    const code = callback.searchParams.get('code')!;
    await expect(tokens.sso.exchangeCode({ code, state })).rejects.toThrow(SsoInvalidGrantError);
    expect(await tokens.find()).toHaveLength(1);
  });

  it('rejects a login older than loginTimeoutSeconds', async () => {
    const tokens = simManager(sim, { loginTimeoutSeconds: 60 });
    const { url } = await startLogin(tokens, { sessionKey: 's', scopes: [SKILLS] });
    const callback = await followAuthorize(url);
    sim.clock.advance(61_000);
    await expect(completeLogin(tokens, { sessionKey: 's', callback })).rejects.toThrow(
      /longer than 60 s/,
    );
  });

  it('reports a denied login as SsoLoginDeniedError', async () => {
    const tokens = simManager(sim);
    const { state } = await startLogin(tokens, { sessionKey: 's', scopes: [SKILLS] });
    const callback = `${CALLBACK_URL}?error=access_denied&state=${state}`;
    await expect(completeLogin(tokens, { sessionKey: 's', callback })).rejects.toThrow(
      SsoLoginDeniedError,
    );
  });

  it('updates an equivalent token instead of duplicating it, unless alwaysCreateToken', async () => {
    const store = new MemoryTokenStore();
    const tokens = simManager(sim, { store });
    const login = async (scopes: string[], manager = tokens) => {
      const { url } = await startLogin(manager, { sessionKey: 's', scopes });
      return completeLogin(manager, { sessionKey: 's', callback: await followAuthorize(url) });
    };
    const first = await login([SKILLS]);
    const second = await login([SKILLS]);
    expect(second.updatedExisting).toBe(true);
    expect(second.token.id).toBe(first.token.id);
    expect(second.token.refreshToken).not.toBe(first.token.refreshToken);
    expect(await store.find({})).toHaveLength(1);
    await login([SKILLS, WALLET]);
    expect(await store.find({})).toHaveLength(2);
    await login([SKILLS], simManager(sim, { store, alwaysCreateToken: true }));
    expect(await store.find({})).toHaveLength(3);
  });

  it("removes the previous owner's tokens when the character was sold", async () => {
    const store = new MemoryTokenStore();
    const tokens = simManager(sim, { store });
    const character = sim.characters[1]!;
    sim.sso.setAutoConsent(character.id);
    const login = async (scopes: string[]) => {
      const { url } = await startLogin(tokens, { sessionKey: 's', scopes });
      return (
        await completeLogin(tokens, { sessionKey: 's', callback: await followAuthorize(url) })
      ).token;
    };
    const old1 = await login([SKILLS]);
    const old2 = await login([WALLET]);
    sim.sso.transferCharacter(character.id);
    const fresh = await login([SKILLS]);
    expect(fresh.ownerHash).not.toBe(old1.ownerHash);
    expect(await store.get(old1.id)).toBeUndefined();
    expect(await store.get(old2.id)).toBeUndefined();
    expect((await store.find({ characterId: character.id })).map((t) => t.id)).toEqual([fresh.id]);
  });
});

describe('PKCE login (public client)', () => {
  it('sends an S256 challenge, a fresh verifier per login, and needs no secret', async () => {
    const tokens = simManager(sim, { sso: simSso(sim, { public: true }) });
    expect(tokens.sso.isPublicClient).toBe(true);
    const a = await startLogin(tokens, { sessionKey: 'a', scopes: [SKILLS] });
    const b = await startLogin(tokens, { sessionKey: 'b', scopes: [SKILLS] });
    expect(a.url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(a.url.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(a.url.searchParams.get('code_challenge')).not.toBe(
      b.url.searchParams.get('code_challenge'),
    );
    const { token } = await completeLogin(tokens, {
      sessionKey: 'a',
      callback: await followAuthorize(a.url),
    });
    expect(token.characterId).toBe(pilot.id);
    // A refresh works for the public client too (no client authentication).
    const refreshed = await tokens.refresh(token.id);
    expect(refreshed.refreshToken).not.toBe(token.refreshToken);
  });

  it('refuses to build a public-client URL without a challenge', async () => {
    const sso = simSso(sim, { public: true });
    await expect(sso.authorizationUrl({ scopes: [SKILLS], state: 'x'.repeat(32) })).rejects.toThrow(
      /codeChallenge is required/,
    );
  });
});

describe('refresh token import, scope subsets and revoke', () => {
  it('imports a saved refresh token (EsiPy update_token + refresh)', async () => {
    const issued = await sim.issueTokens({ characterId: pilot.id, scopes: [SKILLS, WALLET] });
    const tokens = simManager(sim);
    const token = await importRefreshToken(tokens, issued.refresh_token, { userId: 'u1' });
    expect(token).toMatchObject({
      characterId: pilot.id,
      userId: 'u1',
      scopes: [SKILLS, WALLET].sort(),
    });
    expect(token.refreshToken).not.toBe(issued.refresh_token);
  });

  it('refreshes for a subset of the granted scopes', async () => {
    const issued = await sim.issueTokens({ characterId: pilot.id, scopes: [SKILLS, WALLET] });
    const sso = simSso(sim);
    const narrowed = await sso.refresh(issued.refresh_token, { scopes: [SKILLS] });
    expect(narrowed.verified.scopes).toEqual([SKILLS]);
  });

  it('revokes a refresh token; using it afterwards is invalid_grant', async () => {
    const issued = await sim.issueTokens({ characterId: pilot.id, scopes: [SKILLS] });
    const sso = simSso(sim);
    await sso.revoke(issued.refresh_token);
    await expect(sso.refresh(issued.refresh_token)).rejects.toMatchObject({
      code: 'ESIKIT_SSO_INVALID_GRANT',
    });
  });

  it('verifies tokens signed with a rotated key after one JWKS re-fetch', async () => {
    const sso = simSso(sim);
    const before = await sim.issueTokens({ characterId: pilot.id, scopes: [SKILLS] });
    await sso.verifyAccessToken(before.access_token);
    const jwks = sim.sso.stats().jwksRequests;
    await sim.sso.rotateSigningKey({ dropPrevious: true });
    const after = await sim.issueTokens({ characterId: pilot.id, scopes: [SKILLS] });
    await expect(sso.verifyAccessToken(after.access_token)).resolves.toMatchObject({
      characterId: pilot.id,
    });
    expect(sim.sso.stats().jwksRequests - jwks).toBe(1);
  });
});

describe('options', () => {
  it('names the option and the value', () => {
    const base = { clientId: 'a', callbackUrl: CALLBACK_URL };
    expect(() => createSso({ ...base, clientId: '' })).toThrow(
      /clientId must be a non-empty string, got an empty string/,
    );
    expect(() => createSso({ ...base, callbackUrl: 'nope' })).toThrow(
      /callbackUrl must be an absolute http\(s\) URL, got a string of 4 characters/,
    );
    expect(() => createSso({ ...base, ssoUrl: 'ftp://x' })).toThrow(
      /ssoUrl must use http or https/,
    );
    expect(() => createSso({ ...base, timeoutMs: -1 })).toThrow(
      /timeoutMs must be a positive number, got -1/,
    );
    expect(() => createSso({ ...base, clientSecret: '' })).toThrow(SsoOptionError);
    expect(() => simManager(sim, { concurrency: 0 })).toThrow(
      /concurrency must be an integer >= 1, got 0/,
    );
  });

  it('keeps the client secret out of inspection and JSON', async () => {
    const { inspect } = await import('node:util');
    const sso = createSso({
      clientId: 'a',
      clientSecret: 'super-secret',
      callbackUrl: CALLBACK_URL,
    });
    expect(inspect(sso, { depth: 5 })).not.toContain('super-secret');
    expect(JSON.stringify(sso)).not.toContain('super-secret');
    expect(sso.isPublicClient).toBe(false);
  });

  it('never puts the client secret in a message', () => {
    try {
      createSso({ clientId: 'a', clientSecret: 'super-secret', callbackUrl: 'bad' });
    } catch (e) {
      expect(String((e as Error).message)).not.toContain('super-secret');
    }
  });
});
