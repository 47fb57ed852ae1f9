// Values a real ESI could send, over many seeds: ids in CCP's ranges per entity kind, orders in
// stations of the requested region, coherent volumes, prices, history, skills, and text.
import { describe, expect, it } from 'vitest';
import { call, specDocument } from '../test/helpers.js';
import { type Simulator, SimulatorClock, startSimulator } from './index.js';
import { ORDER_DURATIONS, stationsIn } from './internal/plausible.js';
import { createUniverse, ID_RANGES } from './internal/universe.js';

const SEEDS = Array.from({ length: 12 }, (_, i) => i * 7919 + 3);
const T0 = Date.UTC(2026, 10, 22, 12, 0, 0);

type Row = Record<string, unknown>;

function inRange(kind: keyof typeof ID_RANGES, id: unknown): boolean {
  return (
    typeof id === 'number' &&
    Number.isSafeInteger(id) &&
    ID_RANGES[kind].some(([lo, hi]) => id >= lo && id < hi)
  );
}

const isCorporation = (id: unknown) =>
  inRange('playerCorporation', id) || inRange('npcCorporation', id);
/** Words and punctuation, at least one space, no hex blob. */
const TEXT = /^[A-Z][a-z]+( [a-z]+)+\.$/;

async function get(sim: Simulator, path: string, token?: string): Promise<unknown> {
  const r = await call(sim, path, token ? { token } : {});
  expect(r.status, path).toBe(200);
  return r.json;
}

async function checkSeed(seed: number): Promise<void> {
  const clock = new SimulatorClock();
  clock.freeze(T0 + seed * 3_600_000);
  await using sim = await startSimulator({ spec: specDocument(), clock, seed });
  const universe = createUniverse(seed);

  // Ids of the universe, and as the detail routes show them.
  for (const c of sim.characters) {
    expect(inRange('character', c.id), `character ${c.id}`).toBe(true);
    expect(isCorporation(c.id)).toBe(false);
    const body = (await get(sim, `/characters/${c.id}`)) as Row;
    expect(isCorporation(body.corporation_id)).toBe(true);
    if (body.alliance_id !== undefined) expect(inRange('alliance', body.alliance_id)).toBe(true);
    if (body.description !== undefined) expect(body.description).toMatch(TEXT);
  }
  for (const corp of universe.corporations) {
    expect(inRange(corp.npc ? 'npcCorporation' : 'playerCorporation', corp.id)).toBe(true);
    const body = (await get(sim, `/corporations/${corp.id}`)) as Row;
    expect(body.description).toMatch(TEXT);
    expect(inRange('station', body.home_station_id)).toBe(true);
    for (const k of ['ceo_id', 'creator_id'] as const)
      if (corp.npc === false) expect(inRange('character', body[k])).toBe(true);
  }
  for (const a of universe.alliances) expect(inRange('alliance', a.id)).toBe(true);

  // Market orders: in stations of the requested region, coherent volumes, ESI's durations.
  for (const [regionId, query] of [
    [10000002, 'order_type=all'],
    [10000043, 'order_type=buy&type_id=34'],
    [10000001, 'order_type=sell'], // a region without a trade hub
  ] as const) {
    const orders = (await get(sim, `/markets/${regionId}/orders?${query}&page=2`)) as Row[];
    expect(orders.length).toBeGreaterThan(0);
    const stations = stationsIn(universe, regionId);
    for (const o of orders) {
      const station = stations.find((s) => s.id === o.location_id);
      expect(
        station,
        `order location ${String(o.location_id)} in region ${regionId}`,
      ).toBeDefined();
      expect(o.system_id).toBe(station!.systemId);
      expect(inRange('station', o.location_id)).toBe(true);
      expect(inRange('solarSystem', o.system_id)).toBe(true);
      expect(inRange('type', o.type_id)).toBe(true);
      const { min_volume, volume_total, volume_remain, duration, price } = o as Record<
        string,
        number
      >;
      expect(min_volume).toBeGreaterThanOrEqual(1);
      expect(min_volume).toBeLessThanOrEqual(volume_total!);
      expect(volume_remain).toBeLessThanOrEqual(volume_total!);
      expect(ORDER_DURATIONS).toContain(duration);
      expect(price).toBeGreaterThan(0);
      if (query.includes('buy')) expect(o).toMatchObject({ is_buy_order: true, type_id: 34 });
      if (query.includes('sell')) expect(o).toMatchObject({ is_buy_order: false, range: 'region' });
    }
  }
  const history = (await get(sim, '/markets/10000002/history?type_id=34')) as Row[];
  expect(new Set(history.map((h) => h.date)).size).toBe(history.length);
  for (const h of history) {
    const { lowest, average, highest } = h as Record<string, number>;
    expect(lowest).toBeLessThanOrEqual(average!);
    expect(average).toBeLessThanOrEqual(highest!);
    expect(lowest).toBeGreaterThan(0);
  }

  // Authenticated: skills, the queue, assets, orders, killmails.
  const pilot = sim.characters[seed % sim.characters.length]!;
  const { access_token: token } = await sim.issueTokens({
    characterId: pilot.id,
    scopes: [
      'esi-skills.read_skills.v1',
      'esi-skills.read_skillqueue.v1',
      'esi-assets.read_assets.v1',
      'esi-markets.read_character_orders.v1',
      'esi-killmails.read_killmails.v1',
    ],
  });
  const skillIds = new Set(universe.skills.map((s) => s.id));
  const skills = (await get(sim, `/characters/${pilot.id}/skills`, token)) as {
    skills: Row[];
    total_sp: number;
  };
  let sum = 0;
  for (const s of skills.skills) {
    expect(skillIds.has(s.skill_id as number)).toBe(true);
    const trained = s.trained_skill_level as number;
    expect(trained).toBeGreaterThanOrEqual(0);
    expect(trained).toBeLessThanOrEqual(5);
    expect(s.active_skill_level as number).toBeLessThanOrEqual(trained);
    expect(s.active_skill_level as number).toBeGreaterThanOrEqual(0);
    sum += s.skillpoints_in_skill as number;
  }
  expect(new Set(skills.skills.map((s) => s.skill_id)).size).toBe(skills.skills.length);
  expect(skills.total_sp).toBe(sum);
  const queue = (await get(sim, `/characters/${pilot.id}/skillqueue`, token)) as Row[];
  queue.forEach((q, i) => {
    expect(skillIds.has(q.skill_id as number)).toBe(true);
    expect(q.finished_level as number).toBeGreaterThanOrEqual(1);
    expect(q.finished_level as number).toBeLessThanOrEqual(5);
    expect(q.queue_position).toBe(i);
    const {
      level_start_sp: from,
      level_end_sp: to,
      training_start_sp: at,
    } = q as Record<string, number>;
    expect(from).toBeLessThanOrEqual(at!);
    expect(at).toBeLessThan(to!);
    if (i > 0 && q.start_date !== undefined && queue[i - 1]!.finish_date !== undefined)
      expect(q.start_date).toBe(queue[i - 1]!.finish_date);
  });
  const assets = (await get(sim, `/characters/${pilot.id}/assets?page=1`, token)) as Row[];
  for (const a of assets) {
    expect(inRange('item', a.item_id)).toBe(true);
    expect(inRange('station', a.location_id) || inRange('item', a.location_id)).toBe(true);
  }
  const mine = (await get(sim, `/characters/${pilot.id}/orders`, token)) as Row[];
  for (const o of mine) {
    if (o.min_volume !== undefined)
      expect(o.min_volume as number).toBeLessThanOrEqual(o.volume_total as number);
    expect(o.volume_remain as number).toBeLessThanOrEqual(o.volume_total as number);
    expect(ORDER_DURATIONS).toContain(o.duration);
    if (inRange('station', o.location_id))
      expect(stationsIn(universe, o.region_id as number).map((s) => s.id)).toContain(o.location_id);
  }
  const kills = (await get(sim, `/characters/${pilot.id}/killmails/recent`, token)) as Row[];
  for (const k of kills) expect(k.killmail_hash).toMatch(/^[0-9a-f]{40}$/);

  const status = (await get(sim, '/status')) as Row;
  expect(status.players as number).toBeGreaterThanOrEqual(1_000);
  expect(status.players as number).toBeLessThanOrEqual(100_000);
  const corp = (await get(sim, `/corporations/${pilot.corporationId}`)) as Row;
  expect(corp.name).toMatch(/^[A-Z]/);
  if (typeof corp.url === 'string') expect(corp.url).not.toMatch(/\s/);
}

