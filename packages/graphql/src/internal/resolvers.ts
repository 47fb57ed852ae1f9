// The resolvers every generated field shares. Each reads what it needs (the operation, the
// owning entity, the id property) from its field's `extensions`, so building the schema
// creates no closure per field.
import { responsePathAsArray, type GraphQLFieldResolver, type GraphQLResolveInfo } from 'graphql';
import type { EsiAnyCallOptions, EsiOperation } from '@esikit/core';
import type * as SsoEntry from '@esikit/core/sso';
import { esiGraphQLError, toGraphQLError } from '../errors.js';
import { stateOf, type RequestState } from './context.js';
import type { EntityKind } from './naming.js';
import type { LinkExtension } from './types.js';

type SsoModule = typeof SsoEntry;

/** The paging parameters core takes as options, never as parameters. */
export const PAGING_PARAMS = new Set(['page', 'before', 'after', 'from_id']);

/** The argument naming the character an authenticated call acts as, when the path has none. */
export const ACTING_ARG = 'asCharacterId';

export type OpExtension = {
  readonly esiOp: {
    readonly op: EsiOperation;
    /** Set on a sub-resource field of an entity: the entity's id fills this path parameter. */
    readonly owner?: EntityKind;
    /** Set on an entity's root field: the result is that entity. */
    readonly entity?: EntityKind;
  };
};

/** An entity known by id, loaded only when a field other than `id` (or `name`) is asked for. */
export interface EntityStub {
  readonly __entity: EntityKind;
  readonly __id: number;
  readonly __data?: Record<string, unknown>;
  /** The character whose token authenticated calls below this entity act with. */
  readonly __actor?: number;
}

type Args = Record<string, unknown>;

function isStub(value: unknown): value is EntityStub {
  return typeof value === 'object' && value !== null && '__entity' in value;
}

function fieldExtensions(info: GraphQLResolveInfo): Record<string, unknown> {
  return info.parentType.getFields()[info.fieldName]!.extensions as Record<string, unknown>;
}

export function pathOf(info: GraphQLResolveInfo): string {
  return responsePathAsArray(info.path).join('.');
}

let ssoModule: Promise<SsoModule> | undefined;
const sso = (): Promise<SsoModule> => (ssoModule ??= import('@esikit/core/sso'));

/** The token option for an operation: none for public ones, else the user's own token. */
async function credential(
  state: RequestState,
  op: EsiOperation,
  characterId: unknown,
): Promise<EsiAnyCallOptions> {
  if (op.scope === undefined) return {};
  const { tokens } = state.built;
  if (!tokens || state.userId === undefined)
    throw esiGraphQLError('UNAUTHENTICATED', `Sign in: this field needs the scope ${op.scope}`, {
      scope: op.scope,
    });
  if (typeof characterId !== 'number')
    throw esiGraphQLError(
      'BAD_USER_INPUT',
      `This field acts as one of your characters: pass "${ACTING_ARG}"`,
      { argument: ACTING_ARG, scope: op.scope },
    );
  state.personal = true;
  // Loaded on the first authenticated field: public-only servers never load openid-client.
  const { tokenFor } = await sso();
  const token = await tokenFor(tokens, {
    userId: state.userId,
    characterId,
    scope: op.scope,
    ...(state.signal ? { signal: state.signal } : {}),
  });
  return { token: tokens.source(token) };
}

function inputOf(
  op: EsiOperation,
  args: Args,
  owner: EntityKind | undefined,
  parent: unknown,
): Args {
  const input: Args = {};
  for (const p of op.parameters) {
    if (PAGING_PARAMS.has(p.name)) continue;
    const v = args[p.name];
    if (v !== undefined && v !== null) input[p.name] = v;
  }
  if (owner && isStub(parent)) input[owner.param] = parent.__id;
  if (args.body !== undefined && args.body !== null) input.body = args.body;
  return input;
}

function actingCharacter(op: EsiOperation, input: Args, args: Args, parent: unknown): unknown {
  if (op.parameters.some((p) => p.name === 'character_id' && p.in === 'path'))
    return input.character_id;
  return args[ACTING_ARG] ?? (isStub(parent) ? parent.__actor : undefined);
}

/** Any field backed by one ESI operation (query, mutation, entity sub-resource). */
export const resolveOperation: GraphQLFieldResolver<unknown, unknown, Args> = async (
  parent,
  args,
  context,
  info,
) => {
  const state = stateOf(context);
  const { op, owner, entity } = (fieldExtensions(info) as unknown as OpExtension).esiOp;
  try {
    const input = inputOf(op, args, owner, parent);
    const characterId = actingCharacter(op, input, args, parent);
    const options = await credential(state, op, characterId);
    const handle = state.built.esi.call(op.id, input, options);
    const path = pathOf(info);
    switch (op.pagination) {
      case 'pages': {
        const page = typeof args.page === 'number' ? args.page : undefined;
        const res =
          page === undefined
            ? await handle.resultsWithResponse(state.callOptions)
            : await handle.resultWithResponse({ ...state.callOptions, page });
        state.record(path, op, res);
        return res.data;
      }
      case 'cursor': {
        const res = await handle.cursorPage({
          ...state.callOptions,
          ...(typeof args.after === 'string' ? { before: args.after } : {}),
          ...(typeof args.before === 'string' ? { after: args.before } : {}),
        });
        state.record(path, op, res);
        return connection(res.records, res.before, res.after);
      }
      case 'from_id': {
        const page = await fromIdConnection(handle.fromId(state.callOptions), args);
        // A walk reports no single Expires: the answer's freshness is unknown (no-store).
        state.record(path, op, { expires: undefined, fromCache: false, pages: undefined });
        return page;
      }
      case 'none': {
        const res = await handle.resultWithResponse(state.callOptions);
        state.record(path, op, res);
        if (entity && typeof input[entity.param] === 'number') {
          const stub: EntityStub = {
            __entity: entity,
            __id: input[entity.param] as number,
            __data: res.data as Record<string, unknown>,
            ...(op.scope === undefined && entity.type === 'Character'
              ? { __actor: input[entity.param] as number }
              : {}),
          };
          return stub;
        }
        // A 204 has no body: the mutation's field says it happened.
        return res.data === undefined || res.data === '' ? !op.readOnly : res.data;
      }
    }
  } catch (error) {
    throw toGraphQLError(error);
  }
};

