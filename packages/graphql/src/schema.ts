// createEsiSchema: the schema plus what any GraphQL server needs to run it (the per-request
// context and the validation rules).
import type { GraphQLSchema, ValidationRule } from 'graphql';
import type { EsiOperationTable } from '@esikit/core';
import { buildEsiSchema } from './internal/build.js';
import { RequestState, STATE, type Built, type FieldMeta } from './internal/context.js';
import { protectionRules } from './internal/protection.js';
import { setTiming } from './internal/subscriptions.js';
import { NameCache } from './internal/names.js';
import {
  resolveSchemaOptions,
  type EsiSchemaOptions,
  type ResolvedSchemaOptions,
} from './options.js';

/**
 * Who is asking, for one request.
 *
 * @example
 * esiSchema.context({ userId: session.userId, signal: request.signal })
 */
export interface EsiRequestInput {
  /** The app's user id (as its tokens store it); absent for anonymous requests. */
  readonly userId?: string | undefined;
  /** Cancels every ESI call of the request. */
  readonly signal?: AbortSignal | undefined;
  /** `Accept-Language` for ESI's localized fields. */
  readonly language?: string | undefined;
}

/**
 * The ESI metadata of one request: one entry per ESI call behind a field.
 *
 * @example
 * const { fields } = esiMetadata(contextValue);
 */
export interface EsiRequestMetadata {
  readonly fields: readonly FieldMeta[];
  /** True when anything user-specific was read (viewer or a token). */
  readonly personal: boolean;
}

/**
 * A built ESI schema.
 *
 * @example
 * const esiSchema = await createEsiSchema({ esi, tokens });
 * const result = await execute({ schema: esiSchema.schema, document, contextValue: esiSchema.context({ userId }) });
 */
export interface EsiSchema {
  readonly schema: GraphQLSchema;
  /** The spec's compatibility date the schema was built from. */
  readonly compatibilityDate: string;
  /** The per-request context to merge into the server's: `{ esikit: … }`. */
  context(input?: EsiRequestInput): { readonly esikit: object };
  /** Depth, alias and ESI-cost limits (and no introspection, when so configured). */
  readonly validationRules: readonly ValidationRule[];
  /** Root field name → ESI operation id. */
  readonly fields: {
    readonly query: Readonly<Record<string, string>>;
    readonly mutation: Readonly<Record<string, string>>;
    readonly subscription: Readonly<Record<string, string>>;
  };
  /** Type names that needed a numeric suffix to stay unique (empty for CCP's specs). */
  readonly renamed: readonly string[];
  /** @internal options as resolved, for useEsi. */
  readonly options: ResolvedSchemaOptions;
}

/**
 * Builds the GraphQL schema of ESI from the client's operation table: one Query field per
 * read-only operation, one Mutation per other, entities linked by id, the viewer, Relay
 * connections for cursor and from_id routes, and subscriptions.
 *
 * @example
 * import { createEsiSchema } from '@esikit/graphql';
 * const esiSchema = await createEsiSchema({ esi, tokens });
 * // any server: schema esiSchema.schema, context { ...esiSchema.context({ userId }) }, rules esiSchema.validationRules
 */
export async function createEsiSchema(options: EsiSchemaOptions): Promise<EsiSchema> {
  const resolved = resolveSchemaOptions(options);
  const table: EsiOperationTable = await resolved.esi.operations(
    options.signal ? { signal: options.signal } : {},
  );
  const result = buildEsiSchema(table, { subscriptions: resolved.subscriptions });
  const byPath = new Map(table.operations.map((op) => [`${op.method} ${op.path}`, op]));
  const built: Built = {
    esi: resolved.esi,
    tokens: resolved.tokens,
    byPath,
    namesOp: byPath.get('POST /universe/names'),
    names: new NameCache(resolved.namesTtlMs, 100_000, resolved.clock),
  };
  const timing = { clock: resolved.clock, pollIntervalMs: resolved.pollIntervalMs };
  return {
    schema: result.schema,
    compatibilityDate: table.compatibilityDate,
    fields: result.fields,
    renamed: result.renamed,
    validationRules: protectionRules(resolved.limits),
    options: resolved,
    context(input = {}) {
      const state = new RequestState(built, input.userId, input.signal, input.language);
      setTiming(state, timing);
      return { [STATE]: state };
    },
  };
}

/**
 * The ESI metadata collected in a request's context so far.
 *
 * @example
 * const meta = esiMetadata(contextValue); // { fields: [{ path, operation, expires, fromCache, pages }], personal }
 */
export function esiMetadata(context: unknown): EsiRequestMetadata {
  const state = (context as { [STATE]?: unknown } | null)?.[STATE];
  if (!(state instanceof RequestState)) return { fields: [], personal: false };
  return { fields: state.meta, personal: state.personal };
}
