import { Prng } from './prng.js';

/**
 * Record streams behind the cursor and from_id routes. A stream is a sequence of events, one
 * every `intervalMs` from an anchor: events at or before the anchor are history; later ones
 * appear as the simulator clock moves, so an `after` cursor kept from an earlier walk yields
 * only what changed since.
 */
export interface StreamRecord {
  /** Stable record id within the stream. */
  readonly id: number;
  /** When the record was created or last modified (ms). */
  readonly modified: number;
}

export interface StreamOptions {
  readonly key: string;
  readonly anchor: number;
  readonly intervalMs: number;
  /** Records that exist at the anchor. */
  readonly history: number;
  readonly now: number;
  /** Whether later events may modify earlier records (wallet transactions never change). @default true */
  readonly mutable?: boolean;
}

/** Events beyond this many after the anchor are not replayed (days of simulated time). */
const MAX_EVENTS = 20_000;

/**
 * The stream's current records ordered oldest-modified first. After the anchor each event
 * either creates a record or modifies an existing one (its position moves to the end).
 */
export function streamRecords(o: StreamOptions): StreamRecord[] {
  const records = new Map<number, number>();
  for (let i = 0; i < o.history; i++) {
    records.set(i + 1, o.anchor - (o.history - 1 - i) * o.intervalMs);
  }
  const events = Math.min(MAX_EVENTS, Math.floor((o.now - o.anchor) / o.intervalMs));
  let nextId = o.history + 1;
  for (let k = 1; k <= events; k++) {
    const rng = new Prng(`${o.key}|event|${k}`);
    const at = o.anchor + k * o.intervalMs;
    if (o.mutable === false || rng.chance(0.6)) {
      records.set(nextId++, at);
    } else {
      const id = rng.int(1, nextId - 1);
      records.delete(id);
      records.set(id, at);
    }
  }
  return [...records]
    .map(([id, modified]) => ({ id, modified }))
    .sort((a, b) => a.modified - b.modified || a.id - b.id);
}

/** A position in a stream, opaque to clients. */
export function encodeCursor(record: StreamRecord): string {
  return Buffer.from(`${record.modified}:${record.id}`).toString('base64url');
}

function decodeCursor(token: string): { modified: number; id: number } | undefined {
  const m = /^(\d+):(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  return m ? { modified: Number(m[1]), id: Number(m[2]) } : undefined;
}

function compare(r: StreamRecord, p: { modified: number; id: number }): number {
  return r.modified - p.modified || r.id - p.id;
}

export interface CursorPage {
  readonly records: readonly StreamRecord[];
  readonly cursor: { readonly before?: string; readonly after?: string };
}

/**
 * One cursor page, per esi-docs_pagination_cursor-based.md: no token → the newest `limit`;
 * `before` → the `limit` records just older than the token; `after` → the `limit` just newer.
 * `'0'` means the very start (`after`) or the very end (`before`). An empty page echoes the
 * token so the caller can keep polling with it.
 */
export function cursorPage(
  records: readonly StreamRecord[],
  query: { before?: string; after?: string; limit: number },
): CursorPage | { error: string } {
  if (query.before !== undefined && query.after !== undefined) {
    return { error: 'before and after are mutually exclusive' };
  }
  let slice: readonly StreamRecord[];
  const token = query.before ?? query.after;
  if (query.after !== undefined) {
    if (query.after === '0') {
      slice = records.slice(0, query.limit);
    } else {
      const p = decodeCursor(query.after);
      if (!p) return { error: `invalid cursor in after: ${JSON.stringify(query.after)}` };
      slice = records.filter((r) => compare(r, p) > 0).slice(0, query.limit);
    }
  } else if (query.before !== undefined && query.before !== '0') {
    const p = decodeCursor(query.before);
    if (!p) return { error: `invalid cursor in before: ${JSON.stringify(query.before)}` };
    const older = records.filter((r) => compare(r, p) < 0);
    slice = older.slice(Math.max(0, older.length - query.limit));
  } else {
    slice = records.slice(Math.max(0, records.length - query.limit));
  }
  const first = slice[0];
  const last = slice[slice.length - 1];
  if (!first || !last) {
    const echo = token !== undefined && token !== '0' ? token : undefined;
    return { records: [], cursor: echo !== undefined ? { before: echo, after: echo } : {} };
  }
  return { records: slice, cursor: { before: encodeCursor(first), after: encodeCursor(last) } };
}

/** How many records a from_id page holds. */
export const FROM_ID_PAGE_SIZE = 25;

/**
 * One from_id page, per esi-docs_pagination_from-id.md: newest first; `from_id` names the
 * newest record to include (it is included), older ones follow.
 */
export function fromIdPage(
  records: readonly StreamRecord[],
  idOf: (r: StreamRecord) => number,
  fromId: number | undefined,
): StreamRecord[] {
  const newestFirst = [...records].sort((a, b) => idOf(b) - idOf(a));
  const eligible =
    fromId === undefined ? newestFirst : newestFirst.filter((r) => idOf(r) <= fromId);
  return eligible.slice(0, FROM_ID_PAGE_SIZE);
}
