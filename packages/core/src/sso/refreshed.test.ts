// onTokenRefresh: told once per refresh core sends to SSO — refreshed, failed (with the error's
// code; the token kept) or dead (invalid_grant; deleted) — on every path that refreshes, never
// for a caller that shared another's refresh, with the token's identity but never its secrets;
// a failing listener is logged and changes nothing else.
import type { Simulator } from '@esikit/simulator';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SsoInvalidGrantError, SsoOptionError, SsoUnavailableError } from './errors.js';
import { importRefreshToken } from './login.js';
import type { TokenManager } from './manager.js';
import { MemoryTokenStore } from './memory-store.js';
import type { TokenRefreshEvent } from './refreshes.js';
import type { StoreCallOptions } from './store.js';
import { simManager, simSso, SsoGate, startSim } from './testing/sim-fixture.js';
import { deferred, LapsedLeaseStore } from './testing/stores.js';
import type { Token } from './token.js';

let sim: Simulator;
const SKILLS = 'esi-skills.read_skills.v1';

beforeAll(async () => {
  sim = await startSim();
});
afterAll(async () => {
  await sim?.close();
});
beforeEach(() => {
  sim.sso.setFaults({});
});

/** A manager whose refresh events land in `events`, removals in `removed`, warnings in `warnings`. */
function watched(
  options: Parameters<typeof simManager>[1] = {},
  listener?: (e: TokenRefreshEvent) => void | Promise<void>,
) {
  const events: TokenRefreshEvent[] = [];
  const order: string[] = [];
  const warnings: { message: string; details: unknown }[] = [];
  const tokens = simManager(sim, {
    onTokenRefresh: (e) => {
      events.push(e);
      order.push(`refresh:${e.outcome}`);
      return listener?.(e);
    },
    onTokenRemoved: (e) => void order.push(`removed:${e.reason}`),
    logger: { warn: (message, details) => warnings.push({ message, details }) },
    ...options,
  });
  return { tokens, events, order, warnings };
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

/** What the event must say about `token`, and none of the secrets in `secretsOf`. */
function expectEvent(
  event: TokenRefreshEvent | undefined,
  token: Token,
  outcome: string,
  code: string | undefined,
  ...secretsOf: (Token | undefined)[]
) {
  expect(event).toEqual({
    outcome,
    code,
    tokenId: token.id,
    userId: token.userId,
    characterId: token.characterId,
    characterName: token.characterName,
    ownerHash: token.ownerHash,
    scopes: token.scopes,
  });
  const json = JSON.stringify(event);
  for (const t of [token, ...secretsOf]) {
    if (t === undefined) continue;
    expect(json).not.toContain(t.accessToken);
    if (t.refreshToken !== undefined) expect(json).not.toContain(t.refreshToken);
  }
}

describe('onTokenRefresh, once per refresh sent to SSO', () => {
  it("a normal request's refresh: 'refreshed', told before the caller gets the new access token; a fresh token tells nothing", async () => {
    let storedWhenTold: string | undefined;
    const { tokens, events } = watched({}, async (e) => {
      storedWhenTold = (await tokens.store.get(e.tokenId))?.accessToken;
    });
    const token = await expiredToken(tokens);
    const access = await tokens.validAccessToken(token.id);
    const stored = (await tokens.store.get(token.id))!;
    expect(events).toHaveLength(1);
    expectEvent(events[0], stored, 'refreshed', undefined, token);
    expect(storedWhenTold).toBe(access);
    // Fresh now: no SSO request, no event.
    expect(await tokens.validAccessToken(token.id)).toBe(access);
    await tokens.source(stored).getAccessToken();
    expect(events).toHaveLength(1);
  });

  it("SSO answers 5xx: 'failed' with ESIKIT_SSO_UNAVAILABLE, the token kept byte-identical", async () => {
    const { tokens, events } = watched();
    const token = await expiredToken(tokens);
    const before = await tokens.store.get(token.id);
    sim.sso.setFaults({ token: { status: 503 } });
    const failure = tokens.validAccessToken(token.id);
    await expect(failure).rejects.toBeInstanceOf(SsoUnavailableError);
    expect(events).toHaveLength(1);
    expectEvent(events[0], token, 'failed', 'ESIKIT_SSO_UNAVAILABLE');
    expect(await tokens.store.get(token.id)).toEqual(before);

    // The next attempt is a new request to SSO, and a new event.
    sim.sso.setFaults({});
    await tokens.validAccessToken(token.id);
    expect(events.map((e) => e.outcome)).toEqual(['failed', 'refreshed']);
  });

  it("invalid_grant: 'dead', after onTokenRemoved, before the caller sees SsoInvalidGrantError", async () => {
    const { tokens, events, order } = watched();
    const token = await expiredToken(tokens);
    await tokens.sso.revoke(token.refreshToken!);
    await expect(tokens.validAccessToken(token.id)).rejects.toBeInstanceOf(SsoInvalidGrantError);
    expect(events).toHaveLength(1);
    expectEvent(events[0], token, 'dead', 'ESIKIT_SSO_INVALID_GRANT');
    expect(order).toEqual(['removed:invalid_grant', 'refresh:dead']);
  });

  it('20 concurrent callers of one stale token: one refresh, one event', async () => {
    const { tokens, events } = watched();
    const token = await expiredToken(tokens);
    const access = await Promise.all(
      Array.from({ length: 20 }, () => tokens.validAccessToken(token.id)),
    );
    expect(new Set(access).size).toBe(1);
    expect(events.map((e) => e.outcome)).toEqual(['refreshed']);
  });

  it("two managers sharing a store: the one that waited on the other's lease adds no event", async () => {
    const store = new MemoryTokenStore();
    const gate = new SsoGate();
    const a = watched({ store, sso: simSso(sim, { fetch: gate.fetch }) });
    const b = watched({ store, sso: simSso(sim) });
    const token = await expiredToken(a.tokens);
    await a.tokens.sso.metadata();
    // A holds the lease with its SSO request in flight while B asks for the same token.
    const held = gate.hold('/v2/oauth/token', 'before');
    const aCall = a.tokens.validAccessToken(token.id);
    await held.arrived;
    const bCall = b.tokens.validAccessToken(token.id);
    held.release();
    expect(await bCall).toBe(await aCall);
    expect(a.events.map((e) => e.outcome)).toEqual(['refreshed']);
    expect(b.events).toEqual([]);
  });

  it('refresh() forced on a fresh token and refreshOrDelete(): one event per SSO request', async () => {
    const { tokens, events } = watched();
    const token = await expiredToken(tokens);
    expect(await tokens.refreshOrDelete(token.id)).toBeDefined();
    await tokens.refresh(token.id);
    expect(await tokens.refreshOrDelete(token.id)).toBeDefined(); // fresh: nothing sent
    expect(events.map((e) => [e.outcome, e.tokenId])).toEqual([
      ['refreshed', token.id],
      ['refreshed', token.id],
    ]);
  });

  it("bulk jobs: one event per token SSO was asked about, matching the job's result", async () => {
    const { tokens, events } = watched();
    const live1 = await expiredToken(tokens, 0);
    const live2 = await expiredToken(tokens, 1, null);
    const dead = await expiredToken(tokens, 2);
    await tokens.sso.revoke(dead.refreshToken!);
    const result = await tokens.refreshOrDeleteExpired();
    expect(result.refreshed.map((t) => t.id).sort()).toEqual([live1.id, live2.id].sort());
    expect(result.deleted).toEqual([dead.id]);
    expect(events.map((e) => `${e.outcome}:${e.tokenId}`).sort()).toEqual(
      [`refreshed:${live1.id}`, `refreshed:${live2.id}`, `dead:${dead.id}`].sort(),
    );
    expect(events.find((e) => e.tokenId === live2.id)?.userId).toBeUndefined();

    // Stale-only: a fresh token is skipped and tells nothing; with SSO down a stale one fails.
    const stale = await expiredToken(tokens, 3); // moves the clock: live1 is stale again
    await tokens.validAccessToken(live1.id);
    expect(events).toHaveLength(4);
    sim.sso.setFaults({ token: { status: 502 } });
    const second = await tokens.bulkRefresh([live1.id, stale.id]);
    sim.sso.setFaults({});
    expect(second.refreshed.map((t) => t.id)).toEqual([live1.id]);
    expect(second.failed.map((f) => f.tokenId)).toEqual([stale.id]);
    expect(events).toHaveLength(5);
    expectEvent(events[4], stale, 'failed', 'ESIKIT_SSO_UNAVAILABLE');
  });

  it('regression: a stale invalid_grant after another client refreshed is a failed request (nothing deleted), and the caller gets that refresh', async () => {
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
    expect(b.events.map((e) => e.outcome)).toEqual(['refreshed']);
    expect(a.events).toHaveLength(1);
    expectEvent(a.events[0], token, 'failed', 'ESIKIT_SSO_INVALID_GRANT');
    expect(a.order).toEqual(['refresh:failed']);
  });
});

describe('a failing onTokenRefresh listener', () => {
  it('is logged (no secret in the log) and changes nothing: the caller gets the new access token, stored', async () => {
    const { tokens, events, warnings } = watched({}, () => {
      throw new Error('metrics down');
    });
    const token = await expiredToken(tokens);
    const access = await tokens.validAccessToken(token.id);
    expect((await tokens.store.get(token.id))?.accessToken).toBe(access);
    expect(events).toHaveLength(1);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toMatch(/onTokenRefresh listener failed/);
    expect(warnings[0]!.details).toMatchObject({
      tokenId: token.id,
      outcome: 'refreshed',
      error: 'Error: metrics down',
    });
    expect(JSON.stringify(warnings)).not.toContain(token.refreshToken!);
    expect(JSON.stringify(warnings)).not.toContain(access);
  });

  it("that rejects: a failed refresh still throws SSO's error, a bulk job's result is unchanged", async () => {
    const { tokens, events, warnings } = watched({}, () => Promise.reject(new Error('nope')));
    const token = await expiredToken(tokens, 0);
    sim.sso.setFaults({ token: { status: 500 } });
    await expect(tokens.validAccessToken(token.id)).rejects.toBeInstanceOf(SsoUnavailableError);
    sim.sso.setFaults({});
    const dead = await expiredToken(tokens, 1);
    await tokens.sso.revoke(dead.refreshToken!);
    const result = await tokens.bulkRefresh([token, dead]);
    expect(result.refreshed.map((t) => t.id)).toEqual([token.id]);
    expect(result.deleted).toEqual([dead.id]);
    expect(result.failed).toEqual([]);
    expect(events.map((e) => e.outcome).sort()).toEqual(['dead', 'failed', 'refreshed']);
    expect(warnings).toHaveLength(3);
  });

  it('whose logger throws too: still changes nothing', async () => {
    const tokens = simManager(sim, {
      onTokenRefresh: () => {
        throw new Error('listener');
      },
      logger: {
        warn: () => {
          throw new Error('logger');
        },
      },
    });
    const token = await expiredToken(tokens);
    await expect(tokens.validAccessToken(token.id)).resolves.toEqual(expect.any(String));
  });
});

it('onTokenRefresh is validated, naming the option', () => {
  expect(() => simManager(sim, { onTokenRefresh: 42 as never })).toThrow(SsoOptionError);
  expect(() => simManager(sim, { onTokenRefresh: 42 as never })).toThrow(
    /onTokenRefresh must be a function, got/,
  );
});

/** Holds the first versioned delete until `go` resolves, and records what each delete did. */
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
