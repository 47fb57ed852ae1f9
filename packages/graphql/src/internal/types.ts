// JSON Schema (the spec's response and request schemas) → GraphQL types. Object fields are
// thunks, so a type costs nothing until the schema collects it; resolvers are shared functions
// that read what they need from the field's `extensions`, not one closure per field.
import {
  GraphQLBoolean,
  GraphQLEnumType,
  GraphQLFloat,
  GraphQLInputObjectType,
  GraphQLInt,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLString,
  type GraphQLFieldConfig,
  type GraphQLFieldConfigMap,
  type GraphQLInputFieldConfigMap,
  type GraphQLInputType,
  type GraphQLOutputType,
} from 'graphql';
import type { JsonSchema, ValueConstraints } from '@esikit/core';
import { ENTITIES, enumValueNames, isGraphQLName, pascal, type EntityKind } from './naming.js';
import { Int64, Json } from './scalars.js';
import { resolveEntityField, resolveEntityId, resolveLink } from './resolvers.js';

const REF = '#/components/schemas/';

type Schema = JsonSchema;

/** Marks a type as an entity (what `resolveEntityField` loads by id). */
export type EntityExtension = {
  readonly esiEntity: EntityKind;
};

/** A link field: `idField` holds the id of `entity`. */
export type LinkExtension = {
  readonly esiLink: { readonly idField: string; readonly entity: EntityKind };
};

