import type { Simulator } from '@esikit/simulator';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { SsoInvalidGrantError, SsoOptionError, SsoUnavailableError, TokenError } from './errors.js';
import { importRefreshToken } from './login.js';
import type { TokenManager } from './manager.js';
import { MemoryTokenStore } from './memory-store.js';
import type { TokenStore } from './store.js';
import { simManager, simSso, SsoGate, startSim } from './testing/sim-fixture.js';
import { LeaseWatchStore } from './testing/stores.js';
import type { Token } from './token.js';

let sim: Simulator;
const SKILLS = 'esi-skills.read_skills.v1';
const WALLET = 'esi-wallet.read_character_wallet.v1';
const TWENTY_ONE_MINUTES = 21 * 60_000;

beforeAll(async () => {
  sim = await startSim();
});
afterAll(async () => {
  await sim?.close();
});
beforeEach(() => {
  sim.sso.setFaults({});
});

/** Token-endpoint calls SSO answered, successful or not. */
const refreshes = () => {
  const stats = sim.sso.stats();
  return stats.refreshes + Object.values(stats.tokenErrors).reduce((a, b) => a + b, 0);
};

/** A stored token for a character whose access token has expired. */
async function expiredToken(
  tokens: TokenManager,
  characterIndex = 0,
  scopes = [SKILLS],
): Promise<Token> {
  const character = sim.characters[characterIndex]!;
  const issued = await sim.issueTokens({ characterId: character.id, scopes });
  const token = await importRefreshToken(tokens, issued.refresh_token);
  sim.clock.advance(TWENTY_ONE_MINUTES);
  expect(tokens.isFresh(token)).toBe(false);
  return token;
}

describe('one refresh per token', () => {
  it('20 concurrent validAccessToken() on one expired token: exactly one refresh', async () => {
    const tokens = simManager(sim);
    const token = await expiredToken(tokens);
    const before = refreshes();
    const results = await Promise.all(
      Array.from({ length: 20 }, () => tokens.validAccessToken(token.id)),
    );
    expect(refreshes() - before).toBe(1);
    expect(new Set(results).size).toBe(1);
    expect(results[0]).not.toBe(token.accessToken);
    const stored = await tokens.store.get(token.id);
    expect(stored?.accessToken).toBe(results[0]);
    expect(stored?.refreshToken).not.toBe(token.refreshToken);
    expect(tokens.isFresh(stored!)).toBe(true);
    // Fresh now: no further refresh.
    await tokens.validAccessToken(token.id);
    expect(refreshes() - before).toBe(1);
  });

  it('two store clients sharing one backend, 10 callers each: exactly one refresh', async () => {
    const store = new MemoryTokenStore();
    const a = simManager(sim, { store });
    const b = simManager(sim, { store, sso: simSso(sim) });
    const token = await expiredToken(a);
    const before = refreshes();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).validAccessToken(token.id)),
    );
    expect(refreshes() - before).toBe(1);
    expect(new Set(results).size).toBe(1);
  });

  it('refresh() forces a new access token even when the current one is valid', async () => {
    const tokens = simManager(sim);
    const issued = await sim.issueTokens({ characterId: sim.characters[0]!.id, scopes: [SKILLS] });
    const token = await importRefreshToken(tokens, issued.refresh_token);
    const before = refreshes();
    const [x, y] = await Promise.all([tokens.refresh(token.id), tokens.refresh(token.id)]);
    expect(refreshes() - before).toBe(1);
    expect(x.version).toBe(token.version + 1);
    expect(y).toEqual(x);
  });
});