describe('plausible data', () => {
  it.each(SEEDS)('keeps ESI’s invariants for seed %i', async (seed) => {
    await checkSeed(seed);
  });
});

describe('character ids', () => {
  // CCP's ID-ranges table: characters created after 2016-05-30 are in
  // 2,100,000,000–2,147,483,647, i.e. up to the last signed 32-bit integer. CCP's own sample
  // token names character 2117712894, beyond the 2,112,000,000 this simulator once stopped at.
  const NEW_ERA_LAST = 2_147_483_647;

  it('uses the whole new-era range up to 2,147,483,647, never 2^31 or above', () => {
    const newEra = Array.from({ length: 400 }, (_, seed) => createUniverse(seed).characters)
      .flat()
      .map((c) => c.id)
      .filter((id) => id >= 2_100_000_000);
    expect(newEra.length).toBe(800);
    expect(newEra.every((id) => id <= NEW_ERA_LAST && inRange('character', id))).toBe(true);
    expect(inRange('character', 2117712894)).toBe(true);
    expect(inRange('character', NEW_ERA_LAST)).toBe(true);
    expect(inRange('character', NEW_ERA_LAST + 1)).toBe(false);
    // Spread over the range, not bunched at its start: each quarter gets some.
    const quarter = (NEW_ERA_LAST + 1 - 2_100_000_000) / 4;
    const quarters = new Set(newEra.map((id) => Math.floor((id - 2_100_000_000) / quarter)));
    expect([...quarters].sort()).toEqual([0, 1, 2, 3]);
  });
});
