import assert from 'node:assert/strict';
import type { CallbackRedirect, TokenStore } from '../store.js';
import type { NewToken } from '../token.js';

/** The parts of a test framework the contract needs (vitest, node:test, jest all fit). */
export interface ContractHarness {
  describe(name: string, fn: () => void): void;
  it(name: string, fn: () => Promise<void>): void;
  beforeEach(fn: () => Promise<void> | void): void;
  afterEach(fn: () => Promise<void> | void): void;
}

/** Makes a fresh, empty store per test; `close` (optional) runs after the test. */
export type StoreFactory = () => Promise<{ store: TokenStore; close?: () => Promise<void> }>;

const T0 = Date.UTC(2026, 0, 1);

/** A plausible token for tests; override any field. */
export function sampleToken(overrides: Partial<NewToken> = {}): NewToken {
  return {
    accessToken: 'access-' + Math.random().toString(36).slice(2),
    refreshToken: 'refresh-' + Math.random().toString(36).slice(2),
    characterId: 2112625428,
    characterName: 'Ünïcode Pilot',
    tokenType: 'Bearer',
    ownerHash: 'owner-a',
    ssoVersion: 2,
    userId: undefined,
    scopes: ['esi-skills.read_skills.v1', 'publicData'],
    expiresAt: T0 + 20 * 60_000,
    ...overrides,
  };
}

/**
 * The behaviour every {@link TokenStore} must have. Run it from a test file:
 *
 * @example
 * import { describe, it, beforeEach, afterEach } from 'vitest';
 * tokenStoreContract('MemoryTokenStore', { describe, it, beforeEach, afterEach },
 *   async () => ({ store: new MemoryTokenStore() }));
 */
