// The router's static type, computed from core's generated `Operations`/`Tags` types. The runtime
// builds the same shape by looping over the operation table; `createEsiRouter` casts its value to
// this type once. Keep each rule here in step with its runtime twin in `router.ts` (a test
// checks the query/mutation rule against the table).
import type {
  CursorItem,
  EsiInput,
  EsiResult,
  ListItem,
  OperationId,
  Operations,
  Tags,
} from '@esikit/core';
import type {
  AnyTRPCRootTypes,
  TRPCBuiltRouter,
  TRPCMutationProcedure,
  TRPCQueryProcedure,
  TRPCSubscriptionProcedure,
} from '@trpc/server';

type Op<Id extends OperationId> = Operations[Id];
type IsPublic<Id extends OperationId> = [Op<Id>['scope']] extends [undefined] ? true : false;

/**
 * `query` for GETs and scope-less POST lookups (`/universe/names`, …), `mutation` otherwise:
 * the type-level twin of core's `EsiOperation.readOnly`.
 *
 * @example
 * type K = EsiProcedureKind<'PostUniverseNames'>; // 'query'
 */
export type EsiProcedureKind<Id extends OperationId> = Op<Id>['method'] extends 'GET'
  ? 'query'
  : Op<Id>['method'] extends 'POST'
    ? IsPublic<Id> extends true
      ? 'query'
      : 'mutation'
    : 'mutation';

/**
 * Which of the user's characters acts, for authenticated operations that have no
 * `character_id` parameter (corporation, fleet and UI routes): `asCharacter`. Operations with a
 * `character_id` act as that character; public operations need no character.
 *
 * @example
 * const input: EsiActorInput<'GetCorporationsCorporationIdWallets'> = { asCharacter: 2112625428 };
 */
export type EsiActorInput<Id extends OperationId> =
  IsPublic<Id> extends true
    ? unknown
    : Op<Id>['params'] extends { character_id: number }
      ? unknown
      : {
          /** The user's character whose token makes the call. */
          readonly asCharacter: number;
        };

/**
 * The paging fields an operation takes beside its parameters: `page`/`allPages` on X-Pages
 * routes, `before`/`after` on cursor routes, `untilId` on from_id routes.
 *
 * @example
 * const paging: EsiPagingInput<'GetMarketsRegionIdOrders'> = { allPages: true };
 */
export type EsiPagingInput<Id extends OperationId> = {
  none: unknown;
  pages: {
    /** One X-Pages page. @default 1 */
    readonly page?: number;
    /** Every page, as one consistent snapshot, concatenated (not with `page`). @default false */
    readonly allPages?: boolean;
  };
  cursor: {
    /** A `before` token from an earlier answer: the records before it (older). */
    readonly before?: string;
    /** An `after` token from an earlier answer: the records after it (newer or changed). */
    readonly after?: string;
  };
  from_id: {
    /** Stop at this already-known record id: only newer records are returned. */
    readonly untilId?: number;
  };
}[Op<Id>['pagination']];

// Nothing to give (no parameters, paging or actor): no argument at all, or `{}`.
type OptionalWhenEmpty<T> = unknown extends T
  ? Record<string, never> | undefined | void
  : // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    {} extends T
    ? T | undefined | void
    : T;

/**
 * The input of an operation's procedure: core's {@link EsiInput} (parameters, `body`), plus its
 * paging fields and, where needed, `asCharacter`. Optional as a whole when nothing is required.
 *
 * @example
 * const input: EsiProcedureInput<'GetMarketsRegionIdOrders'> = { region_id: 10000002, allPages: true };
 */
export type EsiProcedureInput<Id extends OperationId> = OptionalWhenEmpty<
  EsiInput<Id> & EsiPagingInput<Id> & EsiActorInput<Id>
>;

/**
 * A response's metadata: when its cache window ends, when ESI last changed it, its page count,
 * and whether it was answered without downloading a body.
 *
 * @example
 * const { data, expires } = await trpc.esi.status.getStatus.query(); // with `withMetadata: true`
 */
export interface EsiMetadata {
  /** Epoch ms until which ESI's data is fresh (its `Expires`). */
  readonly expires: number | undefined;
  /** ESI's `Last-Modified`. */
  readonly lastModified: string | undefined;
  readonly etag: string | undefined;
  /** `X-Pages` (X-Pages routes), or how many responses were joined (`allPages`). */
  readonly pages: number | undefined;
  /** True when no body was downloaded: a cache hit or a `304`. */
  readonly fromCache: boolean;
}

