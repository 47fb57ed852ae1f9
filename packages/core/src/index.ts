// Public entry point of @esikit/core: the ESI client. EVE SSO lives at `@esikit/core/sso`.
export { createEsiClient, EsiClient } from './client.js';
export type { EsiClientSnapshot, EsiClientWithTags } from './client.js';
export { ESIKIT_VERSION } from './options.js';
export type { AppInfo, CompatibilityDateOption, EsiClientOptions, EsiLogger } from './options.js';
export { EsikitError, suggestedHttpStatus, suggestedRetryAfter } from './errors.js';
export type { EsikitErrorCode } from './errors.js';
export {
  EsiAbortedError,
  EsiErrorLimitedError,
  EsiHttpError,
  EsiIncompleteResultError,
  EsiMissingScopeError,
  EsiNetworkError,
  EsiOptionError,
  EsiRateLimitedError,
  EsiResponseError,
  EsiTimeoutError,
  EsiTokenRequiredError,
  EsiValidationError,
  EsiWalkError,
} from './esi-errors.js';
export type { EsiErrorBody, EsiErrorCode } from './esi-errors.js';
export type { AccessTokenSource, TokenVerifier, VerifiedTokenClaims } from './auth.js';
export type { EsiAnyCallOptions, EsiAnyRequest, EsiInput, EsiInputOf } from './call.js';
export type {
  EsiOperation,
  EsiOperationResponse,
  EsiOperationTable,
  EsiParameter,
} from './operations.js';
export type { StandardSchemaV1 } from './standard-schema.js';
// The spec's vocabulary, so adapters never import @esikit/spec themselves.
export type {
  HttpMethod,
  JsonSchema,
  PaginationKind,
  ParameterLocation,
  RateLimitSpec,
  ScalarType,
  ValueConstraints,
} from '@esikit/spec';
export { MemoryCacheStore } from './internal/cache-store.js';
export type { CacheEntry, CacheStore, MemoryCacheStoreOptions } from './internal/cache-store.js';
export type { CursorIterator, FromIdOptions } from './internal/cursor.js';
export type { EsiClientStats, EsiRequestEvent } from './internal/events.js';
export type { EsiResponse } from './internal/pipeline.js';
export type {
  CursorItem,
  EsiCallOptions,
  EsiCursorOptions,
  EsiCursorPage,
  EsiCursorPageOptions,
  EsiPage,
  EsiPageOptions,
  EsiPagingParam,
  EsiParams,
  EsiRequest,
  EsiRequestArgs,
  EsiRequestBase,
  EsiResult,
  EsiResultOptions,
  EsiTagApi,
  EsiTagApis,
  EsiToken,
  ListItem,
} from './types.js';
export { SPEC_COMPATIBILITY_DATE, SPEC_SHA256 } from './generated/operations.js';
export type { OperationId, Operations, Tags } from './generated/index.js';
