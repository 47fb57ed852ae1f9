import type { JsonSchema } from '@esikit/spec';
import { Prng } from './prng.js';
import type { Universe } from './universe.js';

type Json = Record<string, unknown>;

/** Returned by {@link SchemaGenerator.generate} when no value can satisfy the schema. */
export const UNSATISFIABLE: unique symbol = Symbol('unsatisfiable');

export interface GenContext {
  readonly rng: Prng;
  readonly universe: Universe;
  /** The instant the data describes (ms); dates are generated before it. */
  readonly now: number;
  /** Length range for arrays without minItems/maxItems. */
  readonly arrayLength?: readonly [number, number];
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const DAY = 86_400_000;

const WORDS = [
  'ore',
  'fleet',
  'station',
  'contract',
  'haul',
  'mining',
  'market',
  'jump',
  'gate',
  'cargo',
  'patrol',
  'belt',
  'outpost',
  'frigate',
  'cruiser',
  'convoy',
  'refinery',
  'signal',
  'drone',
  'shield',
  'armor',
  'dock',
  'freight',
  'survey',
  'relay',
  'beacon',
  'harbor',
  'nebula',
  'ember',
  'quiet',
  'northern',
  'silver',
  'deep',
  'swift',
  'old',
  'red',
  'iron',
  'blue',
];

/** `count` words; capitalised as a title, or as a sentence. */
function words(rng: Prng, count: number, title: boolean): string {
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const w = rng.pick(WORDS);
    out.push(title || i === 0 ? w[0]!.toUpperCase() + w.slice(1) : w);
  }
  return out.join(' ');
}

/**
 * Generates JSON values that validate against ESI's response schemas. Field names steer the
 * values (`corporation_id` → a corporation of the universe, `structure_id` → an id above 2^31)
 * so bodies are consistent with each other and resolvable through `/universe/names`.
 */
export class SchemaGenerator {
  readonly #schemas: Json;
  readonly #resolved = new Map<string, Json>();

  constructor(document: unknown) {
    const components =
      isObject(document) && isObject(document.components) ? document.components : {};
    this.#schemas = isObject(components.schemas) ? components.schemas : {};
  }

  /** The component schema `name`, for callers that hold a name from the operation table. */
  schema(name: string): JsonSchema | undefined {
    const s = this.#schemas[name];
    return isObject(s) ? s : undefined;
  }

