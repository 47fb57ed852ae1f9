import type { SimCharacter } from '../types.js';
import { Prng } from './prng.js';

/** Categories `POST /universe/names` reports. */
export type EntityCategory =
  | 'alliance'
  | 'character'
  | 'constellation'
  | 'corporation'
  | 'faction'
  | 'inventory_type'
  | 'region'
  | 'solar_system'
  | 'station';

export interface UniverseEntity {
  readonly id: number;
  readonly name: string;
  readonly category: EntityCategory;
}

export interface SimCorporation {
  readonly id: number;
  readonly name: string;
  readonly ticker: string;
  readonly allianceId?: number;
  readonly ceoId: number;
  readonly creatorId: number;
  readonly memberIds: readonly number[];
  readonly npc: boolean;
}

export interface SimAlliance {
  readonly id: number;
  readonly name: string;
  readonly ticker: string;
  readonly executorCorporationId: number;
  readonly creatorId: number;
  readonly creatorCorporationId: number;
  readonly corporationIds: readonly number[];
}

/** An NPC station and where it is: market orders in a region sit in its stations. */
export interface SimStation {
  readonly id: number;
  readonly systemId: number;
  readonly regionId: number;
}

/**
 * Id ranges CCP documents per entity kind (ESI docs, "ID ranges"; the table is not in the
 * shared docs snapshot, so the ranges are those the simulator's brief quotes from it). Every
 * generated id of these kinds lies in its range; `plausible-data.test.ts` checks it.
 */
export const ID_RANGES = {
  /**
   * Characters created 2010–2016, and those created after 2016-05-30 (2,100,000,000 up to
   * 2,147,483,647: ids stay signed 32-bit integers). Upper bounds here are exclusive.
   */
  character: [
    [90_000_000, 98_000_000],
    [2_100_000_000, 2 ** 31],
  ],
  playerCorporation: [[98_000_000, 99_000_000]],
  npcCorporation: [[1_000_000, 2_000_000]],
  alliance: [[99_000_000, 100_000_000]],
  region: [[10_000_000, 13_000_000]],
  constellation: [[20_000_000, 23_000_000]],
  solarSystem: [[30_000_000, 33_000_000]],
  station: [[60_000_000, 64_000_000]],
  /** Items (assets, jobs' blueprints …) and, from 1.02e12, Upwell structures. */
  item: [[1_000_000_000_000, Number.MAX_SAFE_INTEGER]],
  structure: [[1_020_000_000_000, Number.MAX_SAFE_INTEGER]],
  type: [[0, 100_000_000]],
} as const satisfies Record<string, readonly (readonly [number, number])[]>;

/** The small, consistent world every generated body draws its ids and names from. */
export interface Universe {
  readonly characters: readonly SimCharacter[];
  readonly corporations: readonly SimCorporation[];
  readonly alliances: readonly SimAlliance[];
  /** Static places and things (real New Eden ids) so location ids resolve too. */
  readonly systems: readonly UniverseEntity[];
  readonly stations: readonly UniverseEntity[];
  readonly types: readonly UniverseEntity[];
  /** Real skill type ids (also in `types`' category, resolvable by name). */
  readonly skills: readonly UniverseEntity[];
  /** Trade-hub stations with their system and region. */
  readonly stationsWhere: readonly SimStation[];
  /** Player structures: ids above 2^31 (~1.03e12), like Upwell structures. */
  readonly structureIds: readonly number[];
  readonly byId: ReadonlyMap<number, UniverseEntity>;
  /** Lower-cased name → entity, for `POST /universe/ids`. */
  readonly byName: ReadonlyMap<string, UniverseEntity>;
}

const FIRST = [
  'Aria',
  'Bren',
  'Cyra',
  'Dax',
  'Eko',
  'Fenna',
  'Goro',
  'Hale',
  'Ilsa',
  'Jorun',
  'Kaito',
  'Liss',
  'Mako',
  'Nira',
  'Oren',
  'Pell',
];
const LAST = [
  'Vashti',
  'Okonkwo',
  'Tallis',
  'Raines',
  'Kusanagi',
  'Draal',
  'Velkor',
  'Amarin',
  'Solberg',
  'Ishukone',
  'Tarrant',
  'Mbeki',
];
const CORP_WORDS = [
  'Deep Core',
  'Void Runners',
  'Blackwater',
  'Iron Lotus',
  'Stellar Forge',
  'Quiet Tide',
  'Red Meridian',
  'Ashen Veil',
];
const ALLIANCE_WORDS = [
  'Coalition of the Unbroken',
  'Northern Reach Compact',
  'Silent Accord',
  'Ember Sovereignty',
];

