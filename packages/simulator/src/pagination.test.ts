import { describe, expect, it } from 'vitest';
import { call, specDocument } from '../test/helpers.js';
import { SimulatorClock, startSimulator } from './index.js';

const T0 = Date.UTC(2026, 10, 22, 12, 0, 0);

async function sim() {
  const clock = new SimulatorClock();
  clock.freeze(T0);
  return startSimulator({ spec: specDocument(), clock, seed: 9 });
}

interface Listing {
  projects: { id: string }[];
  cursor: { before?: string; after?: string };
}

describe('cursor pagination', () => {
  it('walks back with before until an empty list, then sees only new records with after', async () => {
    await using s = await sim();
    const pilot = s.characters[0]!;
    let { access_token: token } = await s.issueTokens({
      characterId: pilot.id,
      scopes: ['esi-corporations.read_projects.v1'],
    });
    const base = `/corporations/${pilot.corporationId}/projects`;
    const first = (await call(s, base, { token })).json as Listing;
    expect(first.projects).toHaveLength(10);
    const seen = new Set(first.projects.map((p) => p.id));
    let before = first.cursor.before!;
    let pages = 1;
    for (;;) {
      const page = (await call(s, `${base}?before=${encodeURIComponent(before)}`, { token }))
        .json as Listing;
      if (page.projects.length === 0) break;
      for (const p of page.projects) {
        expect(seen.has(p.id)).toBe(false); // the clock stood still, so no duplicates
        seen.add(p.id);
      }
      before = page.cursor.before!;
      pages++;
      expect(pages).toBeLessThan(50);
    }
    expect(pages).toBeGreaterThan(2);
    // before=0 starts from the end, like no cursor at all.
    expect((await call(s, `${base}?before=0`, { token })).text).toBe(
      (await call(s, base, { token })).text,
    );

    // Nothing newer yet: an empty page that echoes the cursor.
    const idle = (
      await call(s, `${base}?after=${encodeURIComponent(first.cursor.after!)}`, { token })
    ).json as Listing;
    expect(idle.projects).toEqual([]);
    expect(idle.cursor.after).toBe(first.cursor.after);

    // 30 minutes later three events happened (one every 10 minutes): creations or modifications.
    s.clock.advance(30 * 60_000);
    token = (
      await s.issueTokens({ characterId: pilot.id, scopes: ['esi-corporations.read_projects.v1'] })
    ).access_token;
    const fresh = await call(s, `${base}?after=${encodeURIComponent(first.cursor.after!)}`, {
      token,
    });
    const changed = (fresh.json as Listing).projects;
    expect(changed.length).toBeGreaterThan(0);
    expect(changed.length).toBeLessThanOrEqual(3);
    const end = (
      await call(s, `${base}?after=${encodeURIComponent((fresh.json as Listing).cursor.after!)}`, {
        token,
      })
    ).json as Listing;
    expect(end.projects).toEqual([]);
  });

  it('keeps record ids across modifications: everything seen earlier is still there later', async () => {
    await using s = await sim();
    const pilot = s.characters[0]!;
    const walk = async (): Promise<Set<string>> => {
      const { access_token: token } = await s.issueTokens({
        characterId: pilot.id,
        scopes: ['esi-corporations.read_projects.v1'],
      });
      const base = `/corporations/${pilot.corporationId}/projects`;
      const ids = new Set<string>();
      let page = (await call(s, base, { token })).json as Listing;
      while (page.projects.length > 0) {
        page.projects.forEach((p) => ids.add(p.id));
        page = (
          await call(s, `${base}?before=${encodeURIComponent(page.cursor.before!)}`, { token })
        ).json as Listing;
      }
      return ids;
    };
    const before = await walk();
    s.clock.advance(3 * 3_600_000); // 18 events: some create records, some modify old ones
    const after = await walk();
    expect(after.size).toBeGreaterThan(before.size);
    for (const id of before) expect(after.has(id)).toBe(true);
  });

  it('honours limit and rejects bad cursors and before+after together', async () => {
    await using s = await sim();
    const pilot = s.characters[0]!;
    const { access_token: token } = await s.issueTokens({
      characterId: pilot.id,
      scopes: ['esi-corporations.read_projects.v1'],
    });
    const base = `/corporations/${pilot.corporationId}/projects`;
    expect(((await call(s, `${base}?limit=15`, { token })).json as Listing).projects).toHaveLength(
      15,
    );
    expect((await call(s, `${base}?limit=5`, { token })).status).toBe(400); // minimum is 10
    expect((await call(s, `${base}?after=garbage`, { token })).status).toBe(400);
    const oldest = (await call(s, `${base}?after=0`, { token })).json as Listing;
    expect(oldest.projects).toHaveLength(10);
    expect((await call(s, `${base}?after=0&before=0`, { token })).status).toBe(400);
  });
});

describe('from_id pagination', () => {
  it('walks back newest first; each page includes from_id; stops when only that record comes back', async () => {
    await using s = await sim();
    const pilot = s.characters[0]!;
    const { access_token: token } = await s.issueTokens({
      characterId: pilot.id,
      scopes: ['esi-wallet.read_character_wallet.v1'],
    });
    const base = `/characters/${pilot.id}/wallet/transactions`;
    type Tx = { transaction_id: number; date: string }[];
    let page = (await call(s, base, { token })).json as Tx;
    const all: number[] = page.map((t) => t.transaction_id);
    let steps = 0;
    for (;;) {
      const fromId = page[page.length - 1]!.transaction_id;
      page = (await call(s, `${base}?from_id=${fromId}`, { token })).json as Tx;
      expect(page[0]!.transaction_id).toBe(fromId);
      if (page.length === 1) break;
      all.push(...page.slice(1).map((t) => t.transaction_id));
      expect(++steps).toBeLessThan(50);
    }
    expect(all.length).toBeGreaterThan(60);
    expect([...all].sort((a, b) => b - a)).toEqual(all); // strictly newest (highest id) first
    expect(new Set(all).size).toBe(all.length);
  });
});
