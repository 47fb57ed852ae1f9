// One client, pinned at each compatibility date, against a simulator serving two spec versions:
// each date gets its own routes and response shapes, over the same universe.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { harnessPerTest, SPEC_FILE } from '../test/helpers.js';
import { EsiHttpError } from './index.js';

const start = harnessPerTest();

/** CCP's spec of the other date, kept beside the current one (`openapi-2025-12-16.json`). */
function oldSpecFile(): string {
  const dir = dirname(SPEC_FILE);
  const name = readdirSync(dir)
    .filter((n) => /^openapi-\d{4}-\d{2}-\d{2}\.json$/.test(n))
    .sort()[0];
  if (!name) throw new Error(`no openapi-YYYY-MM-DD.json beside ${SPEC_FILE}`);
  return join(dir, name);
}

describe('compatibility dates (client against the simulator)', () => {
  it('a client pinned at each date sees that date’s shapes and routes', async () => {
    const h = await start(
      { specs: [SPEC_FILE, oldSpecFile()] },
      { compatibilityDate: '2025-12-16' },
    );
    const pilot = h.sim.characters.find((c) => c.allianceId !== undefined)!;
    const params = { corporation_id: pilot.corporationId };
    const early = await h.esi.request('GetCorporationsCorporationId', params).result();
    const late = await h.esi
      .request('GetCorporationsCorporationId', params, { compatibilityDate: '2026-08-04' })
      .result();
    expect(early).toHaveProperty('tax_rate');
    expect(early).not.toHaveProperty('tax_rates');
    expect(late).toHaveProperty('tax_rates');
    expect(late).toMatchObject({ type: 'player_owned', state: expect.any(String) as string });
    expect(late).not.toHaveProperty('tax_rate');
    expect(late.name).toBe(early.name);
    expect(late.ticker).toBe(early.ticker);
    expect(late.alliance_id).toBe(pilot.allianceId);

    // A route added after 2025-12-16 is not there for the pinned client, and is at its date.
    const missing = await h.esi
      .request('GetSovereigntySystems')
      .result()
      .catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(EsiHttpError);
    expect((missing as EsiHttpError).status).toBe(404);
    const systems = await h.esi
      .request('GetSovereigntySystems', {}, { compatibilityDate: '2026-08-04' })
      .result();
    expect(systems).toHaveProperty('solar_systems');
    expect(
      h.sim
        .audit()
        .map((e) => [e.path, e.compatibilityDate, e.status])
        .filter(([path]) => path === '/sovereignty/systems'),
    ).toEqual([
      ['/sovereignty/systems', '2025-12-16', 404],
      ['/sovereignty/systems', '2026-08-04', 200],
    ]);
  });

  it('a client on the older spec file reaches a route only that date has, and not at the newer date', async () => {
    const h = await start(
      { specs: [SPEC_FILE, oldSpecFile()] },
      { specFile: oldSpecFile(), compatibilityDate: '2025-12-16' },
    );
    // The generated types describe the current spec; this operation exists only in the older
    // file the client loaded, hence the cast.
    const map = await h.esi.request('GetSovereigntyMap' as 'GetStatus').result();
    expect(Array.isArray(map)).toBe(true);
    const gone = await h.esi
      .request('GetSovereigntyMap' as 'GetStatus', {}, { compatibilityDate: '2026-08-04' })
      .result()
      .catch((e: unknown) => e);
    expect((gone as EsiHttpError).status).toBe(404);
  });
});
