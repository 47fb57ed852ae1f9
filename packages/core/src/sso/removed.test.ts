// onTokenRemoved: told once per token core actually deletes, with the reason and the token's
// identity but never its secrets, on every path that deletes; never for a fenced delete that
// deleted nothing; a failing listener is logged and changes nothing else.
import type { Simulator } from '@esikit/simulator';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SsoInvalidGrantError, SsoOptionError } from './errors.js';
import { completeLogin, importRefreshToken, startLogin } from './login.js';
import type { TokenManager } from './manager.js';
import { MemoryTokenStore } from './memory-store.js';
import type { TokenRemovedEvent } from './removals.js';
import type { StoreCallOptions } from './store.js';
import { followAuthorize, simManager, simSso, SsoGate, startSim } from './testing/sim-fixture.js';
import { deferred, LapsedLeaseStore } from './testing/stores.js';
import type { Token } from './token.js';

let sim: Simulator;
const SKILLS = 'esi-skills.read_skills.v1';
const WALLET = 'esi-wallet.read_character_wallet.v1';

beforeAll(async () => {
  sim = await startSim();
});
afterAll(async () => {
  await sim?.close();
});
beforeEach(() => {
  sim.sso.setFaults({});
});

/** A manager whose removals land in `events`, and whose logger's warnings in `warnings`. */
function watched(
  options: Parameters<typeof simManager>[1] = {},
  listener?: (e: TokenRemovedEvent) => void | Promise<void>,
) {
  const events: TokenRemovedEvent[] = [];
  const warnings: { message: string; details: unknown }[] = [];
  const tokens = simManager(sim, {
    onTokenRemoved: (e) => {
      events.push(e);
      return listener?.(e);
    },
    logger: { warn: (message, details) => warnings.push({ message, details }) },
    ...options,
  });
  return { tokens, events, warnings };
}

async function expiredToken(
  tokens: TokenManager,
  characterIndex = 0,
  userId: string | null = 'user-1',
): Promise<Token> {
  const issued = await sim.issueTokens({
    characterId: sim.characters[characterIndex]!.id,
    scopes: [SKILLS],
  });
  const token = await importRefreshToken(tokens, issued.refresh_token, userId ? { userId } : {});
  sim.clock.advance(21 * 60_000);
  return token;
}

/** Logs the seller in through the simulated SSO with `scopes`; returns the stored token. */
function loginAs(tokens: TokenManager) {
  return async (scopes: string[]): Promise<Token> => {
    const { url } = await startLogin(tokens, { sessionKey: 's', scopes, userId: 'seller' });
    return (await completeLogin(tokens, { sessionKey: 's', callback: await followAuthorize(url) }))
      .token;
  };
}

/** What the event must say about `token`, and nothing secret. */
function expectIdentity(event: TokenRemovedEvent | undefined, token: Token, reason: string) {
  expect(event).toEqual({
    reason,
    tokenId: token.id,
    userId: token.userId,
    characterId: token.characterId,
    characterName: token.characterName,
    ownerHash: token.ownerHash,
    scopes: token.scopes,
  });
  const json = JSON.stringify(event);
  expect(json).not.toContain(token.accessToken);
  expect(json).not.toContain(token.refreshToken!);
}