/**
 * A result with its {@link EsiMetadata}, as procedures return them with `withMetadata: true`.
 *
 * @example
 * type Status = EsiWithMetadata<EsiResult<'GetStatus'>>;
 */
export interface EsiWithMetadata<T> extends EsiMetadata {
  readonly data: T;
}

/**
 * What a cursor route's procedure returns: the records and the tokens to continue from.
 *
 * @example
 * const page = await trpc.esi.freelanceJobs.getFreelanceJobsListing.query({});
 * const newer = await trpc.esi.freelanceJobs.getFreelanceJobsListing.query({ after: page.after });
 */
export interface EsiCursorOutput<T> {
  readonly records: T[];
  /** Pass as `before` for the records before these (older). */
  readonly before: string | undefined;
  /** Pass as `after` for the records after these (newer or changed). */
  readonly after: string | undefined;
}

/**
 * What a from_id route's procedure returns: the records newer than `untilId` (all when none),
 * newest first, and the newest id seen, to pass as `untilId` next time.
 *
 * @example
 * const { records, newestId } = await trpc.esi.wallet.getCharactersCharacterIdWalletTransactions.query({ character_id });
 */
export interface EsiFromIdOutput<T> {
  readonly records: T[];
  readonly newestId: number | undefined;
}

type Data<T, M extends boolean> = M extends true ? EsiWithMetadata<T> : T;

/**
 * The output of an operation's procedure (`M`: the router's `withMetadata`).
 *
 * @example
 * type Orders = EsiProcedureOutput<'GetMarketsRegionIdOrders', false>;
 */
export type EsiProcedureOutput<Id extends OperationId, M extends boolean> = {
  none: Data<EsiResult<Id>, M>;
  pages: Data<EsiResult<Id>, M>;
  cursor: Data<EsiCursorOutput<CursorItem<EsiResult<Id>>>, M>;
  from_id: EsiFromIdOutput<ListItem<EsiResult<Id>>>;
}[Op<Id>['pagination']];

// Interfaces, not aliases: their property types are only computed when something reads them,
// so checking the router's shape (tRPC's client does, for every procedure) never computes the
// inputs and outputs of the operations nobody calls.
interface Def<Id extends OperationId, TRoot extends AnyTRPCRootTypes, M extends boolean> {
  input: EsiProcedureInput<Id>;
  output: EsiProcedureOutput<Id, M>;
  meta: TRoot['meta'];
  errorShape: TRoot['errorShape'];
}
interface LiveDef<Id extends OperationId, TRoot extends AnyTRPCRootTypes, M extends boolean> {
  input: EsiLiveInput<Id>;
  // `any` as tRPC's own subscription type has it (the value `next()` is called with).
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  output: AsyncIterable<Data<EsiResult<Id>, M>, void, any>;
  meta: TRoot['meta'];
  errorShape: TRoot['errorShape'];
}

/**
 * The procedure of one operation in an app whose root types are `TRoot`.
 *
 * @example
 * type P = EsiProcedure<'GetStatus', typeof t._config.$types, false>;
 */
export type EsiProcedure<
  Id extends OperationId,
  TRoot extends AnyTRPCRootTypes,
  M extends boolean,
> =
  EsiProcedureKind<Id> extends 'query'
    ? TRPCQueryProcedure<Def<Id, TRoot, M>>
    : TRPCMutationProcedure<Def<Id, TRoot, M>>;

/**
 * Whether an operation has a live (subscription) form: GETs without cursor or from_id paging.
 *
 * @example
 * type L = EsiHasLive<'GetStatus'>; // true
 */
export type EsiHasLive<Id extends OperationId> = Op<Id>['method'] extends 'GET'
  ? Op<Id>['pagination'] extends 'none' | 'pages'
    ? true
    : false
  : false;

/**
 * The input of a live procedure: the operation's parameters and `asCharacter` (X-Pages routes
 * always watch every page).
 *
 * @example
 * const input: EsiLiveInput<'GetStatus'> = undefined;
 */
export type EsiLiveInput<Id extends OperationId> = OptionalWhenEmpty<
  EsiInput<Id> & EsiActorInput<Id>
>;

/**
 * The subscription of one cached GET: emits the data, then again whenever ESI's cache window
 * rolls over with changed data.
 *
 * @example
 * type S = EsiLiveProcedure<'GetStatus', typeof t._config.$types, false>;
 */
export type EsiLiveProcedure<
  Id extends OperationId,
  TRoot extends AnyTRPCRootTypes,
  M extends boolean,
> = TRPCSubscriptionProcedure<LiveDef<Id, TRoot, M>>;

