import { NO_VIOLATIONS, type Simulator } from '@esikit/simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEsiClient } from '../index.js';
import { importRefreshToken } from './login.js';
import { simManager, startSim } from './testing/sim-fixture.js';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSim();
});
afterAll(async () => {
  await sim?.close();
});

describe('TokenManager.source() with the ESI client', () => {
  it('authenticates ESI calls and refreshes an expired token on the way', async () => {
    const tokens = simManager(sim);
    const pilot = sim.characters[0]!;
    const issued = await sim.issueTokens({
      characterId: pilot.id,
      scopes: ['esi-wallet.read_character_wallet.v1'],
    });
    const token = await importRefreshToken(tokens, issued.refresh_token);
    sim.clock.advance(21 * 60_000);
    const esi = createEsiClient({
      baseUrl: sim.esiUrl,
      appInfo: { name: 'esikit-tests', version: '0.0.0' },
      contactEmail: 'tests@example.com',
      clock: () => sim.clock.now(),
    });
    const before = sim.sso.stats().refreshes;
    const balance = await esi
      .request(
        'GetCharactersCharacterIdWallet',
        { character_id: pilot.id },
        { token: tokens.source(token) },
      )
      .result();
    expect(typeof balance).toBe('number');
    expect(sim.sso.stats().refreshes - before).toBe(1);
    expect(sim.stats().violations).toEqual(NO_VIOLATIONS);
  });
});
