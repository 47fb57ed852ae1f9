// Public entry point of @esikit/graphql: ESI as one GraphQL schema.
export { createEsiSchema, esiMetadata } from './schema.js';
export type { EsiRequestInput, EsiRequestMetadata, EsiSchema } from './schema.js';
export { useEsi } from './plugin.js';
export type { UseEsiOptions } from './plugin.js';
export { esiSubschema } from './stitch.js';
export type { EsiMergedType, EsiSubschemaConfig } from './stitch.js';
export { EsiGraphQLOptionError } from './options.js';
export type { EsiLimitsOptions, EsiSchemaOptions } from './options.js';
export { esiGraphQLError, toGraphQLError } from './errors.js';
export type { EsiGraphQLErrorCode } from './errors.js';
export { Int64, Json } from './internal/scalars.js';
export type { FieldMeta as EsiFieldMetadata } from './internal/context.js';
