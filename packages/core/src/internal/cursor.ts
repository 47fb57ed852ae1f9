import { EsiResponseError, EsiWalkError } from '../esi-errors.js';
import type { EsiResponse } from './pipeline.js';

type FetchWith = (extra: Readonly<Record<string, unknown>>) => Promise<EsiResponse<unknown>>;

/** What one answer of a cursor route holds: its records and the tokens to go on from. */
export interface CursorParts {
  /** Name of the body property holding the records (e.g. `freelance_jobs`). */
  readonly key: string | undefined;
  readonly list: unknown[];
  readonly before: string | undefined;
  readonly after: string | undefined;
}

/** Splits a cursor route's body into its record list (its one array property) and its tokens. */
export function cursorParts(body: unknown, operation: string): CursorParts {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new EsiResponseError(
      operation,
      'ESIKIT_BAD_RESPONSE',
      'a cursor route answered without the { records, cursor } object',
    );
  const b = body as Readonly<Record<string, unknown>>;
  const entry = Object.entries(b).find(([k, v]) => k !== 'cursor' && Array.isArray(v));
  const cursor = (typeof b.cursor === 'object' && b.cursor !== null ? b.cursor : {}) as Readonly<
    Record<string, unknown>
  >;
  const token = (v: unknown): string | undefined =>
    typeof v === 'string' && v !== '' ? v : undefined;
  return {
    key: entry?.[0],
    list: (entry?.[1] as unknown[] | undefined) ?? [],
    before: token(cursor.before),
    after: token(cursor.after),
  };
}

function stuck(operation: string, parameter: 'before' | 'after', records: number): EsiWalkError {
  return new EsiWalkError(
    operation,
    'ESIKIT_WALK_STUCK',
    `ESI answered ${records} record${records === 1 ? '' : 's'} with the same ${parameter} token it was asked for; stopping instead of asking again`,
    parameter,
  );
}

/**
 * Walks a cursor route the way ESI's docs describe. Without `after`: the newest records first,
 * then `before` until an empty list (a full scan). With `after`: only what changed since that
 * token, following `after` until an empty list. `after` always holds the token to resume from.
 * An answer with records but the very token that was asked for again would make the walk ask
 * for the same records forever: the walk stops with an {@link EsiWalkError} (`ESIKIT_WALK_STUCK`)
 * before yielding them.
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
      throw new EsiWalkError(
        this.#operation,
        'ESIKIT_WALK_REUSED',
        'a cursor iterator can be walked once; create a new one (with cursor({ after }) to resume)',
      );
    this.#started = true;
    const op = this.#operation;
    if (this.#resume) {
      for (;;) {
        const asked = this.#after;
        const page = cursorParts((await this.#fetch({ after: asked })).data, op);
        this.#listKey ??= page.key;
        if (page.list.length === 0) return;
        if (page.after === asked) throw stuck(op, 'after', page.list.length);
        if (page.after) this.#after = page.after;
        yield* page.list as T[];
        if (!page.after) return;
      }
    }
    const first = cursorParts((await this.#fetch({})).data, op);
    this.#listKey = first.key;
    this.#after = first.after;
    yield* first.list as T[];
    let before = first.before;
    while (before !== undefined && first.list.length > 0) {
      const page = cursorParts((await this.#fetch({ before })).data, op);
      if (page.list.length === 0) return;
      if (page.before === before) throw stuck(op, 'before', page.list.length);
      yield* page.list as T[];
      before = page.before;
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
 * last id seen, skipping the repeated record, until a response holds nothing older. A record
 * newer than the `from_id` asked for stops the walk with an {@link EsiWalkError}
 * (`ESIKIT_WALK_STUCK`): ESI did not move back, and following it would go round in circles.
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
      throw new EsiResponseError(
        operation,
        'ESIKIT_BAD_RESPONSE',
        'a from_id route answered without a list',
      );
    let lastId: number | undefined;
    let fresh = 0;
    for (const record of res.data as unknown[]) {
      const id =
        typeof record === 'object' && record !== null
          ? (record as Record<string, unknown>)[idKey]
          : undefined;
      if (typeof id !== 'number')
        throw new EsiResponseError(
          operation,
          'ESIKIT_BAD_RESPONSE',
          `a record without a numeric ${idKey} (pass idKey to name the id property)`,
        );
      if (id === fromId) continue;
      // ESI answers from_id with that record and older ones: a newer one means it did not move
      // back, and following it would go round in circles.
      if (fromId !== undefined && id > fromId)
        throw new EsiWalkError(
          operation,
          'ESIKIT_WALK_STUCK',
          `ESI answered from_id ${fromId} with the newer record ${id}; stopping instead of going round`,
          'from_id',
        );
      if (options.untilId !== undefined && id === options.untilId) return;
      fresh += 1;
      lastId = id;
      yield record as T;
    }
    if (fresh === 0 || lastId === undefined) return;
    fromId = lastId;
  }
}