export function tokenStoreContract(name: string, t: ContractHarness, factory: StoreFactory): void {
  t.describe(`TokenStore contract: ${name}`, () => {
    let store!: TokenStore;
    let close: (() => Promise<void>) | undefined;
    t.beforeEach(async () => {
      ({ store, close } = await factory());
    });
    t.afterEach(async () => {
      await close?.();
    });

    t.it('create assigns id, version 1 and timestamps, and get returns the same data', async () => {
      const input = sampleToken({ characterId: 2_200_000_001, userId: 'u1' });
      const created = await store.create(input, T0);
      assert.equal(typeof created.id, 'string');
      assert.equal(created.version, 1);
      assert.equal(created.created, T0);
      assert.equal(created.updated, T0);
      assert.deepEqual({ ...(await store.get(created.id)) }, { ...created });
      const { id: _id, created: _c, updated: _u, version: _v, ...rest } = created;
      assert.deepEqual(
        { ...rest, scopes: [...rest.scopes] },
        { ...input, scopes: [...input.scopes] },
      );
      const other = await store.create(sampleToken(), T0);
      assert.notEqual(other.id, created.id);
    });

    t.it('get of an unknown id is undefined', async () => {
      assert.equal(await store.get('no-such-token'), undefined);
    });

    t.it('keeps a token without refresh token or user as undefined fields', async () => {
      const created = await store.create(
        sampleToken({ refreshToken: undefined, userId: undefined }),
        T0,
      );
      const got = await store.get(created.id);
      assert.equal(got?.refreshToken, undefined);
      assert.equal(got?.userId, undefined);
    });

    t.it('update with the current version applies changes and bumps the version', async () => {
      const created = await store.create(sampleToken(), T0);
      const updated = await store.update(
        created.id,
        1,
        { accessToken: 'new-access', expiresAt: T0 + 1 },
        T0 + 5,
      );
      assert.ok(updated);
      assert.equal(updated.version, 2);
      assert.equal(updated.accessToken, 'new-access');
      assert.equal(updated.expiresAt, T0 + 1);
      assert.equal(updated.updated, T0 + 5);
      assert.equal(updated.created, T0);
      assert.equal(updated.refreshToken, created.refreshToken);
      assert.deepEqual({ ...(await store.get(created.id)) }, { ...updated });
    });

    t.it('update with a stale version changes nothing and returns undefined', async () => {
      const created = await store.create(sampleToken(), T0);
      assert.ok(await store.update(created.id, 1, { accessToken: 'first' }, T0));
      assert.equal(await store.update(created.id, 1, { accessToken: 'second' }, T0), undefined);
      const got = await store.get(created.id);
      assert.equal(got?.accessToken, 'first');
      assert.equal(got?.version, 2);
      assert.equal(await store.update('no-such-token', 1, { accessToken: 'x' }, T0), undefined);
    });

    t.it('update can set and clear refreshToken, userId and scopes', async () => {
      const created = await store.create(sampleToken({ userId: 'u1' }), T0);
      const a = await store.update(
        created.id,
        1,
        { refreshToken: undefined, userId: undefined, scopes: ['publicData'] },
        T0,
      );
      assert.equal(a?.refreshToken, undefined);
      assert.equal(a?.userId, undefined);
      assert.deepEqual([...(a?.scopes ?? [])], ['publicData']);
      const b = await store.update(created.id, 2, { refreshToken: 'r2', userId: 'u2' }, T0);
      const got = await store.get(created.id);
      assert.equal(got?.refreshToken, 'r2');
      assert.equal(got?.userId, 'u2');
      assert.equal(b?.version, 3);
    });

    t.it('concurrent updates on one version: exactly one wins', async () => {
      const created = await store.create(sampleToken(), T0);
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          store.update(created.id, 1, { accessToken: `w${i}` }, T0),
        ),
      );
      const winners = results.filter((r) => r !== undefined);
      assert.equal(winners.length, 1);
      assert.equal((await store.get(created.id))?.accessToken, winners[0]?.accessToken);
    });

    t.it('delete honours the expected version', async () => {
      const created = await store.create(sampleToken(), T0);
      assert.equal(await store.delete(created.id, 2), false);
      assert.ok(await store.get(created.id));
      assert.equal(await store.delete(created.id, 1), true);
      assert.equal(await store.get(created.id), undefined);
      assert.equal(await store.delete(created.id), false);
      const other = await store.create(sampleToken(), T0);
      assert.equal(await store.delete(other.id), true);
      assert.deepEqual(await store.find({}), []);
    });

    // The token model fences refreshes with these two: a client whose lease lapsed must never
    // delete what another wrote, nor write back a token that was deleted.
    t.it(
      'a delete and an update on one version: exactly one wins, and nothing revives a deleted token',
      async () => {
        for (let i = 0; i < 10; i++) {
          const created = await store.create(sampleToken(), T0);
          const [deleted, updated] = await Promise.all([
            store.delete(created.id, 1),
            store.update(created.id, 1, { accessToken: `w${i}` }, T0),
          ]);
          assert.equal(deleted, updated === undefined, 'exactly one of delete and update wins');
          const got = await store.get(created.id);
          if (deleted) {
            assert.equal(got, undefined);
            for (let v = 1; v <= 3; v++)
              assert.equal(
                await store.update(created.id, v, { accessToken: 'late' }, T0),
                undefined,
              );
            assert.equal(await store.get(created.id), undefined);
          } else {
            assert.equal(got?.version, 2);
          }
        }
      },
    );

    t.it('find filters by character, user, owner, scopes and expiry, oldest first', async () => {
      const a = await store.create(
        sampleToken({ characterId: 1, userId: 'u1', scopes: ['a', 'b'], expiresAt: T0 + 10 }),
        T0,
      );
      const b = await store.create(
        sampleToken({ characterId: 1, userId: undefined, scopes: ['a'], expiresAt: T0 + 20 }),
        T0 + 1,
      );
      const c = await store.create(
        sampleToken({
          characterId: 2,
          userId: 'u1',
          ownerHash: 'owner-b',
          scopes: ['a', 'b', 'c'],
          expiresAt: T0 + 30,
        }),
        T0 + 2,
      );
      const ids = async (f: Parameters<TokenStore['find']>[0]) =>
        (await store.find(f)).map((x) => x.id);
      assert.deepEqual(await ids({}), [a.id, b.id, c.id]);
      assert.deepEqual(await ids({ characterId: 1 }), [a.id, b.id]);
      assert.deepEqual(await ids({ userId: 'u1' }), [a.id, c.id]);
      assert.deepEqual(await ids({ userId: null }), [b.id]);
      assert.deepEqual(await ids({ ownerHash: 'owner-b' }), [c.id]);
      assert.deepEqual(await ids({ requireScopes: ['a', 'b'] }), [a.id, c.id]);
      assert.deepEqual(await ids({ requireScopes: [] }), [a.id, b.id, c.id]);
      assert.deepEqual(await ids({ requireScopesExact: ['a', 'b'] }), [a.id]);
      assert.deepEqual(await ids({ requireScopesExact: ['a'] }), [b.id]);
      assert.deepEqual(await ids({ expiredAt: T0 + 20 }), [a.id, b.id]);
      assert.deepEqual(await ids({ validAt: T0 + 20 }), [c.id]);
      assert.deepEqual(await ids({ characterId: 1, requireScopes: ['b'], expiredAt: T0 + 100 }), [
        a.id,
      ]);
      assert.deepEqual(await ids({ characterId: 3 }), []);
    });

    t.it(
      'refresh lease: one holder at a time, not re-entrant, renewed and released only by its holder',
      async () => {
        assert.equal(await store.acquireLease('refresh:1', 'A', 10_000), true);
        assert.equal(await store.acquireLease('refresh:1', 'B', 10_000), false);
        // Not re-entrant: two flights sharing a holder id must not both get the lease.
        assert.equal(await store.acquireLease('refresh:1', 'A', 10_000), false);
        assert.equal(await store.renewLease('refresh:1', 'A', 10_000), true);
        assert.equal(await store.renewLease('refresh:1', 'B', 10_000), false);
        assert.equal(await store.acquireLease('refresh:2', 'B', 10_000), true);
        await store.releaseLease('refresh:1', 'B');
        assert.equal(await store.acquireLease('refresh:1', 'B', 10_000), false);
        await store.releaseLease('refresh:1', 'A');
        assert.equal(await store.acquireLease('refresh:1', 'B', 10_000), true);
      },
    );

    // Lease ttls are real time (a Redis PX, a database timestamp): these two tests only ever
    // wait longer than needed, so a slow machine cannot make them fail.
    t.it('refresh lease expires after its ttl', async () => {
      assert.equal(await store.acquireLease('refresh:9', 'A', 40), true);
      await new Promise((r) => setTimeout(r, 120));
      // An expired lease cannot be renewed: its holder must look again before calling SSO.
      assert.equal(await store.renewLease('refresh:9', 'A', 10_000), false);
      assert.equal(await store.acquireLease('refresh:9', 'B', 10_000), true);
    });

    t.it('renewLease extends the lease past its first ttl', async () => {
      assert.equal(await store.acquireLease('refresh:8', 'A', 1_000), true);
      assert.equal(await store.renewLease('refresh:8', 'A', 60_000), true);
      await new Promise((r) => setTimeout(r, 1_200));
      assert.equal(await store.acquireLease('refresh:8', 'B', 10_000), false);
    });

    t.it('concurrent lease attempts: exactly one holder wins', async () => {
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => store.acquireLease('refresh:race', `h${i}`, 10_000)),
      );
      assert.equal(results.filter(Boolean).length, 1);
    });

    const redirect = (state: string, created: number): CallbackRedirect => ({
      state,
      sessionKey: 'session-1',
      returnUrl: '/back',
      codeVerifier: state.endsWith('p') ? 'verifier-' + state : undefined,
      scopes: ['publicData'],
      userId: undefined,
      created,
    });

    t.it('callback redirects are taken once', async () => {
      const saved = redirect('state-aaaaaaaaaaaap', T0);
      await store.saveCallbackRedirect(saved);
      const got = await store.takeCallbackRedirect(saved.state);
      assert.deepEqual(
        { ...got, scopes: [...(got?.scopes ?? [])] },
        { ...saved, scopes: [...saved.scopes] },
      );
      assert.equal(await store.takeCallbackRedirect(saved.state), undefined);
      await store.saveCallbackRedirect(redirect('state-race', T0));
      const takes = await Promise.all(
        Array.from({ length: 10 }, () => store.takeCallbackRedirect('state-race')),
      );
      assert.equal(takes.filter((x) => x !== undefined).length, 1);
    });

    t.it('deleteCallbackRedirectsBefore removes only older logins', async () => {
      await store.saveCallbackRedirect(redirect('old-1', T0));
      await store.saveCallbackRedirect(redirect('old-2', T0 + 10));
      await store.saveCallbackRedirect(redirect('new-1', T0 + 20));
      assert.equal(await store.deleteCallbackRedirectsBefore(T0 + 20), 2);
      assert.equal(await store.takeCallbackRedirect('old-1'), undefined);
      assert.equal((await store.takeCallbackRedirect('new-1'))?.state, 'new-1');
      assert.equal(await store.deleteCallbackRedirectsBefore(T0 + 1000), 0);
    });

    t.it('rejects calls with an aborted signal', async () => {
      const signal = AbortSignal.abort(new Error('stop'));
      await assert.rejects(store.get('1', { signal }), /stop/);
      await assert.rejects(store.create(sampleToken(), T0, { signal }), /stop/);
      assert.deepEqual(await store.find({}), []);
    });
  });
}
