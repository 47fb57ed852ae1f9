import { describe, expect, it } from 'vitest';
import { call, specDocument } from '../test/helpers.js';
import { type SimStoredToken, SimulatorClock, startSimulator } from './index.js';

const SKILLS = 'esi-skills.read_skills.v1';
const WALLET = 'esi-wallet.read_character_wallet.v1';

/** A store with core's create(token, now) contract, recording what it was given. */
class RecordingStore {
  readonly rows: (SimStoredToken & { id: string; created: number })[] = [];
  create(token: SimStoredToken, now: number) {
    const row = { ...token, id: `t${this.rows.length + 1}`, created: now };
    this.rows.push(row);
    return Promise.resolve(row);
  }
}

describe('tokens for stores', () => {
  it('issueStoredToken describes a working login in camelCase, as a store record', async () => {
    const clock = new SimulatorClock();
    clock.freeze(Date.UTC(2026, 10, 22, 12, 0, 0));
    await using sim = await startSimulator({ spec: specDocument(), clock });
    const pilot = sim.characters[3]!;
    const token = await sim.issueStoredToken({
      characterId: pilot.id,
      scopes: [WALLET, SKILLS, WALLET],
      userId: 'alice',
    });
    expect(token).toEqual({
      accessToken: expect.stringMatching(/^ey[\w-]+\.[\w-]+\.[\w-]+$/) as unknown,
      refreshToken: expect.any(String) as unknown,
      characterId: pilot.id,
      characterName: pilot.name,
      tokenType: 'Bearer',
      ownerHash: pilot.ownerHash,
      ssoVersion: 2,
      userId: 'alice',
      scopes: [SKILLS, WALLET],
      expiresAt: clock.now() + 1_200_000,
    });
    const wallet = await call(sim, `/characters/${pilot.id}/wallet`, { token: token.accessToken });
    expect(wallet.status).toBe(200);
    await expect(sim.issueStoredToken({ characterId: 1, scopes: [] })).rejects.toThrow(
      /no character with id 1/,
    );
  });

  it('seedTokenStore issues and stores many logins in one call, at the simulator time', async () => {
    const clock = new SimulatorClock();
    clock.freeze(Date.UTC(2026, 10, 22, 12, 0, 0));
    await using sim = await startSimulator({ spec: specDocument(), clock });
    const store = new RecordingStore();
    const [a, b, c] = sim.characters;
    const rows = await sim.seedTokenStore(store, [
      { characterId: a!.id, scopes: [WALLET], userId: 'alice' },
      { characterId: b!.id, scopes: [], userId: 'bob' },
      { characterId: c!.id, scopes: [SKILLS] },
    ]);
    expect(rows.map((r) => [r.id, r.characterId, r.userId, r.created])).toEqual([
      ['t1', a!.id, 'alice', clock.now()],
      ['t2', b!.id, 'bob', clock.now()],
      ['t3', c!.id, undefined, clock.now()],
    ]);
    expect(new Set(rows.map((r) => r.refreshToken)).size).toBe(3);
    const later = await sim.seedTokenStore(store, [{ characterId: a!.id, scopes: [] }], {
      now: 42,
    });
    expect(later[0]!.created).toBe(42);
    await expect(sim.seedTokenStore({} as never, [])).rejects.toThrow(/create\(token, now\)/);
  });
});
