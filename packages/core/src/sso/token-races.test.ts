// Races between refresh, revoke and store writes, put in a chosen order by holding SSO requests
// (SsoGate) and store calls (deferred promises) — no real-time margins — and run against every
// store: memory, encrypted memory and Redis.
import type { Simulator } from '@esikit/simulator';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SsoInvalidGrantError, TokenError } from './errors.js';
import { importRefreshToken } from './login.js';
import type { TokenManager } from './manager.js';
import type { StoreCallOptions, TokenStore } from './store.js';
import { simManager, simSso, SsoGate, startSim } from './testing/sim-fixture.js';
import {
  deferred,
  DelegatingStore,
  LapsedLeaseStore,
  LeaseWatchStore,
  storeVariants,
} from './testing/stores.js';
import type { Token, TokenChanges } from './token.js';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSim();
});
afterAll(async () => {
  await sim?.close();
});

const SKILLS = 'esi-skills.read_skills.v1';
const grantErrors = () => sim.sso.stats().tokenErrors.invalid_grant ?? 0;
const revocations = () => sim.sso.stats().revocations;
const refreshes = () => sim.sso.stats().refreshes;

async function expiredToken(tokens: TokenManager): Promise<Token> {
  const issued = await sim.issueTokens({ characterId: sim.characters[0]!.id, scopes: [SKILLS] });
  const token = await importRefreshToken(tokens, issued.refresh_token);
  sim.clock.advance(21 * 60_000);
  return token;
}

/** Settles a promise into a value or an error, so a test can look at both. */
function settle<T>(p: Promise<T>): Promise<{ value?: T; error?: unknown }> {
  return p.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
}

/** The first update commits, then fails as if the acknowledgement was lost on the way back. */
class LostAckStore extends DelegatingStore {
  lost = 0;
  override async update(
    id: string,
    expectedVersion: number,
    changes: TokenChanges,
    now: number,
    o?: StoreCallOptions,
  ) {
    const result = await super.update(id, expectedVersion, changes, now, o);
    if (this.lost++ === 0) throw new Error('connection reset after the write was committed');
    return result;
  }
}

/** Holds the first versioned delete until `go` resolves. */
class HeldDeleteStore extends LapsedLeaseStore {
  readonly called = deferred();
  readonly go = deferred();
  #held = false;
  override async delete(id: string, expectedVersion?: number, o?: StoreCallOptions) {
    if (!this.#held && expectedVersion !== undefined) {
      this.#held = true;
      this.called.resolve();
      await this.go.promise;
    }
    return super.delete(id, expectedVersion, o);
  }
}

const variants = await storeVariants();

