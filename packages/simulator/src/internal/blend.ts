// A date between two loaded spec versions. Each route of a spec carries its own
// `x-compatibility-date` (when it took the form that spec describes); ESI serves a route in that
// form from that date on, not only from the next spec's date. So a request at such a date gets
// the older version, except the routes a newer version dates after the older one and on or
// before the request: those come, with their parameters and shapes, from that newer version.
import type { OperationSpec, OperationTable } from '@esikit/spec';
import type { BodyFactory, BodyRequest, BodyResult } from './bodies.js';
import { Router } from './router.js';
import type { SimCharacter } from '../types.js';

/** What a version needs to answer: bodies for its operations, and the universe's characters. */
export type VersionBodies = Pick<BodyFactory, 'build' | 'character'>;

/** A version as the ESI handler serves it (a loaded spec, or a blend of loaded specs). */
export interface ServedVersion {
  /** The loaded spec's date, or `<base>+<newest route date taken>` for a blend. */
  readonly date: string;
  readonly table: OperationTable;
  readonly bodies: VersionBodies;
  readonly router: Router;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const routeKey = (op: OperationSpec): string => `${op.method} ${op.path}`;

/** Each operation's body from the factory of the spec it came from. */
class BlendedBodies implements VersionBodies {
  readonly #base: VersionBodies;
  readonly #byOp: ReadonlyMap<OperationSpec, VersionBodies>;

  constructor(base: VersionBodies, byOp: ReadonlyMap<OperationSpec, VersionBodies>) {
    this.#base = base;
    this.#byOp = byOp;
  }

  build(req: BodyRequest): BodyResult {
    return (this.#byOp.get(req.op) ?? this.#base).build(req);
  }

  character(id: number): SimCharacter | undefined {
    return this.#base.character(id);
  }
}

/**
 * Blends from `newer` (loaded versions dated after `requested`, oldest first) the routes whose
 * own `x-compatibility-date` is after `base.date` and on or before `requested` into `base`; when
 * several newer versions qualify for a route, the newest wins. Routes only `base` has stay.
 * Returns `base` itself when nothing qualifies. `cache` holds blends by their `date` label, so
 * every requested date that takes the same routes shares one router and one set of cache keys.
 */
export function blendFor(
  base: ServedVersion,
  newer: readonly ServedVersion[],
  requested: string,
  cache: Map<string, ServedVersion>,
): ServedVersion {
  const taken = new Map<string, { op: OperationSpec; from: ServedVersion }>();
  for (const version of newer)
    for (const op of version.table.operations)
      if (
        DATE.test(op.compatibilityDate) &&
        op.compatibilityDate > base.date &&
        op.compatibilityDate <= requested
      )
        taken.set(routeKey(op), { op, from: version });
  if (taken.size === 0) return base;
  // The newest route date taken decides the blend: a later request date that takes no newer
  // route gets the same routes, hence the same label.
  let newest = '';
  for (const { op } of taken.values())
    if (op.compatibilityDate > newest) newest = op.compatibilityDate;
  const date = `${base.date}+${newest}`;
  const known = cache.get(date);
  if (known) return known;

  const byOp = new Map<OperationSpec, VersionBodies>();
  const operations: OperationSpec[] = [];
  for (const op of base.table.operations) if (!taken.has(routeKey(op))) operations.push(op);
  for (const { op, from } of taken.values()) {
    operations.push(op);
    byOp.set(op, from.bodies);
  }
  operations.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const table: OperationTable = { ...base.table, operations };
  let router: Router | undefined;
  const blend: ServedVersion = {
    date,
    table,
    bodies: new BlendedBodies(base.bodies, byOp),
    get router(): Router {
      return (router ??= new Router(table));
    },
  };
  cache.set(date, blend);
  return blend;
}