interface Connection {
  edges: { cursor: string | null; node: unknown }[];
  nodes: unknown[];
  pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
}

/**
 * A cursor route's answer as a Relay connection: `endCursor` is ESI's `before` token (older
 * records, what `after: endCursor` asks for next) and `startCursor` ESI's `after` token
 * (records newer or changed since, what `before: startCursor` asks for).
 */
function connection(
  records: readonly unknown[],
  older: string | undefined,
  newer: string | undefined,
): Connection {
  const end = older ?? null;
  return {
    edges: records.map((node) => ({ cursor: end, node })),
    nodes: [...records],
    pageInfo: {
      hasNextPage: older !== undefined && records.length > 0,
      hasPreviousPage: newer !== undefined,
      startCursor: newer ?? null,
      endCursor: end,
    },
  };
}

/** A from_id route (newest first) as a connection of `first` records after the id `after`. */
async function fromIdConnection(walk: AsyncIterable<unknown>, args: Args): Promise<Connection> {
  const first = typeof args.first === 'number' ? args.first : 100;
  const after = typeof args.after === 'string' ? Number(args.after) : undefined;
  if (after !== undefined && !Number.isSafeInteger(after))
    throw esiGraphQLError(
      'BAD_USER_INPUT',
      `"after" must be a record id, got ${JSON.stringify(args.after)}`,
      {
        argument: 'after',
      },
    );
  const picked: { cursor: string; node: unknown }[] = [];
  let more = false;
  for await (const record of walk) {
    const id = (record as { transaction_id?: unknown }).transaction_id;
    if (typeof id !== 'number') continue;
    if (after !== undefined && id >= after) continue;
    if (picked.length === first) {
      more = true;
      break;
    }
    picked.push({ cursor: String(id), node: record });
  }
  return {
    edges: picked,
    nodes: picked.map((e) => e.node),
    pageInfo: {
      hasNextPage: more,
      hasPreviousPage: after !== undefined,
      startCursor: picked[0]?.cursor ?? null,
      endCursor: picked.at(-1)?.cursor ?? null,
    },
  };
}

/**
 * `corporation` beside `corporation_id`: an entity stub, loaded only if more than its id/name is
 * asked. Synchronous unless the parent is itself an unloaded stub: a list of a thousand orders
 * should not cost a thousand extra promises.
 */
export const resolveLink: GraphQLFieldResolver<unknown, unknown> = (
  parent,
  _args,
  context,
  info,
) => {
  const { idField, entity } = (fieldExtensions(info) as unknown as LinkExtension).esiLink;
  const actor = isStub(parent) ? parent.__actor : undefined;
  const link = (record: Record<string, unknown> | undefined): EntityStub | null => {
    const id = record?.[idField];
    if (typeof id !== 'number') return null;
    return { __entity: entity, __id: id, ...(actor !== undefined ? { __actor: actor } : {}) };
  };
  if (!isStub(parent)) return link(parent as Record<string, unknown> | undefined);
  if (parent.__data) return link(parent.__data);
  return stateOf(context).entity(parent.__entity).load(parent.__id).then(link);
};

/** A data field of an entity: `name` through the batched names lookup, the rest by loading it. */
export const resolveEntityField: GraphQLFieldResolver<unknown, unknown> = (
  parent,
  _args,
  context,
  info,
) => {
  if (!isStub(parent)) return (parent as Record<string, unknown> | undefined)?.[info.fieldName];
  if (parent.__data) return parent.__data[info.fieldName];
  const state = stateOf(context);
  if (info.fieldName === 'name') return state.names.load(parent.__id);
  return state
    .entity(parent.__entity)
    .load(parent.__id)
    .then((data) => data[info.fieldName]);
};

export const resolveEntityId: GraphQLFieldResolver<unknown, unknown> = (parent) =>
  isStub(parent) ? parent.__id : undefined;

/** `viewer.characters`: the requesting user's own characters, each acting as itself. */
export async function viewerCharacters(
  state: RequestState,
  character: EntityKind,
): Promise<EntityStub[]> {
  const { tokens } = state.built;
  state.personal = true;
  if (!tokens || state.userId === undefined) return [];
  const mine = await tokens.forUser(state.userId, state.signal ? { signal: state.signal } : {});
  const ids = [...new Set(mine.map((t) => t.characterId))].sort((a, b) => a - b);
  return ids.map((id) => ({ __entity: character, __id: id, __actor: id }));
}
