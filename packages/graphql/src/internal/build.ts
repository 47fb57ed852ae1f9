// One loop over the operation table: every operation becomes a root field (and, under an
// owner entity's path, a field of that entity too); entities, links and the viewer are added
// from the naming table. Called once per schema.
import {
  GraphQLBoolean,
  GraphQLInt,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  type GraphQLFieldConfig,
  type GraphQLFieldConfigArgumentMap,
  type GraphQLFieldConfigMap,
  type GraphQLOutputType,
} from 'graphql';
import type { EsiOperation, EsiOperationTable, JsonSchema } from '@esikit/core';
import {
  ENTITIES,
  OWNER_ENTITIES,
  entityFieldName,
  pascal,
  rootFieldName,
  type EntityKind,
} from './naming.js';
import { Int64 } from './scalars.js';
import { NO_EXTENSIONS, TypeBuilder, extensionsOf } from './types.js';
import {
  ACTING_ARG,
  PAGING_PARAMS,
  resolveOperation,
  viewerCharacters,
  type OpExtension,
} from './resolvers.js';
import { stateOf } from './context.js';
import { subscribeOperation, passThrough } from './subscriptions.js';

export interface BuildResult {
  readonly schema: GraphQLSchema;
  /** Type names that needed a suffix to stay unique. */
  readonly renamed: readonly string[];
  /** Root field name → operation id, for Query, Mutation and Subscription. */
  readonly fields: {
    readonly query: Readonly<Record<string, string>>;
    readonly mutation: Readonly<Record<string, string>>;
    readonly subscription: Readonly<Record<string, string>>;
  };
}

const REF = '#/components/schemas/';

function deref(table: EsiOperationTable, schema: JsonSchema | undefined): JsonSchema | undefined {
  const ref = schema?.$ref;
  if (typeof ref === 'string' && ref.startsWith(REF)) return table.schemas[ref.slice(REF.length)];
  return schema;
}

const PAGE_INFO = new GraphQLObjectType({
  name: 'PageInfo',
  description:
    "Relay page info. Cursor routes: `endCursor` is ESI's `before` token (older records), `startCursor` ESI's `after` token (newer or changed).",
  fields: {
    hasNextPage: { type: new GraphQLNonNull(GraphQLBoolean) },
    hasPreviousPage: { type: new GraphQLNonNull(GraphQLBoolean) },
    startCursor: { type: GraphQLString },
    endCursor: { type: GraphQLString },
  },
});

class Builder {
  readonly types: TypeBuilder;
  readonly byPath = new Map<string, EsiOperation>();

  constructor(readonly table: EsiOperationTable) {
    this.types = new TypeBuilder(table.schemas);
    for (const op of table.operations) this.byPath.set(`${op.method} ${op.path}`, op);
  }

  args(op: EsiOperation, hint: string, owner?: EntityKind): GraphQLFieldConfigArgumentMap {
    const args: GraphQLFieldConfigArgumentMap = {};
    for (const p of op.parameters) {
      if (PAGING_PARAMS.has(p.name) || p.name === owner?.param) continue;
      let type =
        p.enum !== undefined
          ? this.types.enumType(p.enum, `${hint}${pascal(p.name)}`)
          : p.type === 'array'
            ? new GraphQLList(
                new GraphQLNonNull(
                  this.types.scalar(p.items ?? { type: 'string' }) ?? GraphQLString,
                ),
              )
            : (this.types.scalar(p) ?? GraphQLString);
      if (p.type === 'array' && p.items?.enum !== undefined)
        type = new GraphQLList(
          new GraphQLNonNull(this.types.enumType(p.items.enum, `${hint}${pascal(p.name)}`)),
        );
      args[p.name] = {
        type: p.required ? new GraphQLNonNull(type) : type,
        ...(p.description !== undefined ? { description: p.description } : {}),
        extensions: NO_EXTENSIONS,
      };
    }
    if (op.body) {
      const type = this.types.input(op.body.schema, `${hint}Input`);
      args.body = {
        type: op.body.required ? new GraphQLNonNull(type) : type,
        description: 'The request body.',
        extensions: NO_EXTENSIONS,
      };
    }
    if (
      op.scope !== undefined &&
      !op.parameters.some((p) => p.name === 'character_id' && p.in === 'path')
    )
      args[ACTING_ARG] = {
        type: Int64,
        description:
          'The character (one of yours) whose token this call uses; below a viewer character it defaults to that character.',
        extensions: NO_EXTENSIONS,
      };
    switch (op.pagination) {
      case 'pages':
        args.page = {
          type: GraphQLInt,
          description: 'One X-Pages page; every page (one snapshot) when absent.',
        };
        break;
      case 'cursor':
        args.after = {
          type: GraphQLString,
          description: 'Older records: a previous `pageInfo.endCursor`.',
        };
        args.before = {
          type: GraphQLString,
          description: 'Newer or changed records: a previous `pageInfo.startCursor`.',
        };
        break;
      case 'from_id':
        args.first = {
          type: GraphQLInt,
          description: 'How many records (newest first). @default 100',
        };
        args.after = { type: GraphQLString, description: 'Records older than this `cursor`.' };
        break;
      case 'none':
        break;
    }
    return args;
  }

