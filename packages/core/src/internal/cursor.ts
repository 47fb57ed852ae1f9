import type { EsiResponse } from './pipeline.js';

type FetchWith = (extra: Readonly<Record<string, unknown>>) => Promise<EsiResponse<unknown>>;

interface CursorBody {
  readonly cursor?: { readonly before?: string; readonly after?: string };
  readonly [key: string]: unknown;
}

/** The record list of a cursor route's body: its one array property. */
function records(
  body: unknown,
  operation: string,
): { key: string | undefined; list: unknown[]; cursor: CursorBody['cursor'] } {
  if (typeof body !== 'object' || body === null)
    throw new TypeError(`${operation}: cursor response is not an object`);
  const b = body as CursorBody;
  const entry = Object.entries(b).find(([k, v]) => k !== 'cursor' && Array.isArray(v));
  return { key: entry?.[0], list: (entry?.[1] as unknown[] | undefined) ?? [], cursor: b.cursor };
}

/**
 * Walks a cursor route the way ESI's docs describe. Without `after`: the newest records first,
 * then `before` until an empty list (a full scan). With `after`: only what changed since that
 * token, following `after` until an empty list. `after` always holds the token to resume from.
 *
 * @example
 * const walk = esi.FreelanceJobs.getFreelanceJobsListing().cursor();
 * for await (const job of walk) save(job);
 * keep(walk.after);
 */
export class CursorIterator<T = unknown> implements AsyncIterable<T> {
  readonly #fetch: FetchWith;
  readonly #operation: string;
  #after: string | undefined;
  readonly #resume: boolean;
  #started = false;
  #listKey: string | undefined;

  constructor(fetch: FetchWith, operation: string, after: string | undefined) {
    this.#fetch = fetch;
    this.#operation = operation;
    this.#after = after;
    this.#resume = after !== undefined;
  }

  /** Token for a later `cursor({ after })` that returns only records changed since this walk. */
  get after(): string | undefined {
    return this.#after;
  }

  /** Name of the body property holding the records (e.g. `freelance_jobs`), once seen. */
  get listKey(): string | undefined {
    return this.#listKey;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    if (this.#started)
      throw new Error(`${this.#operation}: a cursor iterator can be walked once; create a new one`);
    this.#started = true;
    if (this.#resume) {
      for (;;) {
        const { key, list, cursor } = records(
          (await this.#fetch({ after: this.#after })).data,
          this.#operation,
        );
        this.#listKey ??= key;
        if (list.length === 0) return;
        if (cursor?.after) this.#after = cursor.after;
        yield* list as T[];
        if (!cursor?.after) return;
      }
    }
    const first = records((await this.#fetch({})).data, this.#operation);
    this.#listKey = first.key;
    this.#after = first.cursor?.after;
    yield* first.list as T[];
    let before = first.cursor?.before;
    while (before !== undefined && first.list.length > 0) {
      const { list, cursor } = records((await this.#fetch({ before })).data, this.#operation);
      if (list.length === 0) return;
      yield* list as T[];
      if (cursor?.before === before) return;
      before = cursor?.before;
    }
  }
}

/**
 * Options of a from_id walk.
 *
 * @example
 * for await (const tx of esi.Wallet.getCharactersCharacterIdWalletTransactions({ character_id }, { token }).fromId({ untilId: lastSeen })) save(tx);
 */
export interface FromIdOptions {
  /** Record property holding the id. @default 'transaction_id' */
  readonly idKey?: string;
  /** Stop (without yielding it) at this already-known id. */
  readonly untilId?: number;
}

/**
 * Walks a from_id route backwards in time (wallet transactions): newest first, then from the
 * last id seen, skipping the repeated record, until a response holds nothing older.
 */
export async function* fromIdIterator<T>(
  fetch: FetchWith,
  operation: string,
  options: FromIdOptions = {},
): AsyncGenerator<T> {
  const idKey = options.idKey ?? 'transaction_id';
  let fromId: number | undefined;
  for (;;) {
    const res = await fetch(fromId === undefined ? {} : { from_id: fromId });
    if (!Array.isArray(res.data))
      throw new TypeError(`${operation}: from_id response is not a list`);
    let lastId: number | undefined;
    let fresh = 0;
    for (const record of res.data as Record<string, unknown>[]) {
      const id = record[idKey];
      if (typeof id !== 'number')
        throw new TypeError(`${operation}: record without a numeric ${idKey}; pass idKey`);
      if (id === fromId) continue;
      if (options.untilId !== undefined && id === options.untilId) return;
      fresh += 1;
      lastId = id;
      yield record as T;
    }
    if (fresh === 0 || lastId === undefined) return;
    fromId = lastId;
  }
}
