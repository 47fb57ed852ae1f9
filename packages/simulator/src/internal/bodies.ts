import type { JsonSchema, OperationSpec } from '@esikit/spec';
import { type GenContext, type SchemaGenerator, UNSATISFIABLE } from './datagen.js';
import { cursorPage, fromIdPage, type StreamRecord, streamRecords } from './pagination.js';
import { makePlausible } from './plausible.js';
import { hashString, Prng } from './prng.js';
import type { SimCharacter } from '../types.js';
import type { EntityCategory, Universe } from './universe.js';

type Json = Record<string, unknown>;

/** What the data layer needs to answer one request. */
export interface BodyRequest {
  readonly op: OperationSpec;
  readonly params: Readonly<Record<string, unknown>>;
  readonly requestBody?: unknown;
  /** The instant the data describes: the cache window's start for cached routes. */
  readonly dataTime: number;
  /** Seed for this resource in this window (without the page). */
  readonly seedKey: string;
  /** `X-Pages` for page routes. */
  readonly pages: number;
}

export interface BodyResult {
  readonly status: number;
  /** JSON value to send; absent for 204. */
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** Items on every full `X-Pages` page. */
export const PAGE_SIZE = 10;
const CURSOR_INTERVAL_MS = 10 * 60_000;
const CURSOR_HISTORY = 25;
const FROM_ID_INTERVAL_MS = 15 * 60_000;
const FROM_ID_HISTORY = 60;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function iso(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/**
 * The name a resource's seed uses: method and path, not the operationId, which CCP has renamed
 * between spec versions (`GetCharactersCharacterId` → `GetCharactersDetail`) for the same data.
 */
export function resourceName(op: OperationSpec): string {
  return `${op.method} ${op.path.replace(/\/$/, '')}`;
}

function notFound(error: string): BodyResult {
  return { status: 404, body: { error } };
}

const ID_KEYS: Record<EntityCategory, string> = {
  alliance: 'alliances',
  character: 'characters',
  constellation: 'constellations',
  corporation: 'corporations',
  faction: 'factions',
  inventory_type: 'inventory_types',
  region: 'regions',
  solar_system: 'systems',
  station: 'stations',
};

/**
 * Builds response bodies: schema-driven generation for every operation, with overlays where
 * the universe must show through (names, memberships) and the three pagination kinds.
 */
export class BodyFactory {
  readonly #gen: SchemaGenerator;
  readonly #universe: Universe;
  /** Start of the cursor and from_id streams; events after it appear as the clock moves. */
  readonly #anchor: number;
  /** Every loaded compatibility date, oldest first (`/meta/compatibility-dates`). */
  readonly #dates: readonly string[];

  constructor(
    gen: SchemaGenerator,
    universe: Universe,
    anchor: number,
    dates: readonly string[] = [],
  ) {
    this.#gen = gen;
    this.#universe = universe;
    this.#anchor = anchor;
    this.#dates = dates;
  }

  /** The universe's character with this id. */
  character(id: number): SimCharacter | undefined {
    return this.#universe.characters.find((c) => c.id === id);
  }

  #schema(op: OperationSpec): JsonSchema | undefined {
    if (op.responseSchema !== undefined) return this.#gen.schema(op.responseSchema);
    return op.responseInlineSchema;
  }

  #ctx(seed: string, now: number, arrayLength?: readonly [number, number]): GenContext {
    return {
      rng: new Prng(seed),
      universe: this.#universe,
      now,
      ...(arrayLength ? { arrayLength } : {}),
    };
  }

