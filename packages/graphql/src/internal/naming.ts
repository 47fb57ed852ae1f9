// The naming rule, in one place, so every generated name is derived the same way and the
// README can state it exactly. Names come from paths and property names, not operationIds:
// CCP renames operationIds between spec dates (GetCharactersCharacterId → GetCharactersDetail)
// while paths and properties stay.
import type { EsiOperation } from '@esikit/core';

const NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;

/** Entities: linked from `<x>_id` properties, target of type merging, root field `x(x_id)`. */
export interface EntityKind {
  /** GraphQL type name. */
  readonly type: string;
  /** Root query field. */
  readonly field: string;
  /** The GET path of one entity. */
  readonly path: string;
  /** Its path parameter. */
  readonly param: string;
  /** Property names (without `_id`) that link to it. */
  readonly links: readonly string[];
  /** Component schema names of its id (`CharacterID`), which link wherever they are used. */
  readonly idSchemas: readonly string[];
}

export const ENTITIES: readonly EntityKind[] = [
  {
    type: 'Character',
    field: 'character',
    path: '/characters/{character_id}',
    param: 'character_id',
    links: ['character'],
    idSchemas: ['CharacterID'],
  },
  {
    type: 'Corporation',
    field: 'corporation',
    path: '/corporations/{corporation_id}',
    param: 'corporation_id',
    links: ['corporation'],
    idSchemas: ['CorporationID'],
  },
  {
    type: 'Alliance',
    field: 'alliance',
    path: '/alliances/{alliance_id}',
    param: 'alliance_id',
    links: ['alliance'],
    idSchemas: ['AllianceID'],
  },
  {
    type: 'InventoryType',
    field: 'inventoryType',
    path: '/universe/types/{type_id}',
    param: 'type_id',
    links: ['type', 'ship_type'],
    idSchemas: ['TypeID'],
  },
  {
    type: 'SolarSystem',
    field: 'solarSystem',
    path: '/universe/systems/{system_id}',
    param: 'system_id',
    links: ['system', 'solar_system'],
    idSchemas: ['SolarSystemID', 'SystemID'],
  },
  {
    type: 'Station',
    field: 'station',
    path: '/universe/stations/{station_id}',
    param: 'station_id',
    links: ['station'],
    idSchemas: ['StationID'],
  },
  {
    type: 'Region',
    field: 'region',
    path: '/universe/regions/{region_id}',
    param: 'region_id',
    links: ['region'],
    idSchemas: ['RegionID'],
  },
  {
    type: 'Constellation',
    field: 'constellation',
    path: '/universe/constellations/{constellation_id}',
    param: 'constellation_id',
    links: ['constellation'],
    idSchemas: ['ConstellationID'],
  },
];

/** Entities whose sub-resources (`/characters/{character_id}/wallet`) are also its fields. */
export const OWNER_ENTITIES = ['Character', 'Corporation', 'Alliance'] as const;

const isPlaceholder = (segment: string): boolean => segment.startsWith('{');

// The same few hundred property and path words come up thousands of times in one build.
const pascalCache = new Map<string, string>();

/** `solar_system` / `mercenary-dens` / `fw` → `SolarSystem` / `MercenaryDens` / `Fw`. */
export function pascal(words: string): string {
  let out = pascalCache.get(words);
  if (out === undefined) {
    out = words
      .split(/[^0-9A-Za-z]+/)
      .filter((w) => w !== '')
      .map((w) => w[0]!.toUpperCase() + w.slice(1))
      .join('');
    pascalCache.set(words, out);
  }
  return out;
}

export function camel(words: string): string {
  const p = pascal(words);
  return p === '' ? p : p[0]!.toLowerCase() + p.slice(1);
}

/**
 * Words of a path: the literal segments, placeholders dropped, plus `ById` when the path ends
 * in a placeholder (one item of a collection).
 */
function pathWords(segments: readonly string[]): string {
  const words = segments.filter((s) => !isPlaceholder(s)).join('_');
  return segments.length > 0 && isPlaceholder(segments.at(-1)!) ? `${words}_by_id` : words;
}

/**
 * The root field of an operation. Query: the entity's field for an entity GET, else the path's
 * words in camelCase (`/markets/{region_id}/orders` → `marketsOrders`,
 * `/universe/types/{type_id}` → `inventoryType`, `/wars/{war_id}` → `warsById`). Mutation: the
 * method, then the words (`postCharactersMail`, `deleteCharactersContacts`).
 */
export function rootFieldName(op: EsiOperation): string {
  const entity = ENTITIES.find((e) => e.path === op.path && op.method === 'GET');
  if (entity) return entity.field;
  const words = camel(pathWords(op.path.split('/').filter((s) => s !== '')));
  if (op.readOnly) return words;
  return op.method.toLowerCase() + words[0]!.toUpperCase() + words.slice(1);
}

/**
 * The field on an owner entity for one of its sub-resources: the path's words after the
 * entity's own path (`/characters/{character_id}/wallet/journal` → `walletJournal`).
 */
export function entityFieldName(op: EsiOperation, entity: EntityKind): string | undefined {
  if (op.method !== 'GET' || !op.path.startsWith(`${entity.path}/`)) return undefined;
  const rest = op.path.slice(entity.path.length + 1).split('/');
  return camel(pathWords(rest));
}

/** Whether a string can be a GraphQL name. */
export function isGraphQLName(value: string): boolean {
  return NAME.test(value) && !value.startsWith('__');
}

/**
 * An enum value's GraphQL name: the value itself when it is a valid name (and not
 * `true`/`false`/`null`); otherwise every character outside `[_0-9A-Za-z]` becomes `_`, a
 * leading digit gets a `_` prefix (`1` → `_1`, `low-sec` → `low_sec`), and a clash gets `_2`,
 * `_3`… in spec order. The value sent to and read from ESI is always the original string.
 */
export function enumValueNames(values: readonly unknown[]): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const value of values) {
    let name = String(value).replace(/[^_0-9A-Za-z]/g, '_');
    if (name === '' || /^[0-9]/.test(name) || name.startsWith('__')) name = `_${name}`;
    if (name === 'true' || name === 'false' || name === 'null') name = `${name}_`;
    let unique = name;
    for (let n = 2; out.has(unique); n++) unique = `${name}_${n}`;
    out.set(unique, value);
  }
  return out;
}
