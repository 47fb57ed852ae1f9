// The simulator's seedTokenStore feeds core's stores directly: its token shape is core's
// NewToken (checked by the compiler here), and a seeded token refreshes through core.
import { describe, expect, it } from 'vitest';
import { MemoryTokenStore } from './memory-store.js';
import { simManager, startSim } from './testing/sim-fixture.js';

describe('seeding a core store from the simulator', () => {
  it('stores one login per character in one call, and the manager can use them', async () => {
    await using sim = await startSim();
    const store = new MemoryTokenStore();
    const [a, b] = sim.characters;
    const tokens = await sim.seedTokenStore(store, [
      { characterId: a!.id, scopes: ['esi-skills.read_skills.v1'], userId: 'alice' },
      { characterId: b!.id, scopes: [], userId: 'bob' },
    ]);
    expect(tokens.map((t) => [t.characterId, t.userId, t.version])).toEqual([
      [a!.id, 'alice', 1],
      [b!.id, 'bob', 1],
    ]);
    expect(await store.find({ userId: 'alice' })).toHaveLength(1);
    const manager = simManager(sim, { store });
    expect(typeof (await manager.validAccessToken(tokens[0]!.id))).toBe('string');
  });
});
