// Per-request state: who is asking, the DataLoaders that batch and deduplicate within one
// request (core caches across requests), and the ESI metadata collected for `extensions`.
import type DataLoader from 'dataloader';
import type { EsiClient, EsiOperation } from '@esikit/core';
import type { TokenManager } from '@esikit/core/sso';
import type { EntityKind } from './naming.js';
import { toGraphQLError } from '../errors.js';
import type { NameCache } from './names.js';
import { dataLoader } from './lazy.js';

/** ESI's batch limit of `POST /universe/names`. */
export const NAMES_BATCH = 1000;

/**
 * What one ESI call behind a field answered with (`extensions.esi.fields[]`).
 *
 * @example
 * // { path: 'marketsOrders', operation: 'GetMarketsRegionIdOrders', expires: 1764158400000, fromCache: false, pages: 3, authenticated: false, cacheable: true }
 */
export interface FieldMeta {
  readonly path: string;
  readonly operation: string;
  readonly expires: number | undefined;
  readonly fromCache: boolean;
  readonly pages: number | undefined;
  readonly authenticated: boolean;
  /** False for POST lookups (`/universe/names`): ESI gives them no cache window. */
  readonly cacheable: boolean;
}

export interface Built {
  readonly esi: EsiClient;
  readonly tokens: TokenManager | undefined;
  readonly byPath: ReadonlyMap<string, EsiOperation>;
  readonly namesOp: EsiOperation | undefined;
  /** Names shared by every request of this schema. */
  readonly names: NameCache;
}

export class RequestState {
  readonly built: Built;
  readonly userId: string | undefined;
  readonly signal: AbortSignal | undefined;
  readonly language: string | undefined;
  readonly meta: FieldMeta[] = [];
  /** Set once anything user-specific is read: the response must not be shared. */
  personal = false;
  #names: DataLoader<number, string | null> | undefined;
  readonly #entities = new Map<EntityKind, DataLoader<number, Record<string, unknown>>>();

  constructor(
    built: Built,
    userId: string | undefined,
    signal: AbortSignal | undefined,
    language: string | undefined,
  ) {
    this.built = built;
    this.userId = userId;
    this.signal = signal;
    this.language = language;
  }

  /** Options every core call of this request takes. */
  get callOptions(): { signal?: AbortSignal; language?: string } {
    return {
      ...(this.signal ? { signal: this.signal } : {}),
      ...(this.language !== undefined ? { language: this.language } : {}),
    };
  }

  record(
    path: string,
    op: EsiOperation,
    res: { expires: number | undefined; fromCache: boolean; pages: number | undefined },
  ): void {
    this.meta.push({
      path,
      operation: op.id,
      expires: res.expires,
      fromCache: res.fromCache,
      pages: res.pages,
      authenticated: op.scope !== undefined,
      cacheable: op.method === 'GET',
    });
  }

  /** Names of any ids, batched into `POST /universe/names` calls of up to 1,000 ids. */
  get names(): DataLoader<number, string | null> {
    this.#names ??= new (dataLoader())((ids) => this.#loadNames(ids), {
      maxBatchSize: NAMES_BATCH,
    });
    return this.#names;
  }

  async #loadNames(ids: readonly number[]): Promise<(string | null | Error)[]> {
    const op = this.built.namesOp;
    if (!op) return ids.map(() => null);
    const lookup = async (missing: number[]): Promise<Map<number, string>> => {
      const res = await this.built.esi
        .call(op.id, { body: missing })
        .resultWithResponse(this.callOptions);
      this.record('universe/names', op, res);
      const byId = new Map<number, string>();
      for (const entry of res.data as { id: number; name: string }[])
        byId.set(entry.id, entry.name);
      return byId;
    };
    try {
      return await this.built.names.resolve(ids, lookup);
    } catch (error) {
      const e = toGraphQLError(error);
      return ids.map(() => e);
    }
  }

  /** One entity per id (one ESI call each; core coalesces and caches them across requests). */
  entity(kind: EntityKind): DataLoader<number, Record<string, unknown>> {
    let loader = this.#entities.get(kind);
    if (!loader) {
      const DataLoader = dataLoader();
      loader = new DataLoader((ids) => Promise.all(ids.map((id) => this.#loadEntity(kind, id))), {
        batch: false,
      });
      this.#entities.set(kind, loader);
    }
    return loader;
  }

  async #loadEntity(kind: EntityKind, id: number): Promise<Record<string, unknown> | Error> {
    const op = this.built.byPath.get(`GET ${kind.path}`);
    if (!op) return toGraphQLError(new Error(`no ${kind.path} in this spec`));
    try {
      const res = await this.built.esi
        .call(op.id, { [kind.param]: id })
        .resultWithResponse(this.callOptions);
      this.record(`${kind.field}(${id})`, op, res);
      return res.data as Record<string, unknown>;
    } catch (error) {
      return toGraphQLError(error);
    }
  }
}

/** The key the request state lives under in the GraphQL context. */
export const STATE = 'esikit';

export interface WithState {
  readonly [STATE]: RequestState;
}

export function stateOf(context: unknown): RequestState {
  const state = (context as Partial<WithState> | null)?.[STATE];
  if (!(state instanceof RequestState))
    throw new Error(
      'esikit/graphql: the context has no ESI request state; add useEsi() or spread esiSchema.context(...) into the context',
    );
  return state;
}