  #generic(req: BodyRequest, seed: string): unknown {
    const schema = this.#schema(req.op);
    if (!schema) return undefined;
    const value = this.#gen.generate(schema, this.#ctx(seed, req.dataTime));
    return value === UNSATISFIABLE ? {} : value;
  }

  build(req: BodyRequest): BodyResult {
    return makePlausible(req, this.#build(req), this.#universe);
  }

  #build(req: BodyRequest): BodyResult {
    const { op } = req;
    const special = this.#special(req);
    if (special) return special;
    switch (op.pagination) {
      case 'pages':
        return this.#page(req);
      case 'cursor':
        return this.#cursor(req);
      case 'from_id':
        return this.#fromId(req);
      case 'none':
        break;
    }
    const body = this.#generic(req, req.seedKey);
    if (isObject(body)) this.#echoIds(req, body);
    return body === undefined ? { status: op.successStatus } : { status: op.successStatus, body };
  }

  /**
   * A detail body describes what the path names: `/universe/types/34` has `type_id: 34`, and
   * the universe's name when it knows the id (`/universe/systems/30000142` is Jita).
   */
  #echoIds(req: BodyRequest, body: Json): void {
    const schema = this.#schema(req.op);
    const props = schema && isObject(schema.properties) ? schema.properties : {};
    for (const p of req.op.parameters) {
      const value = req.params[p.name];
      if (
        p.in === 'path' &&
        p.name in props &&
        (typeof value === 'number' || typeof value === 'string')
      ) {
        body[p.name] = value;
      }
    }
    const last = /\{(\w+)\}\/?$/.exec(req.op.path)?.[1];
    const id = last !== undefined ? req.params[last] : undefined;
    const entity = typeof id === 'number' ? this.#universe.byId.get(id) : undefined;
    if (entity && 'name' in props) body.name = entity.name;
  }

  #page(req: BodyRequest): BodyResult {
    const page = typeof req.params.page === 'number' ? req.params.page : 1;
    const headers = { 'X-Pages': String(req.pages) };
    // Documented choice: like ESI, a page past X-Pages is a 404, not an empty list.
    if (page > req.pages)
      return { status: 404, body: { error: 'Requested page does not exist!' }, headers };
    const schema = this.#schema(req.op);
    const resolved = schema && isObject(schema) ? schema : undefined;
    const items =
      resolved?.type === 'array' && isObject(resolved.items) ? resolved.items : undefined;
    if (!items) {
      return {
        status: req.op.successStatus,
        body: this.#generic(req, `${req.seedKey}|page=${page}`),
        headers,
      };
    }
    const count = page < req.pages ? PAGE_SIZE : 1 + (hashString(req.seedKey) % PAGE_SIZE);
    const ctx = this.#ctx(`${req.seedKey}|page=${page}`, req.dataTime);
    const body: unknown[] = [];
    for (let i = 0; i < count; i++) {
      const value = this.#gen.generate(items, ctx, '');
      if (value !== UNSATISFIABLE) body.push(value);
    }
    if (resolved?.uniqueItems === true) {
      const seen = new Set<string>();
      const unique = body.filter((v) => {
        const k = JSON.stringify(v);
        if (seen.has(k)) return false;
        seen.add(k);
        return true;
      });
      return { status: req.op.successStatus, body: unique, headers };
    }
    return { status: req.op.successStatus, body, headers };
  }

  #streamKey(req: BodyRequest): string {
    const { before: _b, after: _a, limit: _l, from_id: _f, ...rest } = req.params;
    return `${resourceName(req.op)}|${JSON.stringify(rest)}`;
  }

  #item(schema: JsonSchema, key: string, r: StreamRecord): Json {
    const value = this.#gen.generate(schema, this.#ctx(`${key}|${r.id}|${r.modified}`, r.modified));
    const item = isObject(value) ? value : {};
    // A modified record is the same record: its identifiers survive the modification, so
    // clients can replace what they stored (esi-docs_pagination_cursor-based.md, duplicates).
    const identity = this.#gen.generate(schema, this.#ctx(`${key}|${r.id}`, r.modified));
    if (isObject(identity)) {
      for (const [field, v] of Object.entries(identity))
        if (/^id$|_id$/.test(field)) item[field] = v;
    }
    return item;
  }

  #cursor(req: BodyRequest): BodyResult {
    const schema = this.#schema(req.op);
    const props = schema && isObject(schema.properties) ? schema.properties : {};
    const listName = Object.keys(props).find((k) => {
      const prop = props[k];
      return isObject(prop) && prop.type === 'array';
    });
    const itemSchema = listName
      ? ((props[listName] as Json).items as JsonSchema | undefined)
      : undefined;
    if (!listName || !itemSchema)
      return { status: req.op.successStatus, body: this.#generic(req, req.seedKey) };
    const key = this.#streamKey(req);
    const records = streamRecords({
      key,
      anchor: this.#anchor,
      intervalMs: CURSOR_INTERVAL_MS,
      history: CURSOR_HISTORY,
      now: req.dataTime,
    });
    const page = cursorPage(records, {
      ...(typeof req.params.before === 'string' ? { before: req.params.before } : {}),
      ...(typeof req.params.after === 'string' ? { after: req.params.after } : {}),
      limit: typeof req.params.limit === 'number' ? req.params.limit : 10,
    });
    if ('error' in page) return { status: 400, body: { error: page.error } };
    const items = page.records.map((r) => {
      const item = this.#item(itemSchema, key, r);
      // The record's own modification time shows through wherever the schema has one.
      for (const field of Object.keys(item)) {
        if (/modified|updated/.test(field) && typeof item[field] === 'string')
          item[field] = iso(r.modified);
      }
      return item;
    });
    return { status: req.op.successStatus, body: { [listName]: items, cursor: page.cursor } };
  }

  #fromId(req: BodyRequest): BodyResult {
    const schema = this.#schema(req.op);
    const itemSchema = schema && isObject(schema.items) ? schema.items : undefined;
    if (!itemSchema) return { status: req.op.successStatus, body: this.#generic(req, req.seedKey) };
    const key = this.#streamKey(req);
    const base = 4_000_000_000 + (hashString(key) % 1000) * 1_000_000;
    const idOf = (r: StreamRecord): number =>
      base + r.id * 1000 + (hashString(`${key}|${r.id}`) % 1000);
    const records = streamRecords({
      key,
      anchor: this.#anchor,
      intervalMs: FROM_ID_INTERVAL_MS,
      history: FROM_ID_HISTORY,
      now: req.dataTime,
      mutable: false,
    });
    const fromId = typeof req.params.from_id === 'number' ? req.params.from_id : undefined;
    const body = fromIdPage(records, idOf, fromId).map((r) => {
      const item = this.#item(itemSchema, key, r);
      item.transaction_id = idOf(r);
      item.date = iso(r.modified);
      return item;
    });
    return { status: req.op.successStatus, body };
  }

  #special(req: BodyRequest): BodyResult | undefined {
    const u = this.#universe;
    const p = req.params;
    // Keyed by method and path: operationIds have changed between spec versions, paths have not.
    switch (resourceName(req.op)) {
      case 'GET /characters/{character_id}': {
        const c = u.characters.find((x) => x.id === p.character_id);
        if (!c) return notFound('Character not found');
        const body = this.#generic(req, req.seedKey) as Json;
        Object.assign(body, { name: c.name, corporation_id: c.corporationId });
        delete body.faction_id;
        if (c.allianceId !== undefined) body.alliance_id = c.allianceId;
        else delete body.alliance_id;
        return { status: 200, body };
      }
      case 'GET /corporations/{corporation_id}': {
        const c = u.corporations.find((x) => x.id === p.corporation_id);
        if (!c) return notFound('Corporation not found');
        const body = this.#generic(req, req.seedKey) as Json;
        const schema = this.#schema(req.op);
        const props = schema && isObject(schema.properties) ? schema.properties : {};
        // Only fields this date's schema has: 2026-07-21 added `type` and made others optional.
        const known: Json = {
          name: c.name,
          ticker: c.ticker,
          member_count: c.memberIds.length,
          ceo_id: c.ceoId,
          creator_id: c.creatorId,
          type: c.npc ? 'npc_owned' : 'player_owned',
        };
        for (const [k, v] of Object.entries(known)) if (k in props) body[k] = v;
        if (c.allianceId !== undefined) body.alliance_id = c.allianceId;
        else delete body.alliance_id;
        // The spec marks these "Player-owned corporation only".
        if (c.npc) for (const k of ['enlisted_faction_id', 'palette']) delete body[k];
        return { status: 200, body };
      }
      case 'GET /alliances/{alliance_id}': {
        const a = u.alliances.find((x) => x.id === p.alliance_id);
        if (!a) return notFound('Alliance not found');
        const body = this.#generic(req, req.seedKey) as Json;
        Object.assign(body, {
          name: a.name,
          ticker: a.ticker,
          executor_corporation_id: a.executorCorporationId,
          creator_id: a.creatorId,
          creator_corporation_id: a.creatorCorporationId,
        });
        delete body.faction_id;
        return { status: 200, body };
      }
      case 'GET /meta/compatibility-dates':
        // The dates this simulator can answer as; ESI lists its own.
        return this.#dates.length > 0
          ? { status: 200, body: { compatibility_dates: [...this.#dates] } }
          : undefined;
      case 'GET /alliances':
        return { status: 200, body: u.alliances.map((a) => a.id) };
      case 'GET /alliances/{alliance_id}/corporations': {
        const a = u.alliances.find((x) => x.id === p.alliance_id);
        return a ? { status: 200, body: [...a.corporationIds] } : notFound('Alliance not found');
      }
      case 'GET /corporations/npccorps':
        return { status: 200, body: u.corporations.filter((c) => c.npc).map((c) => c.id) };
      case 'GET /corporations/{corporation_id}/members': {
        const c = u.corporations.find((x) => x.id === p.corporation_id);
        return c ? { status: 200, body: [...c.memberIds] } : notFound('Corporation not found');
      }
      case 'GET /characters/{character_id}/corporationhistory': {
        const c = u.characters.find((x) => x.id === p.character_id);
        if (!c) return notFound('Character not found');
        const rng = new Prng(req.seedKey);
        const joined = req.dataTime - rng.int(30, 900) * 86_400_000;
        const history = [
          { corporation_id: c.corporationId, record_id: 2, start_date: iso(joined) },
        ];
        if (c.corporationId !== 1000045) {
          history.push({
            corporation_id: 1000045,
            record_id: 1,
            start_date: iso(joined - rng.int(1, 200) * 86_400_000),
          });
        }
        return { status: 200, body: history };
      }
      case 'POST /characters/affiliation': {
        const ids = Array.isArray(req.requestBody) ? req.requestBody : [];
        const body = u.characters
          .filter((c) => ids.includes(c.id))
          .map((c) => ({
            character_id: c.id,
            corporation_id: c.corporationId,
            ...(c.allianceId !== undefined ? { alliance_id: c.allianceId } : {}),
          }));
        return { status: 200, body };
      }
      case 'POST /universe/names': {
        const ids = Array.isArray(req.requestBody) ? req.requestBody : [];
        const found = ids.map((id) => (typeof id === 'number' ? u.byId.get(id) : undefined));
        if (found.some((e) => e === undefined))
          return notFound('Ensure all IDs are valid before resolving.');
        return {
          status: 200,
          body: found.map((e) => ({ id: e!.id, name: e!.name, category: e!.category })),
        };
      }
      case 'POST /universe/ids': {
        const names = Array.isArray(req.requestBody) ? req.requestBody : [];
        const body: Record<string, { id: number; name: string }[]> = {};
        for (const name of names) {
          const e = typeof name === 'string' ? u.byName.get(name.toLowerCase()) : undefined;
          if (!e) continue;
          (body[ID_KEYS[e.category]] ??= []).push({ id: e.id, name: e.name });
        }
        return { status: 200, body };
      }
      default:
        return undefined;
    }
  }
}
