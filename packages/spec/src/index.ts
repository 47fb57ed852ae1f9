export { compileSpec, inlineSchema, parseWindow, resolvePointer } from './compile.js';
export { compileOperationDocs } from './docs.js';
export { isReadOnly, methodName, tagKey } from './names.js';
export type { OperationDoc, OperationDocs } from './docs.js';
export { diffOperationTables, diffSpecDocuments, formatSpecDiff } from './diff.js';
export type { ChangedSchema } from './schema-diff.js';
export { rateLimitTokenCost } from './limits.js';
export type { ChangedOperation, SpecDiff } from './diff.js';
export { SpecError } from './errors.js';
export type { SpecErrorCode } from './errors.js';
export {
  findSpecFile,
  loadSpec,
  NO_SPEC_HINT,
  readSpecFile,
  SPEC_CACHE_DIR,
  SPEC_CACHE_FILE,
} from './load.js';
export type {
  HttpMethod,
  JsonSchema,
  OperationSpec,
  OperationTable,
  PaginationKind,
  ParameterLocation,
  ParameterSpec,
  RateLimitSpec,
  ScalarType,
  StandardHeader,
  ValueConstraints,
} from './types.js';
