import type { BodyRequest, BodyResult } from './bodies.js';
import { hashString, Prng } from './prng.js';
import type { SimStation, Universe } from './universe.js';

type Json = Record<string, unknown>;

/** The durations ESI lists for market orders (days; 0 = immediate). */
export const ORDER_DURATIONS = [0, 1, 3, 7, 14, 30, 90] as const;
/** Skill points needed for levels 0–5 of a rank-1 skill; rank multiplies them. */
const SP_AT_LEVEL = [0, 250, 1_415, 8_000, 45_255, 256_000] as const;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function iso(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/**
 * Stations of a region: the universe's trade hubs where it has one, else a station made up in
 * the right id ranges (a region without a hub still has somewhere to trade).
 */
export function stationsIn(universe: Universe, regionId: number): readonly SimStation[] {
  const known = universe.stationsWhere.filter((s) => s.regionId === regionId);
  if (known.length > 0) return known;
  const h = hashString(`region:${regionId}`);
  return [
    {
      id: 60_000_000 + (h % 1_000_000),
      systemId: 30_000_000 + (h % 1_000_000),
      regionId,
    },
  ];
}

/**
 * Makes a generated body keep the invariants ESI's data keeps, which schemas do not say:
 * orders sit in stations of the requested region with `min_volume <= volume_total` and a
 * duration from ESI's set, history has `lowest <= average <= highest` on distinct days, skills
 * have real ids and levels 0–5 with matching skill points, the skill queue is ordered.
 */
export function makePlausible(
  req: BodyRequest,
  result: BodyResult,
  universe: Universe,
): BodyResult {
  if (result.status >= 300 || result.body === undefined) return result;
  const page = typeof req.params.page === 'number' ? req.params.page : 1;
  const rng = new Prng(`plausible|${req.seedKey}|${page}`);
  const body = result.body;
  switch (`${req.op.method} ${req.op.path.replace(/\/$/, '')}`) {
    case 'GET /markets/{region_id}/orders':
      if (Array.isArray(body)) marketOrders(body, req, universe, rng);
      break;
    case 'GET /markets/{region_id}/history':
      if (Array.isArray(body)) return { ...result, body: history(body, req.dataTime, rng) };
      break;
    case 'GET /characters/{character_id}/skills':
      if (isObject(body)) skills(body, universe, rng);
      break;
    case 'GET /characters/{character_id}/skillqueue':
      if (Array.isArray(body))
        return { ...result, body: skillQueue(body, req.dataTime, universe, rng) };
      break;
    default:
      break;
  }
  walk(body, universe, rng);
  return result;
}

/** Invariants by shape, wherever they appear (character and corporation orders too). */
function walk(value: unknown, universe: Universe, rng: Prng): void {
  if (Array.isArray(value)) {
    for (const v of value) walk(v, universe, rng);
    return;
  }
  if (!isObject(value)) return;
  if (typeof value.volume_total === 'number') order(value, rng);
  if (typeof value.region_id === 'number' && typeof value.location_id === 'number') {
    // A character's order: the location is a station of the order's region.
    const station = rng.pick(stationsIn(universe, value.region_id));
    if (value.location_id < 1_000_000_000_000) value.location_id = station.id;
  }
  for (const v of Object.values(value)) if (typeof v === 'object') walk(v, universe, rng);
}

function order(o: Json, rng: Prng): void {
  const total = Math.max(1, Math.round(Number(o.volume_total)));
  o.volume_total = total;
  if (typeof o.volume_remain === 'number') o.volume_remain = rng.int(1, total);
  if (typeof o.min_volume === 'number') o.min_volume = rng.chance(0.85) ? 1 : rng.int(1, total);
  if (typeof o.duration === 'number') o.duration = rng.pick(ORDER_DURATIONS);
  if (typeof o.price === 'number') o.price = Math.max(0.01, Math.round(Math.abs(o.price)) / 100);
  // ESI reports every sell order's range as the whole region.
  if (o.is_buy_order === false && typeof o.range === 'string') o.range = 'region';
}

function marketOrders(orders: unknown[], req: BodyRequest, universe: Universe, rng: Prng): void {
  const regionId = Number(req.params.region_id);
  const stations = stationsIn(universe, regionId);
  const type = typeof req.params.type_id === 'number' ? req.params.type_id : undefined;
  const side = req.params.order_type;
  for (const o of orders) {
    if (!isObject(o)) continue;
    const station = rng.pick(stations);
    o.location_id = station.id;
    o.system_id = station.systemId;
    if (type !== undefined) o.type_id = type;
    if (side === 'buy') o.is_buy_order = true;
    else if (side === 'sell') o.is_buy_order = false;
  }
}

function history(rows: unknown[], dataTime: number, rng: Prng): unknown[] {
  const day = 86_400_000;
  const today = Math.floor(dataTime / day) * day;
  const out = rows.filter(isObject);
  // One row per day, oldest first, ending yesterday.
  out.forEach((row, i) => {
    row.date = new Date(today - (out.length - i) * day).toISOString().slice(0, 10);
    const base = 1 + rng.int(1, 5_000_000) / 100;
    const lowest = Math.round(base * (0.9 + rng.next() * 0.1) * 100) / 100;
    const highest = Math.max(lowest, Math.round(base * (1 + rng.next() * 0.1) * 100) / 100);
    const average = Math.round((lowest + (highest - lowest) * rng.next()) * 100) / 100;
    row.lowest = lowest;
    row.highest = highest;
    row.average = Math.min(highest, Math.max(lowest, average));
    const orders = rng.int(1, 2_000);
    row.order_count = orders;
    row.volume = orders * rng.int(1, 500);
  });
  return out;
}

function skills(body: Json, universe: Universe, rng: Prng): void {
  const list = Array.isArray(body.skills) ? body.skills.filter(isObject) : [];
  const ids = [...universe.skills].sort(() => rng.next() - 0.5);
  const out = list.slice(0, ids.length).map((s, i) => {
    const trained = rng.int(0, 5);
    const rank = rng.int(1, 5);
    return {
      ...s,
      skill_id: ids[i]!.id,
      trained_skill_level: trained,
      active_skill_level: rng.chance(0.9) ? trained : rng.int(0, trained),
      skillpoints_in_skill: SP_AT_LEVEL[trained]! * rank,
    };
  });
  body.skills = out;
  body.total_sp = out.reduce((sum, s) => sum + s.skillpoints_in_skill, 0);
  if (typeof body.unallocated_sp === 'number') body.unallocated_sp = rng.int(0, 500_000);
}

function skillQueue(rows: unknown[], dataTime: number, universe: Universe, rng: Prng): unknown[] {
  const out = rows.filter(isObject);
  let start = dataTime - rng.int(1, 86_400) * 1000;
  const levels = new Map<number, number>();
  return out.map((row, i) => {
    const skill = rng.pick(universe.skills).id;
    const level = Math.min(5, (levels.get(skill) ?? rng.int(0, 3)) + 1);
    levels.set(skill, level);
    const rank = rng.int(1, 5);
    const from = SP_AT_LEVEL[level - 1]! * rank;
    const to = SP_AT_LEVEL[level]! * rank;
    const finish = start + rng.int(3_600, 20 * 86_400) * 1000;
    const item: Json = {
      ...row,
      skill_id: skill,
      finished_level: level,
      queue_position: i,
      level_start_sp: from,
      level_end_sp: to,
      training_start_sp: i === 0 ? rng.int(from, to - 1) : from,
    };
    if ('start_date' in row) item.start_date = iso(start);
    if ('finish_date' in row) item.finish_date = iso(finish);
    start = finish;
    return item;
  });
}
