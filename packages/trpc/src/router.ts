// The router factory: one loop over core's operation table builds a procedure per operation with
// the app's own procedure builder (so the app's context, transformer and error formatter apply),
// and the value is cast once to the mapped type in `types.ts`.
import type {
  AccessTokenSource,
  EsiOperation,
  OperationId,
  StandardSchemaV1,
  Tags,
} from '@esikit/core';
import { tokenFor } from '@esikit/core/sso';
import { lazy, type AnyTRPCRootTypes, type TRPCRouterRecord } from '@trpc/server';
import { noteAnswer } from './cache-control.js';
import { EsiTRPCError, toTRPCError } from './errors.js';
import { callOperation } from './internal/call.js';
import { procedureInputSchema, type ParsedInput } from './internal/input.js';
import { liveOperation } from './internal/live.js';
import {
  EsiRouterOptionError,
  resolveOptions,
  type EsiRouterOptions,
  type ResolvedOptions,
} from './options.js';
import type { EsiRouter, EsiSelection, EsiSelectionList } from './types.js';

/**
 * The app's `initTRPC...create()` result, as the factory reads it. Only `_config` is typed: the
 * root types are inferred from it alone, while comparing the app's procedure builder type with
 * tRPC's would cost every app a third of this package's type-checking time. The builder and the
 * router factory are checked at run time instead.
 */
interface AppRoot<TRoot extends AnyTRPCRootTypes> {
  readonly _config: { readonly $types: TRoot };
  readonly procedure: unknown;
  readonly router: unknown;
}

type Resolver = (opts: {
  ctx: object;
  input: unknown;
  signal: AbortSignal | undefined;
}) => Promise<unknown>;
type LiveResolver = (opts: {
  ctx: object;
  input: unknown;
  signal: AbortSignal | undefined;
}) => AsyncGenerator<unknown, void>;

/**
 * The router's tag key for core's tag key: `Market` → `market`, `FreelanceJobs` → `freelanceJobs`.
 *
 * @example
 * const path = `${routerTagKey(op.tagKey)}.${op.methodName}`; // 'market.getMarketsRegionIdOrders'
 */
export function routerTagKey(tagKey: string): string {
  return tagKey.charAt(0).toLowerCase() + tagKey.slice(1);
}

function selected(op: EsiOperation, selection: EsiSelection): boolean {
  const { include, exclude } = selection;
  if (exclude?.tags?.includes(op.tagKey as keyof Tags)) return false;
  if (exclude?.operations?.includes(op.id as OperationId)) return false;
  if (include === undefined) return true;
  return (
    (include.tags?.includes(op.tagKey as keyof Tags) ?? false) ||
    (include.operations?.includes(op.id as OperationId) ?? false)
  );
}

/** Whether an operation has a live form (the runtime twin of `EsiHasLive`). */
export function hasLive(op: EsiOperation): boolean {
  return op.method === 'GET' && (op.pagination === 'none' || op.pagination === 'pages');
}

/**
 * Builds the tRPC router of ESI with the app's own `t` (from `initTRPC.context<Ctx>().create()`,
 * with any transformer and error formatter): a sub-router per tag, named as core's tag API with
 * a lower-case first letter (`esi.Market.getMarketsRegionIdOrders` →
 * `market.getMarketsRegionIdOrders`), one procedure per operation (GETs and scope-less POST
 * lookups are queries, other POST/PUT/DELETE mutations), and a subscription per GET without
 * cursor or from_id paging under `live`. Inputs are validated by core before anything is sent;
 * authenticated operations act with the logged-in user's own token of the character with the
 * operation's scope, or answer `UNAUTHORIZED`/`FORBIDDEN` without asking ESI.
 *
 * @example
 * const t = initTRPC.context<Ctx>().create({ transformer: superjson, errorFormatter: esiErrorFormatter });
 * const esiRouter = await createEsiRouter(t, { esi, tokens, userId: (ctx) => ctx.userId });
 * export const appRouter = t.router({ esi: esiRouter, hello: t.procedure.query(() => 'hi') });
 */
export async function createEsiRouter<
  TRoot extends AnyTRPCRootTypes,
  const TInclude extends EsiSelectionList | undefined = undefined,
  const TExclude extends EsiSelectionList | undefined = undefined,
  TMetadata extends boolean = false,
>(
  t: AppRoot<TRoot>,
  options: EsiRouterOptions<TRoot['ctx'], TInclude, TExclude, TMetadata>,
  call: { readonly signal?: AbortSignal } = {},
): Promise<
  EsiRouter<TRoot, TMetadata, { readonly include: TInclude; readonly exclude: TExclude }>