describe('rotation', () => {
  it('stores the rotated refresh token before handing out the new access token', async () => {
    const events: string[] = [];
    let failWrites = true;
    class FlakyStore extends MemoryTokenStore {
      override async update(...args: Parameters<TokenStore['update']>) {
        events.push('update');
        if (failWrites) throw new Error('database is down');
        return super.update(...args);
      }
    }
    const store = new FlakyStore();
    const tokens = simManager(sim, { store });
    const token = await expiredToken(tokens);
    failWrites = true;
    // The write fails: the new access token must not be handed out.
    const failed = await tokens.validAccessToken(token.id).catch((e: unknown) => e);
    expect(failed).toMatchObject({
      code: 'ESIKIT_TOKEN_STORE_FAILED',
      cause: new Error('database is down'),
    });
    expect(events).toEqual(['update', 'update', 'update']);
    failWrites = false;
    events.length = 0;
    // SSO rotated the refresh token in the failed attempt, so the stored one is now dead at SSO.
    await expect(tokens.validAccessToken(token.id)).rejects.toThrow(SsoInvalidGrantError);
    const t2 = await expiredToken(tokens);
    events.length = 0;
    const access = await tokens.validAccessToken(t2.id).then((v) => {
      events.push('handed out');
      return v;
    });
    expect(events).toEqual(['update', 'handed out']);
    expect((await store.get(t2.id))?.accessToken).toBe(access);
  });
});

describe('regressions: tokens lost by other libraries', () => {
  // Lapsed leases, stale invalid_grant, lost acknowledgements and revoke during a refresh are in
  // token-races.test.ts, run against every store.
  it('regression: the refresh lease is renewed before the SSO call and before the write', async () => {
    const events: string[] = [];
    class RecordingStore extends MemoryTokenStore {
      override async acquireLease(...args: Parameters<TokenStore['acquireLease']>) {
        events.push('acquire');
        return super.acquireLease(...args);
      }
      override async renewLease(...args: Parameters<TokenStore['renewLease']>) {
        events.push(`renew ${refreshes() - before}`);
        return super.renewLease(...args);
      }
      override async update(...args: Parameters<TokenStore['update']>) {
        events.push('update');
        return super.update(...args);
      }
      override async releaseLease(...args: Parameters<TokenStore['releaseLease']>) {
        events.push('release');
        return super.releaseLease(...args);
      }
    }
    const store = new RecordingStore();
    const tokens = simManager(sim, { store });
    const token = await expiredToken(tokens);
    events.length = 0;
    const before = refreshes();
    await tokens.validAccessToken(token.id);
    // `renew n`: n token-endpoint calls so far. The lease never runs on its first ttl alone.
    expect(events).toEqual(['acquire', 'renew 0', 'renew 1', 'update', 'release']);
  });

  it('regression: a leaseTtlMs shorter than the SSO requests a refresh can make is refused, naming leaseTtlMs', () => {
    // timeoutMs 5000: openid-client allows up to 6 s a request, four requests between renewals.
    expect(() => simManager(sim, { leaseTtlMs: 50 })).toThrow(
      /leaseTtlMs must be at least 25000 ms .*timeoutMs 5000.*got 50/,
    );
    expect(() => simManager(sim, { leaseTtlMs: 24_999 })).toThrow(SsoOptionError);
    expect(simManager(sim, { leaseTtlMs: 25_000 }).leaseTtlMs).toBe(25_000);
    // The default grows with the SSO client's timeout rather than undercutting it.
    expect(simManager(sim, { sso: simSso(sim, { timeoutMs: 30_000 }) }).leaseTtlMs).toBe(125_000);
  });

  it('regression: refresh() racing validAccessToken() on one expired token in one process neither sends its refresh token twice nor deletes the token', async () => {
    const tokens = simManager(sim);
    const token = await expiredToken(tokens);
    const grantErrors = () => sim.sso.stats().tokenErrors.invalid_grant ?? 0;
    const errorsBefore = grantErrors();
    const [access, refreshed] = await Promise.all([
      tokens.validAccessToken(token.id),
      tokens.refresh(token.id),
    ]);
    expect(grantErrors() - errorsBefore).toBe(0);
    expect(access).toBe(refreshed.accessToken);
    expect((await tokens.store.get(token.id))?.accessToken).toBe(refreshed.accessToken);
  });

  it('regression: a forced refresh() requested while an unforced refresh is in flight waits for it, then refreshes again', async () => {
    const gate = new SsoGate();
    const tokens = simManager(sim, { sso: simSso(sim, { fetch: gate.fetch }) });
    const token = await expiredToken(tokens);
    const grantErrors = () => sim.sso.stats().tokenErrors.invalid_grant ?? 0;
    const errorsBefore = grantErrors();
    const before = refreshes();
    const held = gate.hold('/v2/oauth/token', 'after');
    const unforced = tokens.validAccessToken(token.id);
    // The unforced refresh's request has been sent (and processed by SSO); its answer is held.
    await held.arrived;
    const [forcedA, forcedB] = [tokens.refresh(token.id), tokens.refresh(token.id)];
    const joined = tokens.validAccessToken(token.id);
    held.release();
    const [x, a, b, j] = await Promise.all([unforced, forcedA, forcedB, joined]);
    // `force` promises a refresh started after the call: the running one does not count, but
    // the two forced calls share theirs.
    expect(refreshes() - before).toBe(2);
    expect(grantErrors() - errorsBefore).toBe(0);
    expect(a.accessToken).not.toBe(x);
    expect(b).toEqual(a);
    expect([x, a.accessToken]).toContain(j);
    expect((await tokens.store.get(token.id))?.accessToken).toBe(a.accessToken);
  });

  it('keeps the rotated refresh token when the new access token cannot be verified', async () => {
    const tokens = simManager(sim);
    const token = await expiredToken(tokens);
    // A fresh SSO client has no keys yet, and the JWKS endpoint is down.
    const cold = simManager(sim, { store: tokens.store, sso: simSso(sim) });
    sim.sso.setFaults({ jwks: { status: 503 } });
    await expect(cold.validAccessToken(token.id)).rejects.toBeInstanceOf(SsoUnavailableError);
    const stored = await tokens.store.get(token.id);
    expect(stored?.refreshToken).not.toBe(token.refreshToken);
    expect(stored?.accessToken).toBe(token.accessToken);
    sim.sso.setFaults({});
    const before = refreshes();
    await expect(cold.validAccessToken(token.id)).resolves.toBeTruthy();
    expect(refreshes() - before).toBe(1);
  });
});