describe('onTokenRemoved, once per deletion with its reason', () => {
  it("invalid_grant in a normal request's refresh: told before the SsoInvalidGrantError reaches the caller", async () => {
    let deletedWhenTold: boolean | undefined;
    const { tokens, events } = watched({}, async (e) => {
      deletedWhenTold = (await tokens.store.get(e.tokenId)) === undefined;
    });
    const token = await expiredToken(tokens);
    await tokens.sso.revoke(token.refreshToken!);
    await expect(tokens.validAccessToken(token.id)).rejects.toBeInstanceOf(SsoInvalidGrantError);
    expect(events).toHaveLength(1);
    expectIdentity(events[0], token, 'invalid_grant');
    expect(deletedWhenTold).toBe(true);
  });

  it('invalid_grant in bulk jobs (refreshOrDeleteExpired) and refreshOrDelete: one event per dead token, none for live ones', async () => {
    const { tokens, events } = watched();
    const dead1 = await expiredToken(tokens, 0);
    const dead2 = await expiredToken(tokens, 1);
    const live = await expiredToken(tokens, 2);
    await tokens.sso.revoke(dead1.refreshToken!);
    await tokens.sso.revoke(dead2.refreshToken!);
    const result = await tokens.refreshOrDeleteExpired();
    expect(result.deleted.sort()).toEqual([dead1.id, dead2.id].sort());
    expect(events.map((e) => [e.reason, e.tokenId]).sort()).toEqual(
      [
        ['invalid_grant', dead1.id],
        ['invalid_grant', dead2.id],
      ].sort(),
    );
    expect(events.some((e) => e.tokenId === live.id)).toBe(false);

    const dead3 = await expiredToken(tokens, 3, null);
    await tokens.sso.revoke(dead3.refreshToken!);
    expect(await tokens.refreshOrDelete(dead3.id)).toBeUndefined();
    expect(events).toHaveLength(3);
    expectIdentity(events[2], dead3, 'invalid_grant');
    expect(events[2]!.userId).toBeUndefined();
  });

  it('20 callers on two managers sharing a store, one dead token: one deletion, one event', async () => {
    const store = new MemoryTokenStore();
    const a = watched({ store });
    const b = watched({ store, sso: simSso(sim) });
    const token = await expiredToken(a.tokens);
    await a.tokens.sso.revoke(token.refreshToken!);
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).tokens.validAccessToken(token.id)),
    );
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    expect([...a.events, ...b.events]).toHaveLength(1);
    expect([...a.events, ...b.events][0]?.reason).toBe('invalid_grant');
  });

  it("revoke(): reason 'revoked'", async () => {
    const { tokens, events } = watched();
    const token = await expiredToken(tokens);
    await tokens.revoke(token.id);
    expect(events).toHaveLength(1);
    expectIdentity(events[0], token, 'revoked');
  });

  it("a login that finds the character on another account: 'owner_changed' for each of the previous owner's tokens", async () => {
    const { tokens, events } = watched();
    const character = sim.characters[4]!;
    sim.sso.setAutoConsent(character.id);
    const login = loginAs(tokens);
    const old1 = await login([SKILLS]);
    const old2 = await login([WALLET]);
    expect(events).toEqual([]);
    sim.sso.transferCharacter(character.id);
    await login([SKILLS]);
    expect(events).toHaveLength(2);
    expectIdentity(
      events.find((e) => e.tokenId === old1.id),
      old1,
      'owner_changed',
    );
    expectIdentity(
      events.find((e) => e.tokenId === old2.id),
      old2,
      'owner_changed',
    );
  });

  it("owner_changed is fenced: a token changed between the login's read and its delete is read again, then deleted and told once; one deleted meanwhile is not told", async () => {
    const character = sim.characters[6]!;
    sim.sso.setAutoConsent(character.id);
    // Before the login's fenced delete of `victim` runs, `meanwhile` changes the store.
    let meanwhile: ((store: MemoryTokenStore, id: string) => Promise<void>) | undefined;
    let stubborn = false;
    class RacingStore extends MemoryTokenStore {
      override async delete(id: string, expectedVersion?: number, o?: StoreCallOptions) {
        const act = meanwhile;
        if (!stubborn) meanwhile = undefined;
        if (act && expectedVersion !== undefined) await act(this, id);
        return super.delete(id, expectedVersion, o);
      }
    }
    const store = new RacingStore();
    const { tokens, events } = watched({ store });
    const login = loginAs(tokens);
    const old = await login([SKILLS]);
    sim.sso.transferCharacter(character.id);
    // A refresh of the seller's token lands first: version 2, a new access token.
    meanwhile = async (st, id) => {
      const t = (await st.get(id))!;
      await st.update(id, t.version, { accessToken: 'refreshed-meanwhile' }, sim.clock.now());
    };
    await login([SKILLS]);
    expect(await store.get(old.id)).toBeUndefined();
    expect(events).toHaveLength(1);
    expectIdentity(events[0], { ...old, accessToken: 'refreshed-meanwhile' }, 'owner_changed');

    // The next sale: of the old owner's two tokens, the first is deleted by someone else
    // first (their own revoke, told on its own path); the other is deleted here.
    const first = (await store.find({ characterId: character.id }))[0]!;
    const second = await login([WALLET]);
    sim.sso.transferCharacter(character.id);
    let gone: string | undefined;
    meanwhile = async (st, id) => {
      gone = id;
      await st.delete(id);
    };
    events.length = 0;
    await login([WALLET]);
    expect(gone).toBe(first.id);
    expect(await store.get(first.id)).toBeUndefined();
    expect(await store.get(second.id)).toBeUndefined();
    expect(events.map((e) => e.tokenId)).toEqual([second.id]);

    // A token that keeps changing under every fenced delete: the login fails, naming the
    // conflict, rather than keep the former owner's token beside the new owner's.
    const third = await login([SKILLS]);
    sim.sso.transferCharacter(character.id);
    stubborn = true;
    meanwhile = async (st, id) => {
      const t = (await st.get(id))!;
      await st.update(id, t.version, { accessToken: `again-${t.version}` }, sim.clock.now());
    };
    events.length = 0;
    await expect(login([SKILLS])).rejects.toMatchObject({ code: 'ESIKIT_TOKEN_CONFLICT' });
    expect(await store.get(third.id)).toBeDefined();
    expect(events).toEqual([]);
  });

  it('regression: a fenced delete after invalid_grant that finds a newer token deletes nothing and tells no one', async () => {
    // Both believe they hold the lease. B's refresh rotates at SSO, its answer held; A sends the
    // refresh token B used, hears invalid_grant and deletes — held until B has written.
    const store = new HeldDeleteStore(new MemoryTokenStore());
    const gate = new SsoGate();
    const a = watched({ store });
    const b = watched({ store, sso: simSso(sim, { fetch: gate.fetch }) });
    const token = await expiredToken(a.tokens);
    await a.tokens.sso.metadata();
    const held = gate.hold('/v2/oauth/token', 'after');
    const bCall = b.tokens.validAccessToken(token.id);
    await held.arrived;
    const aCall = a.tokens.validAccessToken(token.id);
    await store.called.promise;
    held.release();
    const bAccess = await bCall;
    store.go.resolve();
    expect(await aCall).toBe(bAccess);
    expect(store.deleted).toEqual([false]);
    expect((await store.get(token.id))?.accessToken).toBe(bAccess);
    expect([...a.events, ...b.events]).toEqual([]);
  });
});