  output(op: EsiOperation, hint: string, entity?: EntityKind): GraphQLOutputType {
    if (entity) {
      const t = this.types.entityTypes.get(entity);
      if (t) return t;
    }
    const schema = op.response.schema;
    if (schema === undefined) return GraphQLBoolean;
    if (op.pagination === 'cursor' || op.pagination === 'from_id') {
      const body = deref(this.table, schema) ?? {};
      let items: JsonSchema | undefined;
      if (body.type === 'array') items = body.items as JsonSchema;
      else
        for (const p of Object.values((body.properties ?? {}) as Record<string, JsonSchema>)) {
          const d = deref(this.table, p);
          if (d?.type === 'array') {
            items = d.items as JsonSchema;
            break;
          }
        }
      return this.connection(hint, this.types.output(items ?? {}, `${hint}Node`));
    }
    return this.types.output(schema, hint);
  }

  connection(hint: string, node: GraphQLOutputType): GraphQLObjectType {
    const edge = new GraphQLObjectType({
      name: this.types.name(`${hint}Edge`),
      fields: { cursor: { type: GraphQLString }, node: { type: node } },
    });
    return new GraphQLObjectType({
      name: this.types.name(`${hint}Connection`),
      fields: {
        edges: { type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(edge))) },
        nodes: { type: new GraphQLNonNull(new GraphQLList(node)) },
        pageInfo: { type: new GraphQLNonNull(PAGE_INFO) },
      },
    });
  }

  field(
    op: EsiOperation,
    name: string,
    owner?: EntityKind,
    entity?: EntityKind,
  ): GraphQLFieldConfig<unknown, unknown> {
    const hint = owner ? `${owner.type}${pascal(name)}` : pascal(name);
    const description = [op.summary, op.description]
      .filter((d) => d !== undefined && d !== '')
      .join('\n\n');
    const extensions = extensionsOf<OpExtension>({
      esiOp: { op, ...(owner ? { owner } : {}), ...(entity ? { entity } : {}) },
    });
    return {
      type: this.output(op, hint, entity),
      args: this.args(op, hint, owner),
      ...(description !== '' ? { description } : {}),
      resolve: resolveOperation,
      extensions,
    };
  }
}

export interface BuildOptions {
  readonly subscriptions: boolean;
}

export function buildEsiSchema(table: EsiOperationTable, options: BuildOptions): BuildResult {
  const b = new Builder(table);
  // Entities first, so every link and every reuse of their schemas gets their type.
  for (const entity of ENTITIES) {
    const op = b.byPath.get(`GET ${entity.path}`);
    const schema = op?.response.schema;
    if (!schema) continue;
    const t = b.types.output(schema, entity.type, entity);
    if (t instanceof GraphQLObjectType) b.types.entityTypes.set(entity, t);
  }
  const query: GraphQLFieldConfigMap<unknown, unknown> = {};
  const mutation: GraphQLFieldConfigMap<unknown, unknown> = {};
  const subscription: GraphQLFieldConfigMap<unknown, unknown> = {};
  const names = {
    query: {} as Record<string, string>,
    mutation: {} as Record<string, string>,
    subscription: {} as Record<string, string>,
  };
  for (const op of table.operations) {
    const name = rootFieldName(op);
    const kind = op.readOnly ? 'query' : 'mutation';
    const clash = names[kind][name];
    if (clash !== undefined)
      throw new Error(
        `esikit/graphql: ${op.id} and ${clash} would both be ${kind} field "${name}"`,
      );
    names[kind][name] = op.id;
    const entity = ENTITIES.find((e) => e.path === op.path && op.method === 'GET');
    const field = b.field(op, name, undefined, entity);
    (op.readOnly ? query : mutation)[name] = field;
    if (
      options.subscriptions &&
      op.method === 'GET' &&
      (op.pagination === 'none' || op.pagination === 'pages') &&
      op.cacheAge !== undefined
    ) {
      subscription[name] = { ...field, subscribe: subscribeOperation, resolve: passThrough };
      names.subscription[name] = op.id;
    }
  }
  for (const ownerName of OWNER_ENTITIES) {
    const owner = ENTITIES.find((e) => e.type === ownerName)!;
    if (!b.types.entityTypes.has(owner)) continue;
    const extra: GraphQLFieldConfigMap<unknown, unknown> = {};
    for (const op of table.operations) {
      const name = entityFieldName(op, owner);
      if (name === undefined || name === '' || name in extra) continue;
      extra[name] = b.field(op, name, owner);
    }
    b.types.extraFields.set(owner.type, extra);
  }
  const character = ENTITIES[0]!;
  const characterType = b.types.entityTypes.get(character);
  if (characterType) {
    const viewer = new GraphQLObjectType({
      name: 'Viewer',
      description: 'The signed-in user of this request.',
      fields: {
        userId: { type: GraphQLString, resolve: (_p, _a, ctx) => stateOf(ctx).userId ?? null },
        characters: {
          type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(characterType))),
          description:
            "The user's own characters (from the app's token store); their private fields use that character's token.",
          resolve: (_p, _a, ctx) => viewerCharacters(stateOf(ctx), character),
        },
      },
    });
    query.viewer = { type: new GraphQLNonNull(viewer), resolve: () => ({}) };
  }
  const schema = new GraphQLSchema({
    query: new GraphQLObjectType({ name: 'Query', fields: query }),
    ...(Object.keys(mutation).length > 0
      ? { mutation: new GraphQLObjectType({ name: 'Mutation', fields: mutation }) }
      : {}),
    ...(Object.keys(subscription).length > 0
      ? { subscription: new GraphQLObjectType({ name: 'Subscription', fields: subscription }) }
      : {}),
  });
  return { schema, renamed: b.types.renamed, fields: names };
}
