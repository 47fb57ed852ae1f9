import { readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import {
  compileSpec,
  findSpecFile,
  NO_SPEC_HINT,
  type OperationTable,
  readSpecFile,
} from '@esikit/spec';
import type { SimulatorClock } from '../clock.js';
import { SimulatorError } from '../errors.js';
import { BodyFactory } from './bodies.js';
import { blendFor, type ServedVersion } from './blend.js';
import { SchemaGenerator } from './datagen.js';
import { Router } from './router.js';
import type { Universe } from './universe.js';

/** A spec as the options give it: a file path or the parsed document. */
export type SpecSource = string | object;

/** One loaded spec version: what ESI served at its compatibility date. */
export interface SpecVersion extends ServedVersion {
  /** `info.version` of the spec, e.g. `2025-12-16`. */
  readonly date: string;
  readonly bodies: BodyFactory;
  /** Built on the first request at this date: most runs only ever use one version. */
  readonly router: Router;
}

/** The version a request is served with, or why its date is refused (`400`). */
export type DateChoice =
  | { readonly version: ServedVersion; readonly problem?: undefined }
  | { readonly version?: undefined; readonly problem: string };

const ESI_DAY_OFFSET_MS = 11 * 3_600_000;
/** Other versions next to the default spec file, e.g. `openapi-2025-12-16.json`. */
const VERSIONED_FILE = /^openapi-(\d{4}-\d{2}-\d{2})\.json$/;

function describe(source: SpecSource): string {
  return typeof source === 'string' ? source : 'the document given';
}

/**
 * The default spec list: the file `findSpecFile()` finds, plus every `openapi-YYYY-MM-DD.json`
 * beside it (other compatibility dates, as `/work/shared/esi/` keeps them).
 */
export async function defaultSpecSources(): Promise<string[]> {
  const file = findSpecFile();
  if (!file)
    throw new SimulatorError(
      'ESIKIT_SIMULATOR_NO_SPEC',
      `startSimulator: no ESI spec given and none found. ${NO_SPEC_HINT}`,
    );
  const dir = dirname(file);
  const siblings = (await readdir(dir).catch(() => [] as string[]))
    .filter((name) => VERSIONED_FILE.test(name) && name !== basename(file))
    .sort()
    .map((name) => join(dir, name));
  return [file, ...siblings];
}

/** Reads and compiles each spec; the result is sorted oldest first, one per date. */
export async function loadSpecs(
  sources: readonly SpecSource[],
  option: string,
  dropDuplicateDates: boolean,
): Promise<{ date: string; table: OperationTable; document: unknown }[]> {
  const loaded = await Promise.all(
    sources.map(async (source, i) => {
      const document = typeof source === 'string' ? await readSpecFile(source) : source;
      const table = compileSpec(document);
      if (!/^\d{4}-\d{2}-\d{2}$/.test(table.compatibilityDate)) {
        throw new SimulatorError(
          'ESIKIT_SIMULATOR_OPTION',
          `startSimulator: option "${option}[${i}]" (${describe(source)}) has info.version ${JSON.stringify(table.compatibilityDate)}, not a YYYY-MM-DD compatibility date`,
        );
      }
      return { date: table.compatibilityDate, table, document, source, i };
    }),
  );
  const byDate = new Map<string, (typeof loaded)[number]>();
  for (const spec of loaded) {
    const earlier = byDate.get(spec.date);
    if (earlier) {
      // The default list may find the same date twice (a copy beside the current file).
      if (dropDuplicateDates) continue;
      throw new SimulatorError(
        'ESIKIT_SIMULATOR_OPTION',
        `startSimulator: option "${option}[${spec.i}]" (${describe(spec.source)}) has the compatibility date ${spec.date} of "${option}[${earlier.i}]"; give one spec per date`,
      );
    }
    byDate.set(spec.date, spec);
  }
  return [...byDate.values()]
    .sort((a, b) => (a.date < b.date ? -1 : 1))
    .map(({ date, table, document }) => ({ date, table, document }));
}

/**
 * ESI's baseline: the earliest `x-compatibility-date` of any route (`2020-01-01` in CCP's specs),
 * i.e. the oldest date whose behaviour the spec still describes.
 */
export function baselineDate(tables: readonly OperationTable[]): string {
  let oldest = tables[0]!.compatibilityDate;
  for (const t of tables)
    for (const op of t.operations)
      if (/^\d{4}-\d{2}-\d{2}$/.test(op.compatibilityDate) && op.compatibilityDate < oldest)
        oldest = op.compatibilityDate;
  return oldest;
}

/**
 * The loaded spec versions and the rule that picks one per request: the newest version whose
 * date is on or before the requested `X-Compatibility-Date`, with the routes a newer version
 * dates (by their own `x-compatibility-date`) after it and on or before the request taken from
 * that newer version (see blend.ts); no date → the oldest version; a date before `minimum` (the
 * oldest ESI supports) → refused; a supported date older than every loaded version → the oldest
 * version, the nearest the simulator has.
 */
export class SpecVersions {
  /** Oldest first. */
  readonly all: readonly SpecVersion[];
  /** The oldest date accepted. */
  readonly minimum: string;
  readonly #clock: SimulatorClock;
  /** Blends of loaded versions for dates between them, by label. */
  readonly #blends = new Map<string, ServedVersion>();

  constructor(
    specs: readonly { date: string; table: OperationTable; document: unknown }[],
    universe: Universe,
    anchor: number,
    clock: SimulatorClock,
    minimum: string,
  ) {
    this.minimum = minimum;
    const dates = specs.map((s) => s.date);
    this.all = specs.map(({ date, table, document }) => {
      let router: Router | undefined;
      return {
        date,
        table,
        bodies: new BodyFactory(new SchemaGenerator(document), universe, anchor, dates),
        get router(): Router {
          return (router ??= new Router(table));
        },
      };
    });
    this.#clock = clock;
  }

  get oldest(): SpecVersion {
    return this.all[0]!;
  }

  get newest(): SpecVersion {
    return this.all[this.all.length - 1]!;
  }

  /** The version for a request's `X-Compatibility-Date` (or `compatibility_date`) value. */
  select(requested: string | undefined): DateChoice {
    if (requested === undefined) return { version: this.oldest };
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(requested);
    const parsed = m ? new Date(`${requested}T00:00:00Z`) : undefined;
    if (
      !parsed ||
      Number.isNaN(parsed.getTime()) ||
      parsed.toISOString().slice(0, 10) !== requested
    ) {
      return {
        problem: `Invalid X-Compatibility-Date ${JSON.stringify(requested)}: expected YYYY-MM-DD`,
      };
    }
    // ESI's day changes at 11:00 UTC.
    const today = new Date(this.#clock.now() - ESI_DAY_OFFSET_MS).toISOString().slice(0, 10);
    if (requested > today)
      return { problem: `X-Compatibility-Date ${requested} is in the future (today is ${today})` };
    if (requested < this.minimum) {
      return {
        problem: `X-Compatibility-Date ${requested} is before the oldest supported compatibility date ${this.minimum}`,
      };
    }
    let chosen = this.oldest;
    for (const v of this.all) if (v.date <= requested) chosen = v;
    const newer = this.all.filter((v) => v.date > requested);
    if (newer.length === 0 || chosen.date > requested) return { version: chosen };
    return { version: blendFor(chosen, newer, requested, this.#blends) };
  }
}