const STATIC: readonly UniverseEntity[] = [
  { id: 10000002, name: 'The Forge', category: 'region' },
  { id: 10000043, name: 'Domain', category: 'region' },
  { id: 10000032, name: 'Sinq Laison', category: 'region' },
  { id: 10000030, name: 'Heimatar', category: 'region' },
  { id: 10000042, name: 'Metropolis', category: 'region' },
  { id: 20000020, name: 'Kimotoro', category: 'constellation' },
  { id: 30000142, name: 'Jita', category: 'solar_system' },
  { id: 30000144, name: 'Perimeter', category: 'solar_system' },
  { id: 30002187, name: 'Amarr', category: 'solar_system' },
  { id: 30002659, name: 'Dodixie', category: 'solar_system' },
  { id: 30002510, name: 'Rens', category: 'solar_system' },
  { id: 30002053, name: 'Hek', category: 'solar_system' },
  { id: 60003760, name: 'Jita IV - Moon 4 - Caldari Navy Assembly Plant', category: 'station' },
  { id: 60008494, name: 'Amarr VIII (Oris) - Emperor Family Academy', category: 'station' },
  {
    id: 60011866,
    name: 'Dodixie IX - Moon 20 - Federation Navy Assembly Plant',
    category: 'station',
  },
  { id: 60004588, name: 'Rens VI - Moon 8 - Brutor Tribe Treasury', category: 'station' },
  { id: 60005686, name: 'Hek VIII - Moon 12 - Boundless Creation Factory', category: 'station' },
  { id: 34, name: 'Tritanium', category: 'inventory_type' },
  { id: 35, name: 'Pyerite', category: 'inventory_type' },
  { id: 587, name: 'Rifter', category: 'inventory_type' },
  { id: 24698, name: 'Drake', category: 'inventory_type' },
  { id: 500001, name: 'Caldari State', category: 'faction' },
  { id: 500003, name: 'Amarr Empire', category: 'faction' },
];

/** Where each trade hub is (station → system → region). */
const STATION_PLACES: readonly SimStation[] = [
  { id: 60003760, systemId: 30000142, regionId: 10000002 },
  { id: 60008494, systemId: 30002187, regionId: 10000043 },
  { id: 60011866, systemId: 30002659, regionId: 10000032 },
  { id: 60004588, systemId: 30002510, regionId: 10000030 },
  { id: 60005686, systemId: 30002053, regionId: 10000042 },
];

/** Skills every character starts with or trains early: real type ids from EVE's static data. */
const SKILLS: readonly UniverseEntity[] = [
  { id: 3300, name: 'Gunnery', category: 'inventory_type' },
  { id: 3301, name: 'Small Hybrid Turret', category: 'inventory_type' },
  { id: 3302, name: 'Small Projectile Turret', category: 'inventory_type' },
  { id: 3303, name: 'Small Energy Turret', category: 'inventory_type' },
  { id: 3319, name: 'Missile Launcher Operation', category: 'inventory_type' },
  { id: 3327, name: 'Spaceship Command', category: 'inventory_type' },
  { id: 3328, name: 'Gallente Frigate', category: 'inventory_type' },
  { id: 3329, name: 'Minmatar Frigate', category: 'inventory_type' },
  { id: 3330, name: 'Caldari Frigate', category: 'inventory_type' },
  { id: 3331, name: 'Amarr Frigate', category: 'inventory_type' },
  { id: 3380, name: 'Industry', category: 'inventory_type' },
  { id: 3386, name: 'Mining', category: 'inventory_type' },
  { id: 3392, name: 'Mechanics', category: 'inventory_type' },
  { id: 3402, name: 'Science', category: 'inventory_type' },
  { id: 3426, name: 'CPU Management', category: 'inventory_type' },
  { id: 3443, name: 'Trade', category: 'inventory_type' },
  { id: 3449, name: 'Navigation', category: 'inventory_type' },
];

/** Half of the post-2016 character range 2,100,000,000–2,147,483,647. */
const NEW_ERA_HALF = (2 ** 31 - 2_100_000_000) / 2;

/** Science and Trade Institute: where new characters start. */
const NPC_CORP_ID = 1000045;

/**
 * Builds the universe for a seed: 10 characters in 4 player corporations (plus one in an NPC
 * corporation), 2 alliances. Eight character ids are in the 90M–98M range, two in the newer
 * 2,100,000,000–2,147,483,647 range; structure and item ids lie above 2^31, as on EVE.
 */