describe('a token is deleted only on invalid_grant', () => {
  it('deletes a token SSO declares dead, and says so', async () => {
    const tokens = simManager(sim);
    const token = await expiredToken(tokens);
    await tokens.sso.revoke(token.refreshToken!);
    const error = await tokens.validAccessToken(token.id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SsoInvalidGrantError);
    expect((error as SsoInvalidGrantError).code).toBe('ESIKIT_SSO_INVALID_GRANT');
    expect(String((error as Error).message)).not.toContain(token.refreshToken!);
    expect(await tokens.store.get(token.id)).toBeUndefined();
  });

  it('revoke() revokes at SSO then deletes; an SSO outage keeps the token', async () => {
    const tokens = simManager(sim);
    const token = await expiredToken(tokens);
    sim.sso.setFaults({ revoke: { status: 503 } });
    await expect(tokens.revoke(token.id)).rejects.toMatchObject({ code: 'ESIKIT_SSO_UNAVAILABLE' });
    expect(await tokens.store.get(token.id)).toEqual(token);
    sim.sso.setFaults({});
    const before = sim.sso.stats().revocations;
    await tokens.revoke(token.id);
    expect(sim.sso.stats().revocations - before).toBe(1);
    expect(await tokens.store.get(token.id)).toBeUndefined();
    await expect(tokens.sso.refresh(token.refreshToken!)).rejects.toThrow(SsoInvalidGrantError);
  });

  it('refreshOrDelete returns undefined for a dead token and the token for a live one', async () => {
    const tokens = simManager(sim);
    const dead = await expiredToken(tokens, 0);
    const live = await expiredToken(tokens, 1);
    await tokens.sso.revoke(dead.refreshToken!);
    expect(await tokens.refreshOrDelete(dead.id)).toBeUndefined();
    expect(await tokens.store.get(dead.id)).toBeUndefined();
    const refreshed = await tokens.refreshOrDelete(live.id);
    expect(refreshed?.id).toBe(live.id);
    expect(tokens.isFresh(refreshed!)).toBe(true);
  });

  it('deletes tokens of a character that was sold (refresh answers invalid_grant)', async () => {
    const tokens = simManager(sim);
    const token = await expiredToken(tokens, 1);
    sim.sso.transferCharacter(sim.characters[1]!.id);
    expect(await tokens.refreshOrDelete(token.id)).toBeUndefined();
    expect(await tokens.store.get(token.id)).toBeUndefined();
  });

  const outages = [
    ['503', { status: 503 as const }, 'status'],
    ['500', { status: 500 as const }, 'status'],
    ['a reset connection', { reset: true }, 'network'],
    ['a timeout', { latencyMs: 600 }, 'timeout'],
  ] as const;
  for (const [name, fault, reason] of outages) {
    it(`${name}: typed error, token byte-identical, no delete`, async () => {
      const tokens = simManager(sim, { sso: simSso(sim, { timeoutMs: 200 }) });
      const token = await expiredToken(tokens);
      const before = JSON.stringify(await tokens.store.get(token.id));
      sim.sso.setFaults({ token: fault });
      for (const attempt of [
        () => tokens.validAccessToken(token.id),
        () => tokens.refreshOrDelete(token.id),
        () => tokens.refresh(token.id),
      ]) {
        const error = await attempt().catch((e: unknown) => e);
        expect(error).toBeInstanceOf(SsoUnavailableError);
        expect((error as SsoUnavailableError).code).toBe('ESIKIT_SSO_UNAVAILABLE');
        expect((error as SsoUnavailableError).reason).toBe(reason);
        expect(JSON.stringify(await tokens.store.get(token.id))).toBe(before);
      }
      const bulk = await tokens.refreshOrDeleteExpired();
      expect(bulk.deleted).toEqual([]);
      expect(bulk.failed.map((f) => f.tokenId)).toContain(token.id);
      expect(JSON.stringify(await tokens.store.get(token.id))).toBe(before);
      // SSO back: the same token refreshes fine.
      sim.sso.setFaults({});
      expect(await tokens.validAccessToken(token.id)).not.toBe(token.accessToken);
    });
  }
});

