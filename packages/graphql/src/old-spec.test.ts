// A client created with `specFile` (here the 2025-12-16 spec) gives that spec's schema, and its
// queries reach ESI at that compatibility date.
import { expect, it } from 'vitest';
import { createYoga } from 'graphql-yoga';
import { createEsiClient } from '@esikit/core';
import { SimulatorClock, startSimulator } from '@esikit/simulator';
import { useEsi } from './index.js';
import { APP, NO_VIOLATIONS, OLD_SPEC_FILE, SPEC_FILE, T0, type Loose } from '../test/fixture.js';

it('serves the schema of the spec the client was created with', async () => {
  const clock = new SimulatorClock();
  clock.freeze(T0);
  await using sim = await startSimulator({ specs: [OLD_SPEC_FILE, SPEC_FILE], clock });
  const esi = createEsiClient({
    ...APP,
    specFile: OLD_SPEC_FILE,
    baseUrl: sim.esiUrl,
    clock: () => sim.clock.now(),
  });
  try {
    const yoga = createYoga({
      plugins: [useEsi({ esi, clock: () => sim.clock.now() })],
      logging: false,
    });
    const pilot = sim.characters[0]!;
    const res = await yoga.fetch('http://yoga/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: `{ character(character_id: ${pilot.id}) { name corporation { name tax_rate } } }`,
      }),
    });
    const body = (await res.json()) as { data?: Loose; errors?: unknown };
    expect(body.errors).toBeUndefined();
    expect(body.data.character.name).toBe(pilot.name);
    // tax_rate is the 2025-12-16 shape (the current spec has tax_rates instead).
    expect(body.data.character.corporation.tax_rate).toEqual(expect.any(Number));
    expect(sim.stats().violations).toEqual(NO_VIOLATIONS);
  } finally {
    await esi.close();
  }
});