describe('a failing onTokenRemoved listener', () => {
  it("is logged (no secret in the log) and changes nothing: the caller still gets SSO's answer, the token stays deleted", async () => {
    const { tokens, events, warnings } = watched({}, () => {
      throw new Error('flagging failed');
    });
    const token = await expiredToken(tokens);
    await tokens.sso.revoke(token.refreshToken!);
    await expect(tokens.validAccessToken(token.id)).rejects.toBeInstanceOf(SsoInvalidGrantError);
    expect(events).toHaveLength(1);
    expect(await tokens.store.get(token.id)).toBeUndefined();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toMatch(/onTokenRemoved listener failed/);
    expect(warnings[0]!.details).toMatchObject({
      tokenId: token.id,
      reason: 'invalid_grant',
      error: 'Error: flagging failed',
    });
    expect(JSON.stringify(warnings)).not.toContain(token.refreshToken!);
  });

  it('that rejects: revoke() resolves, a bulk refresh reports the token deleted, not failed', async () => {
    const { tokens, events, warnings } = watched({}, () =>
      Promise.reject(new Error('database down')),
    );
    const revoked = await expiredToken(tokens, 0);
    await tokens.revoke(revoked.id);
    expect(await tokens.store.get(revoked.id)).toBeUndefined();
    const dead = await expiredToken(tokens, 1);
    const live = await expiredToken(tokens, 2);
    await tokens.sso.revoke(dead.refreshToken!);
    const result = await tokens.bulkRefresh([dead, live]);
    expect(result.deleted).toEqual([dead.id]);
    expect(result.failed).toEqual([]);
    expect(result.refreshed.map((t) => t.id)).toEqual([live.id]);
    expect(events.map((e) => e.reason)).toEqual(['revoked', 'invalid_grant']);
    expect(warnings).toHaveLength(2);
  });

  it('whose logger throws too: still changes nothing', async () => {
    const tokens = simManager(sim, {
      onTokenRemoved: () => {
        throw new Error('listener');
      },
      logger: {
        warn: () => {
          throw new Error('logger');
        },
      },
    });
    const token = await expiredToken(tokens);
    await expect(tokens.revoke(token.id)).resolves.toBeUndefined();
    expect(await tokens.store.get(token.id)).toBeUndefined();
  });
});

it('onTokenRemoved and logger are validated, naming the option', () => {
  expect(() => simManager(sim, { onTokenRemoved: 'yes' as never })).toThrow(SsoOptionError);
  expect(() => simManager(sim, { onTokenRemoved: 'yes' as never })).toThrow(/onTokenRemoved/);
  expect(() => simManager(sim, { logger: {} as never })).toThrow(/logger must have a warn/);
});

/** Holds the first versioned delete until `go` resolves, and records what each delete did. */
class HeldDeleteStore extends LapsedLeaseStore {
  readonly called = deferred();
  readonly go = deferred();
  readonly deleted: boolean[] = [];
  #held = false;
  override async delete(id: string, expectedVersion?: number, o?: StoreCallOptions) {
    if (!this.#held && expectedVersion !== undefined) {
      this.#held = true;
      this.called.resolve();
      await this.go.promise;
    }
    const done = await super.delete(id, expectedVersion, o);
    this.deleted.push(done);
    return done;
  }
}