/**
 * Which operations a router includes: `include` (tags as in core's tag API, e.g. `Market`, or
 * operation ids; all when absent), then `exclude`.
 *
 * @example
 * const selection: EsiSelection = { include: { tags: ['Market', 'Universe'] }, exclude: { operations: ['GetUniverseTypes'] } };
 */
export interface EsiSelection {
  readonly include?: EsiSelectionList | undefined;
  readonly exclude?: EsiSelectionList | undefined;
}

/**
 * Tags (as core's tag keys) and operation ids, for {@link EsiSelection}.
 *
 * @example
 * const list: EsiSelectionList = { tags: ['Market'], operations: ['GetStatus'] };
 */
export interface EsiSelectionList {
  readonly tags?: readonly (keyof Tags)[];
  readonly operations?: readonly OperationId[];
}

type InTags<S> = S extends { readonly include: { readonly tags: readonly (infer X)[] } }
  ? X
  : S extends { readonly include: object }
    ? never
    : keyof Tags;
type InOps<S> = S extends { readonly include: { readonly operations: readonly (infer X)[] } }
  ? X
  : never;
type ExTags<S> = S extends { readonly exclude: { readonly tags: readonly (infer X)[] } }
  ? X
  : never;
type ExOps<S> = S extends { readonly exclude: { readonly operations: readonly (infer X)[] } }
  ? X
  : never;

/** The selection that keeps every operation. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export type EsiSelectAll = {};

type Kept<S extends EsiSelection, T extends keyof Tags, Id> =
  T extends ExTags<S>
    ? false
    : Id extends ExOps<S>
      ? false
      : T extends InTags<S>
        ? true
        : Id extends InOps<S>
          ? true
          : false;

type Selects<S> = S extends { readonly include: object } | { readonly exclude: object }
  ? true
  : false;

type TagRecord<
  T extends keyof Tags,
  TRoot extends AnyTRPCRootTypes,
  M extends boolean,
  S extends EsiSelection,
> =
  Selects<S> extends true
    ? {
        [K in keyof Tags[T] as Kept<S, T, Tags[T][K]> extends true ? K : never]: EsiProcedure<
          Tags[T][K] & OperationId,
          TRoot,
          M
        >;
      }
    : // Everything: no per-key filter for the compiler to evaluate.
      { [K in keyof Tags[T]]: EsiProcedure<Tags[T][K] & OperationId, TRoot, M> };

type LiveTagRecord<
  T extends keyof Tags,
  TRoot extends AnyTRPCRootTypes,
  M extends boolean,
  S extends EsiSelection,
> = {
  [
    K in keyof Tags[T] as Kept<S, T, Tags[T][K]> extends true
      ? EsiHasLive<Tags[T][K] & OperationId> extends true
        ? K
        : never
      : never
  ]: EsiLiveProcedure<Tags[T][K] & OperationId, TRoot, M>;
};

type HasAny<T extends keyof Tags, S extends EsiSelection> =
  Selects<S> extends true
    ? true extends {
        [K in keyof Tags[T]]: Kept<S, T, Tags[T][K]>;
      }[keyof Tags[T]]
      ? true
      : false
    : true;

/**
 * The router record: one sub-router per tag (core's tag key with a lower-case first letter:
 * `esi.Market` → `market`), one procedure per operation named as core names it, and the live
 * forms under `live`.
 *
 * @example
 * type R = EsiRouterRecord<typeof t._config.$types, false, {}>;
 */
export type EsiRouterRecord<
  TRoot extends AnyTRPCRootTypes,
  M extends boolean,
  S extends EsiSelection,
> = {
  [T in keyof Tags as HasAny<T, S> extends true ? Uncapitalize<T> : never]: TagRecord<
    T,
    TRoot,
    M,
    S
  >;
} & {
  /** Subscriptions: `live.<tag>.<method>` for every GET without cursor or from_id paging. */
  live: {
    [T in keyof Tags as HasAny<T, S> extends true ? Uncapitalize<T> : never]: LiveTagRecord<
      T,
      TRoot,
      M,
      S
    >;
  };
};

/**
 * The router `createEsiRouter` returns, typed for the app's root types `TRoot`.
 *
 * @example
 * const appRouter = t.router({ esi: await createEsiRouter(t, { esi }) });
 */
export type EsiRouter<
  TRoot extends AnyTRPCRootTypes,
  M extends boolean = false,
  S extends EsiSelection = EsiSelectAll,
> = TRPCBuiltRouter<TRoot, EsiRouterRecord<TRoot, M, S>>;
