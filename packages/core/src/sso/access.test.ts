// tokenFor: the one place that decides which token a user may act with (adapters call it).
import { describe, expect, it } from 'vitest';
import { createEsiClient } from '../client.js';
import { tokenFor } from './access.js';
import { SsoOptionError, TokenForbiddenError } from './errors.js';
import { MemoryTokenStore } from './memory-store.js';
import { simManager, startSim } from './testing/sim-fixture.js';

const WALLET = 'esi-wallet.read_character_wallet.v1';
const SKILLS = 'esi-skills.read_skills.v1';

describe('tokenFor', () => {
  it("picks the user's newest token of the character with the scope, and it works with ESI", async () => {
    await using sim = await startSim();
    const store = new MemoryTokenStore();
    const [a] = sim.characters;
    const [, withWallet, newest] = await sim.seedTokenStore(store, [
      { characterId: a!.id, scopes: [SKILLS], userId: 'alice' },
      { characterId: a!.id, scopes: [WALLET], userId: 'alice' },
      { characterId: a!.id, scopes: [WALLET, SKILLS], userId: 'alice' },
    ]);
    const tokens = simManager(sim, { store });
    const token = await tokenFor(tokens, { userId: 'alice', characterId: a!.id, scope: WALLET });
    expect(token.id).toBe(newest!.id);
    expect(withWallet!.id).not.toBe(newest!.id);
    const esi = createEsiClient({
      baseUrl: sim.esiUrl,
      appInfo: { name: 'access-test', version: '1.0.0' },
      contactEmail: 'dev@example.com',
      clock: () => sim.clock.now(),
    });
    const balance = await esi
      .call(
        'GetCharactersCharacterIdWallet',
        { character_id: a!.id },
        { token: tokens.source(token) },
      )
      .result();
    expect(typeof balance).toBe('number');
    await esi.close();
  });

  it("never hands out another user's token, even for the same character", async () => {
    await using sim = await startSim();
    const store = new MemoryTokenStore();
    const [a, b] = sim.characters;
    await sim.seedTokenStore(store, [
      { characterId: a!.id, scopes: [WALLET], userId: 'alice' },
      { characterId: b!.id, scopes: [WALLET], userId: 'bob' },
      // Bob logged Alice's character in too (a shared account): still not Alice's token for Bob.
      { characterId: a!.id, scopes: [SKILLS], userId: 'bob' },
    ]);
    const tokens = simManager(sim, { store });
    const notMine = await tokenFor(tokens, { userId: 'alice', characterId: b!.id }).catch(
      (e: unknown) => e,
    );
    expect(notMine).toBeInstanceOf(TokenForbiddenError);
    expect(notMine).toMatchObject({
      code: 'ESIKIT_TOKEN_FORBIDDEN',
      reason: 'not-your-character',
      characterId: b!.id,
    });
    const bobsWallet = await tokenFor(tokens, {
      userId: 'bob',
      characterId: a!.id,
      scope: WALLET,
    }).catch((e: unknown) => e);
    expect(bobsWallet).toMatchObject({ reason: 'missing-scope', scope: WALLET });
    expect((bobsWallet as Error).message).toContain(WALLET);
    const bobs = await tokenFor(tokens, { userId: 'bob', characterId: a!.id, scope: SKILLS });
    expect(bobs.userId).toBe('bob');
  });

  it('refuses malformed input naming it, and honours an aborted signal', async () => {
    await using sim = await startSim();
    const tokens = simManager(sim, { store: new MemoryTokenStore() });
    await expect(tokenFor(tokens, { userId: '', characterId: 1 })).rejects.toThrow(SsoOptionError);
    await expect(
      tokenFor(tokens, { userId: 'u', characterId: 'x' as unknown as number }),
    ).rejects.toThrow(/characterId/);
    await expect(
      tokenFor(tokens, { userId: 'u', characterId: 1, signal: AbortSignal.abort() }),
    ).rejects.toMatchObject({ code: 'ESIKIT_SSO_ABORTED' });
  });
});
