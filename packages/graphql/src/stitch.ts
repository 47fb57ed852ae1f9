// A subschema config for @graphql-tools/stitch: ESI's entities merge by id, so a gateway's
// own types can point at them (`User.mainCharacter: Character`).
import type { GraphQLSchema } from 'graphql';
import { ENTITIES } from './internal/naming.js';
import type { EsiSchema } from './schema.js';

/**
 * One merged type: what `@graphql-tools/stitch`'s `MergedTypeConfig` needs.
 *
 * @example
 * esiSubschema(esiSchema).merge.Character // { selectionSet: '{ id }', fieldName: 'character', args }
 */
export interface EsiMergedType {
  readonly selectionSet: string;
  readonly fieldName: string;
  args(original: { id: number }): Record<string, unknown>;
}

/**
 * A `SubschemaConfig` for `stitchSchemas({ subschemas: [...] })`.
 *
 * @example
 * stitchSchemas({ subschemas: [esiSubschema(esiSchema), { schema: users, merge: { Character: { selectionSet: '{ id }', fieldName: 'characterById', args: (c) => ({ id: c.id }) } } }] })
 */
export interface EsiSubschemaConfig {
  readonly schema: GraphQLSchema;
  readonly merge: Readonly<Record<string, EsiMergedType>>;
}

/**
 * ESI as a stitching subschema with type merging: `Character`, `Corporation`, `Alliance`,
 * `InventoryType`, `SolarSystem`, `Station`, `Region` and `Constellation` are keyed by `id`
 * and fetched through their root fields. The gateway's context must carry
 * `esiSchema.context(...)` (spread it into the gateway's context).
 *
 * @example
 * const gateway = stitchSchemas({ subschemas: [esiSubschema(esiSchema), appSubschema] });
 */
export function esiSubschema(esiSchema: EsiSchema): EsiSubschemaConfig {
  const merge: Record<string, EsiMergedType> = {};
  for (const e of ENTITIES) {
    if (!esiSchema.schema.getType(e.type) || esiSchema.fields.query[e.field] === undefined)
      continue;
    const param = e.param;
    merge[e.type] = {
      selectionSet: '{ id }',
      fieldName: e.field,
      args: (original) => ({ [param]: original.id }),
    };
  }
  return { schema: esiSchema.schema, merge };
}