describe('bulk refresh and cleanup jobs', () => {
  it('keeps at most 5 refreshes in flight by default', async () => {
    let inFlight = 0;
    let peak = 0;
    // Token requests are counted while in flight, and the first ones held (SsoGate) until as
    // many as the limit have arrived: the peak is reached by construction, not by timing.
    let gate: SsoGate | undefined;
    const counting = async (input: string | URL, init?: RequestInit) => {
      const isToken = input.toString().endsWith('/v2/oauth/token');
      if (isToken) peak = Math.max(peak, ++inFlight);
      try {
        return await (gate ? gate.fetch(input, init) : fetch(input, init));
      } finally {
        if (isToken) inFlight--;
      }
    };
    const tokens = simManager(sim, { sso: simSso(sim, { fetch: counting }) });
    const all: Token[] = [];
    for (let i = 0; i < 20; i++) {
      const issued = await sim.issueTokens({
        characterId: sim.characters[i % 2]!.id,
        scopes: [SKILLS],
      });
      all.push(await importRefreshToken(tokens, issued.refresh_token, { userId: `u${i}` }));
    }
    const bulk = async (limit: number, options: { concurrency?: number }) => {
      sim.clock.advance(TWENTY_ONE_MINUTES);
      peak = 0;
      gate = new SsoGate();
      const held = Array.from({ length: limit }, () => gate!.hold('/v2/oauth/token', 'before'));
      const running = tokens.bulkRefresh(all, options);
      await Promise.all(held.map((h) => h.arrived));
      for (const h of held) h.release();
      const result = await running;
      gate = undefined;
      return result;
    };
    const result = await bulk(5, {});
    expect(result.refreshed).toHaveLength(20);
    expect(peak).toBe(5);
    await bulk(2, { concurrency: 2 });
    expect(peak).toBe(2);
  });

  it('refreshOrDeleteExpired refreshes live tokens and deletes dead ones', async () => {
    const tokens = simManager(sim);
    const live = await expiredToken(tokens, 0);
    const dead = await expiredToken(tokens, 1, [WALLET]);
    await tokens.sso.revoke(dead.refreshToken!);
    const result = await tokens.refreshOrDeleteExpired();
    expect(result.refreshed.map((t) => t.id)).toEqual([live.id]);
    expect(result.deleted).toEqual([dead.id]);
    expect(result.failed).toEqual([]);
    expect(await tokens.getExpired()).toEqual([]);
  });

  it('deleteStaleCallbackRedirects removes logins older than maxAgeSeconds (300 default)', async () => {
    const store = new MemoryTokenStore();
    const tokens = simManager(sim, { store });
    const { startLogin } = await import('./login.js');
    const old = await startLogin(tokens, { sessionKey: 's', scopes: [SKILLS] });
    sim.clock.advance(200_000);
    const recent = await startLogin(tokens, { sessionKey: 's', scopes: [SKILLS] });
    sim.clock.advance(101_000);
    expect(await tokens.deleteStaleCallbackRedirects()).toBe(1);
    expect(await store.takeCallbackRedirect(old.state)).toBeUndefined();
    expect(await store.takeCallbackRedirect(recent.state)).toBeDefined();
    expect(await tokens.deleteStaleCallbackRedirects({ maxAgeSeconds: 0 })).toBe(0);
  });
});

