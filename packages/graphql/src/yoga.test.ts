import { describe, expect, it } from 'vitest';
import { harness, NO_VIOLATIONS } from '../test/fixture.js';

describe('useEsi over HTTP', () => {
  it('answers a public query with linked entities', async () => {
    await using h = await harness();
    const [pilot] = h.sim.characters;
    const res = await h.query(
      `query($id: Int64!) { character(character_id: $id) { id name corporation { id name alliance { name } } } status { players } }`,
      { variables: { id: pilot!.id } },
    );
    console.log(JSON.stringify(res.body, null, 1).slice(0, 2000), res.headers.get('cache-control'));
    expect(res.body.errors).toBeUndefined();
    expect(h.sim.stats().violations).toEqual(NO_VIOLATIONS);
  });
});