export function createUniverse(seed: number): Universe {
  const rng = new Prng(`universe:${seed}`);
  const usedNames = new Set<string>();
  const uniqueName = (make: () => string): string => {
    for (;;) {
      const name = make();
      if (!usedNames.has(name.toLowerCase())) {
        usedNames.add(name.toLowerCase());
        return name;
      }
    }
  };
  const ticker = (name: string): string =>
    (name.replace(/[^A-Za-z]/g, '').slice(0, 3) + rng.hex(2)).toUpperCase().slice(0, 5);

  const characterIds: number[] = [];
  for (let i = 0; i < 10; i++) {
    // Eight older characters spread over 90M–98M (one million each), two of the newer era,
    // each in its half of 2.1e9–2^31 so they stay distinct.
    characterIds.push(
      i < 8
        ? 90_000_000 + i * 1_000_000 + rng.int(1, 999_999)
        : 2_100_000_000 + (i - 8) * NEW_ERA_HALF + rng.int(1, NEW_ERA_HALF - 1),
    );
  }
  const corpIds = [0, 1, 2, 3].map((i) => 98_000_000 + i * 100_000 + rng.int(1, 99_999));
  const allianceIds = [0, 1].map((i) => 99_000_000 + i * 100_000 + rng.int(1, 99_999));
  // Corporation membership: 3, 3, 2, 1 characters; the tenth is still in the NPC corporation.
  const memberPlan = [[0, 1, 2], [3, 4, 5], [6, 7], [8]];
  const corpAlliance = [allianceIds[0], allianceIds[0], allianceIds[1], undefined];

  const characters: SimCharacter[] = characterIds.map((id, i) => {
    const corpIndex = memberPlan.findIndex((m) => m.includes(i));
    const corporationId = corpIndex >= 0 ? corpIds[corpIndex]! : NPC_CORP_ID;
    const allianceId = corpIndex >= 0 ? corpAlliance[corpIndex] : undefined;
    return {
      id,
      name: uniqueName(() => `${rng.pick(FIRST)} ${rng.pick(LAST)}`),
      corporationId,
      ...(allianceId !== undefined ? { allianceId } : {}),
      ownerHash: Buffer.from(rng.hex(40), 'hex').toString('base64'),
    };
  });

  const corporations: SimCorporation[] = corpIds.map((id, i) => {
    const name = uniqueName(
      () =>
        `${rng.pick(CORP_WORDS)} ${rng.pick(['Industries', 'Holdings', 'Syndicate', 'Collective'])}`,
    );
    const members = memberPlan[i]!.map((m) => characterIds[m]!);
    const allianceId = corpAlliance[i];
    return {
      id,
      name,
      ticker: ticker(name),
      ...(allianceId !== undefined ? { allianceId } : {}),
      ceoId: members[0]!,
      creatorId: members[0]!,
      memberIds: members,
      npc: false,
    };
  });
  corporations.push({
    id: NPC_CORP_ID,
    name: 'Science and Trade Institute',
    ticker: 'SCTI',
    ceoId: 3004057,
    creatorId: 1,
    memberIds: [characterIds[9]!],
    npc: true,
  });

  const alliances: SimAlliance[] = allianceIds.map((id) => {
    const name = uniqueName(() => rng.pick(ALLIANCE_WORDS));
    const corps = corporations.filter((c) => c.allianceId === id);
    const executor = corps[0]!;
    return {
      id,
      name,
      ticker: ticker(name),
      executorCorporationId: executor.id,
      creatorId: executor.ceoId,
      creatorCorporationId: executor.id,
      corporationIds: corps.map((c) => c.id),
    };
  });

  const structureIds = [0, 1, 2, 3].map(() => 1_030_000_000_000 + rng.int(1, 99_999_999));

  const entities: UniverseEntity[] = [
    ...characters.map((c) => ({ id: c.id, name: c.name, category: 'character' as const })),
    ...corporations.map((c) => ({ id: c.id, name: c.name, category: 'corporation' as const })),
    ...alliances.map((a) => ({ id: a.id, name: a.name, category: 'alliance' as const })),
    ...STATIC,
    ...SKILLS,
  ];
  const byId = new Map(entities.map((e) => [e.id, e]));
  const byName = new Map(entities.map((e) => [e.name.toLowerCase(), e]));
  return {
    characters,
    corporations,
    alliances,
    systems: STATIC.filter((e) => e.category === 'solar_system'),
    stations: STATIC.filter((e) => e.category === 'station'),
    types: STATIC.filter((e) => e.category === 'inventory_type'),
    skills: SKILLS,
    stationsWhere: STATION_PLACES,
    structureIds,
    byId,
    byName,
  };
}