> {
  const builder = t as { procedure?: { input?: unknown }; router?: unknown } | null;
  if (typeof builder?.procedure?.input !== 'function' || typeof builder.router !== 'function')
    throw new EsiRouterOptionError(
      'createEsiRouter: "t" must be the object initTRPC.context<Ctx>().create() returned',
    );
  const o = resolveOptions<TRoot['ctx']>(options);
  const table = await o.esi.operations(call.signal ? { signal: call.signal } : {});
  return buildEsiRouter(t as never, o, options, table.operations) as never;
}

/** The synchronous part of {@link createEsiRouter}, once the table is loaded. */
function buildEsiRouter<TCtx extends object>(
  t: { readonly procedure: unknown; readonly router: (record: TRPCRouterRecord) => unknown },
  o: ResolvedOptions<TCtx>,
  selection: EsiSelection,
  operations: readonly EsiOperation[],
): unknown {
  const tags: Record<string, TRPCRouterRecord> = {};
  const liveOps: { op: EsiOperation; core: StandardSchemaV1 }[] = [];
  // The procedure builder's generics are the app's; at run time each procedure is the same.
  const procedure = t.procedure as {
    input(schema: unknown): {
      query(fn: Resolver): never;
      mutation(fn: Resolver): never;
      subscription(fn: LiveResolver): never;
    };
  };
  for (const op of operations) {
    if (!selected(op, selection)) continue;
    const tag = routerTagKey(op.tagKey);
    const core = o.esi.inputSchema(op.id);
    const resolve: Resolver = async ({ ctx, input, signal }) => {
      const parsed = input as ParsedInput;
      try {
        const token = await actingToken(o, op, ctx, parsed, signal);
        const answer = await callOperation(o, op, parsed, token, signal);
        if (op.readOnly)
          noteAnswer(ctx, {
            maxAge:
              op.method === 'GET' && answer.expires !== undefined
                ? Math.floor((answer.expires - o.clock()) / 1000)
                : undefined,
            authenticated: token !== undefined,
          });
        return answer.output;
      } catch (error) {
        throw toTRPCError(error, { operationId: op.id, now: o.clock() });
      }
    };
    const built = procedure.input(procedureInputSchema(op, core, false));
    (tags[tag] ??= {})[op.methodName] = op.readOnly
      ? built.query(resolve)
      : built.mutation(resolve);
    if (hasLive(op)) liveOps.push({ op, core });
  }
  // The live forms are built on the first subscription (tRPC's lazy routers): apps that never
  // subscribe do not pay for them at start-up.
  const buildLive = async (): Promise<never> => {
    const live: Record<string, TRPCRouterRecord> = {};
    for (const { op, core } of liveOps) {
      const subscribe: LiveResolver = async function* ({ ctx, input, signal }) {
        const parsed = input as ParsedInput;
        try {
          const token = await actingToken(o, op, ctx, parsed, signal);
          yield* liveOperation(o, op, parsed, token, signal);
        } catch (error) {
          if (signal?.aborted) return;
          throw toTRPCError(error, { operationId: op.id, now: o.clock() });
        }
      };
      (live[routerTagKey(op.tagKey)] ??= {})[op.methodName] = procedure
        .input(procedureInputSchema(op, core, true))
        .subscription(subscribe);
    }
    return t.router(live) as never;
  };
  return t.router({ ...tags, live: lazy(buildLive) as never });
}

/** The token source the call acts with: undefined for public operations. */
async function actingToken<TCtx>(
  o: ResolvedOptions<TCtx>,
  op: EsiOperation,
  ctx: object,
  input: ParsedInput,
  signal: AbortSignal | undefined,
): Promise<AccessTokenSource | undefined> {
  if (op.scope === undefined) return undefined;
  const userId = o.userId ? await o.userId(ctx as TCtx) : undefined;
  if (typeof userId !== 'string' || userId === '' || o.tokens === undefined)
    throw new EsiTRPCError(
      'UNAUTHORIZED',
      o.tokens === undefined
        ? `${op.id} needs a token (scope ${op.scope}), and this router has no "tokens" option`
        : `${op.id} needs a logged-in user (scope ${op.scope})`,
      { esiCode: 'ESIKIT_TOKEN_REQUIRED', operationId: op.id },
    );
  const tokens = o.tokens(ctx as TCtx);
  // The schema made sure there is one: character_id, or asCharacter where there is none.
  const characterId = input.characterId!;
  const token = await tokenFor(tokens, {
    userId,
    characterId,
    scope: op.scope,
    ...(signal ? { signal } : {}),
  });
  return tokens.source(token);
}