const linkByProperty = new Map<string, EntityKind>();
const linkBySchema = new Map<string, EntityKind>();
for (const e of ENTITIES) {
  for (const l of e.links) linkByProperty.set(l, e);
  for (const s of e.idSchemas) linkBySchema.set(s, e);
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/**
 * graphql-js gives every field, argument, enum value and type without `extensions` a new empty
 * null-prototype object, and copies every other `extensions` into one; one kept as it is when it
 * already has a null prototype. Thousands in this schema: sharing one empty (frozen) object and
 * making ours null-prototype took a fifth off the build in a cold start, and ≈ 1 MB off its heap.
 */
export const NO_EXTENSIONS: Readonly<Record<string, never>> = Object.freeze(
  Object.create(null) as Record<string, never>,
);

/** `extensions` as graphql-js keeps them (see {@link NO_EXTENSIONS}). */
export function extensionsOf<T extends object>(value: T): T {
  return Object.assign(Object.create(null) as T, value);
}

export class TypeBuilder {
  readonly #schemas: Readonly<Record<string, Schema>>;
  readonly #byRef = new Map<string, GraphQLOutputType>();
  readonly #inputByRef = new Map<string, GraphQLInputType>();
  readonly #names = new Set<string>();
  /** Extra fields for a named object type (entity sub-resources), merged into its thunk. */
  readonly extraFields = new Map<string, GraphQLFieldConfigMap<unknown, unknown>>();
  /** Names that needed a numeric suffix to stay unique (the collision test reads it). */
  readonly renamed: string[] = [];

  constructor(schemas: Readonly<Record<string, Schema>>) {
    this.#schemas = schemas;
    // Scalars and the hand-written types own their names.
    for (const n of ['Int64', 'JSON', 'PageInfo', 'Query', 'Mutation', 'Subscription', 'Viewer'])
      this.#names.add(n);
  }

  /** A unique type name; a clash gets `2`, `3`… and is recorded. */
  name(wanted: string): string {
    const base = isGraphQLName(wanted) ? wanted : `T${pascal(wanted)}`;
    let name = base;
    for (let n = 2; this.#names.has(name); n++) name = `${base}${n}`;
    if (name !== base) this.renamed.push(`${base} → ${name}`);
    this.#names.add(name);
    return name;
  }

  #deref(schema: Schema): { schema: Schema; ref?: string } {
    const ref = str(schema.$ref);
    if (ref === undefined || !ref.startsWith(REF)) return { schema };
    const name = ref.slice(REF.length);
    const target = this.#schemas[name];
    if (target === undefined) return { schema: {} };
    return { schema: target, ref: name };
  }

  /** The output type for a schema; `hint` names the types it creates. */
  output(raw: Schema, hint: string, entity?: EntityKind): GraphQLOutputType {
    const { schema, ref } = this.#deref(raw);
    if (ref !== undefined) {
      const known = this.#byRef.get(ref);
      if (known) return known;
    }
    // Names come from the hint (the field's path), not CCP's component names, which change
    // between spec dates; a component used twice is one type, named where it is met first.
    const built = this.#buildOutput(schema, hint, entity);
    if (ref !== undefined) this.#byRef.set(ref, built);
    return built;
  }

  #buildOutput(schema: Schema, hint: string, entity?: EntityKind): GraphQLOutputType {
    if (Array.isArray(schema.enum))
      return this.enumType(schema.enum, hint, str(schema.description));
    const type = schema.type;
    if (type === 'array') {
      const items = (schema.items ?? {}) as Schema;
      return new GraphQLList(this.output(items, `${hint}Item`));
    }
    if (type === 'object' || (type === undefined && typeof schema.properties === 'object')) {
      const properties = schema.properties as Record<string, Schema> | undefined;
      if (!properties || Object.keys(properties).length === 0) return Json;
      return this.#object(hint, schema, properties, entity);
    }
    return this.scalar(schema as unknown as ValueConstraints) ?? Json;
  }

  scalar(
    c: Pick<ValueConstraints, 'type' | 'format'>,
  ): (GraphQLOutputType & GraphQLInputType) | undefined {
    switch (c.type) {
      case 'integer':
        return c.format === 'int32' ? GraphQLInt : Int64;
      case 'number':
        return GraphQLFloat;
      case 'boolean':
        return GraphQLBoolean;
      case 'string':
        return GraphQLString;
      case 'array':
      case undefined:
        return undefined;
      default:
        return undefined;
    }
  }

  readonly #enums = new Map<string, GraphQLEnumType>();

  /**
   * The enum of a value list. The same list (ESI repeats `location_flag`, `range`… inline in
   * many schemas) is one type, named where it is met first.
   */
  enumType(values: readonly unknown[], hint: string, description?: string): GraphQLEnumType {
    const key = values.map(String).join('\u0000');
    const known = this.#enums.get(key);
    if (known) return known;
    const mapped = enumValueNames(values);
    const built = new GraphQLEnumType({
      name: this.name(hint),
      ...(description !== undefined ? { description } : {}),
      values: Object.fromEntries(
        [...mapped].map(([name, value]) => [name, { value, extensions: NO_EXTENSIONS }]),
      ),
      extensions: NO_EXTENSIONS,
    });
    this.#enums.set(key, built);
    return built;
  }

  #object(
    hint: string,
    schema: Schema,
    properties: Record<string, Schema>,
    entity?: EntityKind,
  ): GraphQLObjectType {
    const name = this.name(entity ? entity.type : hint);
    const description = str(schema.description);
    return new GraphQLObjectType({
      name,
      ...(description !== undefined ? { description } : {}),
      extensions: entity
        ? extensionsOf({ esiEntity: entity } satisfies EntityExtension)
        : NO_EXTENSIONS,
      fields: () => this.#fields(name, properties, entity),
    });
  }

  #fields(
    typeName: string,
    properties: Record<string, Schema>,
    entity?: EntityKind,
  ): GraphQLFieldConfigMap<unknown, unknown> {
    const fields: GraphQLFieldConfigMap<unknown, unknown> = {};
    if (entity)
      fields.id = {
        type: new GraphQLNonNull(Int64),
        description: `The ${entity.type}'s id (${entity.param}).`,
        resolve: resolveEntityId,
        extensions: NO_EXTENSIONS,
      };
    for (const [prop, raw] of Object.entries(properties)) {
      if (!isGraphQLName(prop) || prop in fields) continue;
      const description = str(raw.description) ?? str(this.#deref(raw).schema.description);
      const field: GraphQLFieldConfig<unknown, unknown> = {
        // Most properties are plain scalars: no type to name, so no hint to build.
        type: this.#plainScalar(raw) ?? this.output(raw, `${typeName}${pascal(prop)}`),
        ...(description !== undefined ? { description } : {}),
        ...(entity ? { resolve: resolveEntityField } : {}),
        extensions: NO_EXTENSIONS,
      };
      fields[prop] = field;
    }
    for (const [prop, raw] of Object.entries(properties)) {
      const linked = this.#linkTarget(prop, raw);
      if (!linked) continue;
      const target = this.entityTypes.get(linked);
      const sibling = prop.slice(0, -3);
      if (!target) continue;
      if (sibling in fields || sibling in properties || !isGraphQLName(sibling)) continue;
      fields[sibling] = {
        type: target,
        description: `The ${linked.type} of \`${prop}\`, resolved through ESI (names in one batched /universe/names lookup).`,
        resolve: resolveLink,
        extensions: extensionsOf({
          esiLink: { idField: prop, entity: linked },
        } satisfies LinkExtension),
      };
    }
    const extra = this.extraFields.get(typeName);
    if (extra) for (const [k, v] of Object.entries(extra)) if (!(k in fields)) fields[k] = v;
    return fields;
  }

  /** The scalar of an inline, non-enum scalar schema (what {@link output} would return). */
  #plainScalar(raw: Schema): (GraphQLOutputType & GraphQLInputType) | undefined {
    if (raw.$ref !== undefined || raw.enum !== undefined) return undefined;
    return this.scalar(raw as unknown as ValueConstraints);
  }

  #linkTarget(prop: string, raw: Schema): EntityKind | undefined {
    if (!prop.endsWith('_id')) return undefined;
    const ref = str(raw.$ref);
    if (ref?.startsWith(REF)) {
      const bySchema = linkBySchema.get(ref.slice(REF.length));
      if (bySchema) return bySchema;
    }
    const { schema } = this.#deref(raw);
    if (schema.type !== 'integer') return undefined;
    return linkByProperty.get(prop.slice(0, -3));
  }

  /** Entity types by kind, registered by the schema builder before anything links to them. */
  readonly entityTypes = new Map<EntityKind, GraphQLObjectType>();

  /** The input type for a request body schema. */
  input(raw: Schema, hint: string): GraphQLInputType {
    const { schema, ref } = this.#deref(raw);
    if (ref !== undefined) {
      const known = this.#inputByRef.get(ref);
      if (known) return known;
    }
    const built = this.#buildInput(schema, hint);
    if (ref !== undefined) this.#inputByRef.set(ref, built);
    return built;
  }

  #buildInput(schema: Schema, hint: string): GraphQLInputType {
    if (Array.isArray(schema.enum))
      return this.enumType(schema.enum, hint, str(schema.description));
    if (schema.type === 'array') {
      const items = (schema.items ?? {}) as Schema;
      return new GraphQLList(new GraphQLNonNull(this.input(items, hint)));
    }
    const properties = schema.properties as Record<string, Schema> | undefined;
    if (schema.type === 'object' || properties) {
      if (!properties || Object.keys(properties).length === 0) return Json;
      const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
      const name = this.name(hint);
      const description = str(schema.description);
      return new GraphQLInputObjectType({
        name,
        ...(description !== undefined ? { description } : {}),
        fields: (): GraphQLInputFieldConfigMap => {
          const fields: GraphQLInputFieldConfigMap = {};
          for (const [prop, p] of Object.entries(properties)) {
            if (!isGraphQLName(prop)) continue;
            const t = this.input(p, `${name}${pascal(prop)}`);
            const d = str(p.description);
            fields[prop] = {
              type: required.has(prop) ? new GraphQLNonNull(t) : t,
              ...(d !== undefined ? { description: d } : {}),
              extensions: NO_EXTENSIONS,
            };
          }
          return fields;
        },
      });
    }
    return this.scalar(schema as unknown as ValueConstraints) ?? Json;
  }
}