  #deref(schema: Json): Json {
    let current = schema;
    for (let hops = 0; typeof current.$ref === 'string' && hops < 32; hops++) {
      const ref = current.$ref;
      let target = this.#resolved.get(ref);
      if (!target) {
        const name = ref.startsWith('#/components/schemas/')
          ? ref.slice('#/components/schemas/'.length)
          : '';
        const found = this.#schemas[name];
        target = isObject(found) ? found : {};
        this.#resolved.set(ref, target);
      }
      const { $ref: _ref, ...siblings } = current;
      current = { ...target, ...siblings };
    }
    return current;
  }

  /** A value for `schema`; `name` is the property (or parent property) it fills. */
  generate(schema: JsonSchema, ctx: GenContext, name = '', depth = 0): unknown {
    const s = this.#deref(schema);
    if (depth > 24) return UNSATISFIABLE;
    if (Array.isArray(s.oneOf)) return this.#oneOf(s.oneOf as Json[], ctx, name, depth);
    if (Array.isArray(s.enum) && s.enum.length > 0) return ctx.rng.pick(s.enum as unknown[]);
    let type = s.type;
    if (Array.isArray(type)) type = type.find((t) => t !== 'null') ?? 'null';
    switch (type) {
      case 'object':
        return this.#object(s, ctx, depth);
      case 'array':
        return this.#array(s, ctx, name, depth);
      case 'integer':
        return this.#integer(s, ctx, name);
      case 'number':
        return this.#number(s, ctx, name);
      case 'string':
        return this.#string(s, ctx, name);
      case 'boolean':
        return ctx.rng.chance(0.5);
      case 'null':
        return null;
      default:
        return isObject(s.properties) ? this.#object(s, ctx, depth) : {};
    }
  }

  #oneOf(branches: Json[], ctx: GenContext, name: string, depth: number): unknown {
    const resolved = branches.map((b) => this.#deref(b));
    const exclusive = resolved.filter((b) => Array.isArray(b.required) && b.required.length > 0);
    if (exclusive.length > 0) return this.generate(ctx.rng.pick(exclusive), ctx, name, depth + 1);
    // ESI writes tagged unions as objects whose single property is optional; what ESI sends
    // is one branch with its property present, so that is what we send.
    const branch = ctx.rng.pick(resolved);
    const properties = isObject(branch.properties) ? Object.keys(branch.properties) : [];
    return this.generate({ ...branch, required: properties }, ctx, name, depth + 1);
  }

  #object(s: Json, ctx: GenContext, depth: number): unknown {
    const out: Json = {};
    const required = new Set(Array.isArray(s.required) ? (s.required as string[]) : []);
    const properties = isObject(s.properties) ? s.properties : {};
    // One draw from the parent, then one stream per property: a field's value depends on the
    // resource, its name and its own schema, never on its siblings, so two spec versions of a
    // schema agree on the fields they share (compatibility dates serve both).
    const base = ctx.rng.hex(8);
    for (const [key, sub] of Object.entries(properties)) {
      if (!isObject(sub)) continue;
      const rng = new Prng(`${base}|${key}`);
      // Drawn even for required fields, so a field that became optional keeps its value.
      const present = rng.chance(0.8);
      if (!required.has(key) && !present) continue;
      const value = this.generate(sub, { ...ctx, rng }, key, depth + 1);
      if (value === UNSATISFIABLE) {
        if (required.has(key)) return UNSATISFIABLE;
        continue;
      }
      out[key] = value;
    }
    if (isObject(s.additionalProperties)) {
      const rng = new Prng(`${base}|*`);
      const count = rng.int(1, 2);
      for (let i = 0; i < count; i++) {
        const key = new Date(ctx.now - i * DAY).toISOString().slice(0, 10);
        const value = this.generate(s.additionalProperties, { ...ctx, rng }, key, depth + 1);
        if (value !== UNSATISFIABLE) out[key] = value;
      }
    }
    return out;
  }

  #array(s: Json, ctx: GenContext, name: string, depth: number): unknown {
    if (!isObject(s.items)) return [];
    const [lo, hi] = ctx.arrayLength ?? [1, 4];
    const min = typeof s.minItems === 'number' ? s.minItems : 0;
    const max = typeof s.maxItems === 'number' ? s.maxItems : Math.max(min, hi);
    const length = ctx.rng.int(Math.max(min, Math.min(lo, max)), Math.max(min, Math.min(hi, max)));
    const out: unknown[] = [];
    const seen = new Set<string>();
    // Element names come from the array's name: `character_ids` holds character ids.
    const itemName = name.endsWith('s') ? name.slice(0, -1) : name;
    for (let attempts = 0; out.length < length && attempts < length * 4; attempts++) {
      const value = this.generate(s.items, ctx, itemName, depth + 1);
      if (value === UNSATISFIABLE) return out.length >= min ? out : UNSATISFIABLE;
      if (s.uniqueItems === true) {
        const key = JSON.stringify(value);
        if (seen.has(key)) continue;
        seen.add(key);
      }
      out.push(value);
    }
    return out.length >= min ? out : UNSATISFIABLE;
  }

  #integer(s: Json, ctx: GenContext, name: string): number {
    const { rng, universe: u } = ctx;
    let value: number;
    if (/corporation_id$/.test(name)) value = rng.pick(u.corporations).id;
    else if (/alliance_id$/.test(name)) value = rng.pick(u.alliances).id;
    else if (/character_id$|^(ceo|creator|issuer|sender|installer|character)_?id$/.test(name))
      value = rng.pick(u.characters).id;
    else if (/(solar_)?system_id$/.test(name)) value = rng.pick(u.systems).id;
    else if (/station_id$/.test(name)) value = rng.pick(u.stations).id;
    else if (/(^|_)type_id$/.test(name)) value = rng.pick(u.types).id;
    else if (/skill_id$/.test(name)) value = rng.pick(u.skills).id;
    // The four empire races (ids 1, 2, 4, 8) and their bloodlines and ancestries.
    else if (name === 'race_id') value = rng.pick([1, 2, 4, 8]);
    else if (name === 'bloodline_id') value = rng.int(1, 14);
    else if (name === 'ancestry_id') value = rng.int(1, 42);
    else if (/region_id$/.test(name)) value = rng.pick([10000002, 10000043]);
    else if (/constellation_id$/.test(name)) value = 20000020;
    else if (/faction_id$/.test(name)) value = rng.pick([500001, 500003]);
    else if (/location_id$/.test(name))
      value = rng.chance(0.5) ? rng.pick(u.stations).id : rng.pick(u.structureIds);
    else if (/(structure|item|office|observer|starbase|skyhook|hub)_id$/.test(name))
      value = rng.pick(u.structureIds) + rng.int(0, 9_999) * (name.startsWith('structure') ? 0 : 1);
    else if (/_id$|^id$/.test(name)) value = rng.int(1, 2_000_000_000);
    // Skill, PI upgrade and similar levels run 0–5 in EVE.
    else if (/(^|_)level$/.test(name)) value = rng.int(0, 5);
    // Tranquility's usual online count.
    else if (name === 'players') value = rng.int(8_000, 38_000);
    else if (/quantity|count|amount|runs|points|_sp$/.test(name)) value = rng.int(1, 5_000);
    else value = rng.int(0, 1_000_000);
    const min = typeof s.minimum === 'number' ? s.minimum : undefined;
    const max = typeof s.maximum === 'number' ? s.maximum : undefined;
    if ((min !== undefined && value < min) || (max !== undefined && value > max)) {
      value = rng.int(
        Math.ceil(min ?? Math.min(0, max ?? 0)),
        Math.floor(max ?? (min ?? 0) + 1000),
      );
    }
    if (s.format === 'int32') value = Math.min(value, 2_147_483_647);
    return value;
  }

  #number(s: Json, ctx: GenContext, name: string): number {
    const { rng } = ctx;
    let value = /security|standing|tax|rate|ratio|modifier/.test(name)
      ? Math.round((rng.next() * 2 - 1) * 1000) / 100
      : Math.round(rng.next() * 100_000_000) / 100;
    if (/tax|rate|ratio/.test(name)) value = Math.abs(value) / 10;
    const min = typeof s.minimum === 'number' ? s.minimum : undefined;
    const max = typeof s.maximum === 'number' ? s.maximum : undefined;
    if (min !== undefined && value < min) value = min;
    if (max !== undefined && value > max) value = max;
    return value;
  }

  #string(s: Json, ctx: GenContext, name: string): string {
    const { rng } = ctx;
    switch (s.format) {
      case 'date-time':
        // Whole seconds, like ESI.
        return new Date(Math.floor((ctx.now - rng.int(0, 30 * DAY)) / 1000) * 1000)
          .toISOString()
          .replace('.000Z', 'Z');
      case 'date':
        return new Date(ctx.now - rng.int(0, 365) * DAY).toISOString().slice(0, 10);
      case 'uuid':
        return rng.uuid();
      default:
        break;
    }
    let out: string;
    if (name === 'ticker') out = rng.hex(4).toUpperCase();
    else if (/url/.test(name)) out = `https://example.invalid/${rng.hex(8)}`;
    // Hashes are one token: killmail hashes are 40 hex digits, owner hashes base64.
    else if (/owner_hash$/.test(name)) out = Buffer.from(rng.hex(40), 'hex').toString('base64');
    else if (/hash$/.test(name)) out = rng.hex(40);
    else if (/(^|_)(version|code|key|token|uuid)$/.test(name))
      out = `${rng.int(1, 9)}.${rng.hex(6)}`;
    else if (/name|title|label|subject/.test(name)) out = words(rng, rng.int(2, 3), true);
    // Free text reads like text: words and a full stop, not a field name and a hex blob.
    else out = `${words(rng, rng.int(4, 12), false)}.`;
    const minLength = typeof s.minLength === 'number' ? s.minLength : 0;
    const maxLength = typeof s.maxLength === 'number' ? s.maxLength : Infinity;
    if (out.length < minLength) out = out.padEnd(minLength, 'x');
    if (out.length > maxLength) out = out.slice(0, maxLength);
    return out;
  }
}