describe.each(variants)('token races on $name', (variant) => {
  if (variant.skip !== undefined) {
    // eslint-disable-next-line no-console -- a skipped store must be seen in the test output
    console.warn(`WARNING: token races on ${variant.name} SKIPPED — ${variant.skip}`);
    it.skip(`SKIPPED: ${variant.skip}`, () => {});
    return;
  }
  let inner: TokenStore;
  let close: () => Promise<void>;
  beforeEach(async () => {
    sim.sso.setFaults({});
    ({ store: inner, close } = await variant.make());
  });
  afterEach(async () => {
    await close();
  });

  it.each([
    ['the same manager', false],
    ['another manager sharing the store', true],
  ])(
    'regression: revoke() during an in-flight refresh (from %s) revokes what the refresh produced, and the token stays gone',
    async (_, otherManager) => {
      const store = new LeaseWatchStore(inner);
      const gate = new SsoGate();
      const a = simManager(sim, { store, sso: simSso(sim, { fetch: gate.fetch }) });
      const b = otherManager ? simManager(sim, { store, sso: simSso(sim) }) : a;
      const token = await expiredToken(a);
      await b.sso.metadata();
      // SSO rotates the refresh token at once; the answer is held until released.
      const held = gate.hold('/v2/oauth/token', 'after');
      const refreshing = settle(a.validAccessToken(token.id));
      await held.arrived;
      const before = revocations();
      const revoking = settle(b.revoke(token.id));
      // Whatever revoke() can do without the refresh's answer, it has done: either it is
      // waiting for the refresh lease, or it has finished.
      await Promise.race([store.refused.promise, revoking]);
      held.release();
      const [refreshed, revoked] = await Promise.all([refreshing, revoking]);
      expect(revoked.error).toBeUndefined();
      // The consent SSO holds now (the rotated refresh token) was revoked, not the dead one.
      expect(revocations() - before).toBe(1);
      expect(await store.get(token.id)).toBeUndefined();
      expect(refreshed.error).toBeUndefined();
      await expect(sim.sso.verifyAccessToken(refreshed.value!)).rejects.toMatchObject({
        reason: 'revoked',
      });
      // Nothing brings it back.
      await expect(a.validAccessToken(token.id)).rejects.toMatchObject({
        code: 'ESIKIT_TOKEN_NOT_FOUND',
      });
      for (let v = 1; v <= 4; v++)
        expect(await store.update(token.id, v, { accessToken: 'x' }, sim.clock.now())).toBe(
          undefined,
        );
      expect(await store.get(token.id)).toBeUndefined();
    },
  );

  it('while one client waits for the answer to a rotation SSO already did, another waits for the lease and sends nothing', async () => {
    const store = new LeaseWatchStore(inner);
    const gate = new SsoGate();
    const a = simManager(sim, { store, sso: simSso(sim, { fetch: gate.fetch }) });
    const b = simManager(sim, { store, sso: simSso(sim) });
    const token = await expiredToken(a);
    const held = gate.hold('/v2/oauth/token', 'after');
    const before = refreshes();
    const errors = grantErrors();
    const first = a.validAccessToken(token.id);
    await held.arrived;
    const second = b.validAccessToken(token.id);
    await store.refused.promise;
    held.release();
    const [x, y] = await Promise.all([first, second]);
    expect(refreshes() - before).toBe(1);
    expect(grantErrors() - errors).toBe(0);
    expect(y).toBe(x);
    expect((await store.get(token.id))?.accessToken).toBe(x);
  });

  it('regression: a refresh whose store write committed but whose acknowledgement was lost hands out the fresh token, not a conflict', async () => {
    const store = new LostAckStore(inner);
    const tokens = simManager(sim, { store });
    const token = await expiredToken(tokens);
    const before = refreshes();
    const access = await tokens.validAccessToken(token.id);
    expect(store.lost).toBeGreaterThanOrEqual(1);
    expect(refreshes() - before).toBe(1);
    const stored = await store.get(token.id);
    expect(stored?.accessToken).toBe(access);
    expect(stored?.refreshToken).not.toBe(token.refreshToken);
    expect(access).not.toBe(token.accessToken);
  });

  it('a stale invalid_grant after a lapsed lease does not delete the token another client refreshed meanwhile', async () => {
    // Both clients believe they hold the lease; A's request is held before it reaches SSO.
    const store = new LapsedLeaseStore(inner);
    const gate = new SsoGate();
    const a = simManager(sim, { store, sso: simSso(sim, { fetch: gate.fetch }) });
    const b = simManager(sim, { store, sso: simSso(sim) });
    const token = await expiredToken(a);
    const held = gate.hold('/v2/oauth/token', 'before');
    const aCall = settle(a.validAccessToken(token.id));
    await held.arrived;
    const errors = grantErrors();
    const bAccess = await b.validAccessToken(token.id);
    // Now A's request reaches SSO with the refresh token B already used: invalid_grant.
    held.release();
    const aResult = await aCall;
    expect(grantErrors() - errors).toBe(1);
    expect(aResult.error).toBeUndefined();
    expect(aResult.value).toBe(bAccess);
    expect((await store.get(token.id))?.accessToken).toBe(bAccess);
  });

  it("the delete after invalid_grant is the store's compare-and-set: a refresh written between the re-read and the delete survives", async () => {
    const store = new HeldDeleteStore(inner);
    const gate = new SsoGate();
    const a = simManager(sim, { store, sso: simSso(sim) });
    const b = simManager(sim, { store, sso: simSso(sim, { fetch: gate.fetch }) });
    const token = await expiredToken(a);
    await a.sso.metadata();
    // B's refresh rotates at SSO; its answer (and so its write) is held.
    const held = gate.hold('/v2/oauth/token', 'after');
    const bCall = b.validAccessToken(token.id);
    await held.arrived;
    // A sends the now dead refresh token, reads the store (still the refused one) and deletes —
    // held just before the delete reaches the store.
    const aCall = settle(a.validAccessToken(token.id));
    await store.called.promise;
    held.release();
    const bAccess = await bCall;
    store.go.resolve();
    const aResult = await aCall;
    expect(aResult.error).toBeUndefined();
    expect(aResult.value).toBe(bAccess);
    expect((await store.get(token.id))?.accessToken).toBe(bAccess);
  });

  it('regression: a refresh never overwrites a newer write (a new login of the character): it hands out the newer token and revokes the refresh token it got', async () => {
    const gate = new SsoGate();
    const a = simManager(sim, { store: inner, sso: simSso(sim, { fetch: gate.fetch }) });
    const token = await expiredToken(a);
    const held = gate.hold('/v2/oauth/token', 'after');
    const aCall = settle(a.validAccessToken(token.id));
    await held.arrived;
    // The user logs in again meanwhile: the equivalent token is updated with the new grant.
    const issued = await sim.issueTokens({ characterId: token.characterId, scopes: [SKILLS] });
    const relogged = await importRefreshToken(
      simManager(sim, { store: inner }),
      issued.refresh_token,
    );
    expect(relogged.id).toBe(token.id);
    const before = revocations();
    held.release();
    const aResult = await aCall;
    expect(aResult.error).toBeUndefined();
    expect(aResult.value).toBe(relogged.accessToken);
    const stored = await inner.get(token.id);
    expect(stored?.accessToken).toBe(relogged.accessToken);
    expect(stored?.refreshToken).toBe(relogged.refreshToken);
    // The old grant, rotated by the refresh no one will store, is revoked; the new one lives.
    expect(revocations() - before).toBe(1);
    await expect(sim.sso.verifyAccessToken(relogged.accessToken)).resolves.toBeTruthy();
  });

  it('regression: an expired lease holder whose token was deleted meanwhile does not bring it back, and revokes the refresh token it got', async () => {
    // A's refresh rotates at SSO (answer held); its lease lapses and B, sending the refresh
    // token A already used, hears invalid_grant while the store still holds it: B deletes.
    const store = new LapsedLeaseStore(inner);
    const gate = new SsoGate();
    const a = simManager(sim, { store, sso: simSso(sim, { fetch: gate.fetch }) });
    const b = simManager(sim, { store, sso: simSso(sim) });
    const token = await expiredToken(a);
    await b.sso.metadata();
    const held = gate.hold('/v2/oauth/token', 'after');
    const aCall = settle(a.validAccessToken(token.id));
    await held.arrived;
    await expect(b.validAccessToken(token.id)).rejects.toBeInstanceOf(SsoInvalidGrantError);
    expect(await store.get(token.id)).toBeUndefined();
    const before = revocations();
    held.release();
    const aResult = await aCall;
    expect(aResult.error).toBeInstanceOf(TokenError);
    expect((aResult.error as TokenError).code).toBe('ESIKIT_TOKEN_NOT_FOUND');
    expect(await store.get(token.id)).toBeUndefined();
    // The grant A's refresh token belonged to is no one's now: A revoked it.
    expect(revocations() - before).toBe(1);
  });
});