describe('queries and the access token source', () => {
  it('getToken, requireScopes, requireScopesExact, forUser, equivalentTo, requireValid', async () => {
    const tokens = simManager(sim);
    const pilot = sim.characters[0]!;
    const both = await importRefreshToken(
      tokens,
      (await sim.issueTokens({ characterId: pilot.id, scopes: [SKILLS, WALLET] })).refresh_token,
      { userId: 'u1' },
    );
    const skills = await importRefreshToken(
      tokens,
      (await sim.issueTokens({ characterId: pilot.id, scopes: [SKILLS] })).refresh_token,
    );
    expect((await tokens.getToken(pilot.id, [SKILLS]))?.id).toBe(skills.id);
    expect((await tokens.getToken(pilot.id, `${WALLET} ${SKILLS}`))?.id).toBe(both.id);
    expect(await tokens.getToken(pilot.id, ['esi-mail.read_mail.v1'])).toBeUndefined();
    expect((await tokens.requireScopes(SKILLS)).map((t) => t.id)).toEqual([both.id, skills.id]);
    expect((await tokens.requireScopesExact(SKILLS)).map((t) => t.id)).toEqual([skills.id]);
    expect((await tokens.forUser('u1')).map((t) => t.id)).toEqual([both.id]);
    expect(await tokens.equivalentTo(skills)).toEqual([]);
    sim.clock.advance(TWENTY_ONE_MINUTES);
    const valid = await tokens.requireValid({ characterId: pilot.id });
    expect(valid.refreshed.map((t) => t.id).sort()).toEqual([both.id, skills.id].sort());
    await expect(tokens.find({ requireScopes: 'bad scope"' })).rejects.toThrow(
      /requireScopes contains an invalid scope/,
    );
  });

  it('source() is an AccessTokenSource that refreshes when needed', async () => {
    const tokens = simManager(sim);
    const token = await expiredToken(tokens, 0, [SKILLS, WALLET]);
    const source = tokens.source(token);
    expect(source.characterId).toBe(token.characterId);
    expect(source.scopes).toEqual([SKILLS, WALLET].sort());
    const access = await source.getAccessToken();
    await expect(sim.sso.verifyAccessToken(access)).resolves.toMatchObject({
      characterId: token.characterId,
    });
    const res = await fetch(`${sim.esiUrl}/characters/${token.characterId}/wallet`, {
      headers: {
        authorization: `Bearer ${await source.getAccessToken()}`,
        'user-agent': 'esikit-tests',
      },
    });
    expect(res.status).toBe(200);
    await res.body?.cancel();
  });

  it('a token without refresh token fails with ESIKIT_TOKEN_EXPIRED once expired', async () => {
    const tokens = simManager(sim);
    const token = await expiredToken(tokens);
    await tokens.store.update(
      token.id,
      token.version,
      { refreshToken: undefined },
      sim.clock.now(),
    );
    await expect(tokens.validAccessToken(token.id)).rejects.toMatchObject({
      code: 'ESIKIT_TOKEN_EXPIRED',
    });
    await expect(tokens.validAccessToken('missing')).rejects.toThrow(TokenError);
  });

  it("stops waiting for another holder's lease once every caller has aborted", async () => {
    const store = new LeaseWatchStore(new MemoryTokenStore());
    const tokens = simManager(sim, { store });
    const token = await expiredToken(tokens);
    expect(await tokens.store.acquireLease(`refresh:${token.id}`, 'other-process', 10_000)).toBe(
      true,
    );
    const before = refreshes();
    const [ca, cb] = [new AbortController(), new AbortController()];
    const a = tokens.validAccessToken(token.id, { signal: ca.signal });
    const b = tokens.validAccessToken(token.id, { signal: cb.signal });
    await store.refused.promise;
    ca.abort(new Error('first caller gave up'));
    cb.abort(new Error('second caller gave up'));
    await expect(a).rejects.toMatchObject({ cause: new Error('first caller gave up') });
    await expect(b).rejects.toMatchObject({ cause: new Error('second caller gave up') });
    await tokens.store.releaseLease(`refresh:${token.id}`, 'other-process');
    await new Promise((r) => setTimeout(r, 400));
    // Nobody wanted the token any more: the abandoned wait did not go on to refresh it.
    expect(refreshes() - before).toBe(0);
    expect(await tokens.store.get(token.id)).toEqual(token);
    // A new caller starts afresh.
    await tokens.validAccessToken(token.id);
    expect(refreshes() - before).toBe(1);
  });

  it('regression: a caller arriving after every earlier caller aborted the shared refresh gets its own refresh, not their abort reason', async () => {
    /** Holds the next `get` until `open()`: keeps the abandoned refresh from settling. */
    class GatedStore extends MemoryTokenStore {
      holdNext = false;
      #open: (() => void) | undefined;
      held = false;
      override async get(id: string): Promise<Token | undefined> {
        if (this.holdNext) {
          this.holdNext = false;
          this.held = true;
          await new Promise<void>((r) => (this.#open = r));
        }
        return super.get(id);
      }
      open(): void {
        this.#open?.();
      }
    }
    const store = new GatedStore();
    const tokens = simManager(sim, { store });
    const token = await expiredToken(tokens);
    const before = refreshes();
    const gaveUp = new AbortController();
    const a = tokens.validAccessToken(token.id, { signal: gaveUp.signal });
    // validAccessToken's own read has gone through; the shared refresh's first read will wait.
    store.holdNext = true;
    await vi.waitFor(() => expect(store.held).toBe(true));
    gaveUp.abort(new Error('the first caller gave up'));
    await expect(a).rejects.toMatchObject({
      code: 'ESIKIT_SSO_ABORTED',
      cause: new Error('the first caller gave up'),
    });
    const b = tokens.validAccessToken(token.id);
    store.open();
    const access = await b;
    expect(access).not.toBe(token.accessToken);
    expect(refreshes() - before).toBe(1);
    expect((await store.get(token.id))?.accessToken).toBe(access);
  });

  it('honours an aborted signal', async () => {
    const tokens = simManager(sim);
    const token = await expiredToken(tokens);
    const signal = AbortSignal.abort(new Error('caller gave up'));
    await expect(tokens.validAccessToken(token.id, { signal })).rejects.toMatchObject({
      code: 'ESIKIT_SSO_ABORTED',
      cause: new Error('caller gave up'),
    });
    const gate = new SsoGate();
    const gated = simManager(sim, { store: tokens.store, sso: simSso(sim, { fetch: gate.fetch }) });
    const held = gate.hold('/v2/oauth/token', 'before');
    const controller = new AbortController();
    const call = gated.validAccessToken(token.id, { signal: controller.signal });
    await held.arrived;
    controller.abort(new Error('gave up while SSO was slow'));
    await expect(call).rejects.toMatchObject({
      code: 'ESIKIT_SSO_ABORTED',
      cause: new Error('gave up while SSO was slow'),
    });
    held.release();
  });
});
