/** HTTP methods ESI uses. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** Where a parameter travels. ESI's standard headers are not listed as parameters (see {@link StandardHeader}). */
export type ParameterLocation = 'path' | 'query' | 'header';

/**
 * How a route is paged:
 * - `pages`: a `page` query parameter and an `X-Pages` response header;
 * - `cursor`: `before`/`after`/`limit` with a `cursor` object in the body (`x-pagination: cursor`);
 * - `from_id`: walk backwards with `from_id` (wallet transactions);
 * - `none`: one response holds everything.
 */
export type PaginationKind = 'pages' | 'cursor' | 'from_id' | 'none';

/** Headers every ESI operation accepts; the client sets them itself. */
export type StandardHeader =
  'Accept-Language' | 'If-None-Match' | 'If-Modified-Since' | 'X-Compatibility-Date' | 'X-Tenant';

/** The scalar JSON Schema types a parameter can have. */
export type ScalarType = 'integer' | 'number' | 'string' | 'boolean';

/** Constraints shared by parameters and array items. */
export interface ValueConstraints {
  readonly type: ScalarType | 'array';
  /** `int32`, `int64`, `double`, `date`, `date-time`, `uuid`… */
  readonly format?: string;
  readonly enum?: readonly (string | number)[];
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly uniqueItems?: boolean;
  /** Element constraints when `type` is `array`. */
  readonly items?: ValueConstraints;
}

/** One parameter of an operation, with every `$ref` resolved. */
export interface ParameterSpec extends ValueConstraints {
  readonly name: string;
  readonly in: ParameterLocation;
  readonly required: boolean;
  readonly default?: unknown;
}

/** An `x-rate-limit` bucket declaration. */
export interface RateLimitSpec {
  readonly group: string;
  readonly maxTokens: number;
  /** As written in the spec, e.g. `15m`. */
  readonly windowSize: string;
  /** `windowSize` in milliseconds. */
  readonly windowMs: number;
}

/** A JSON Schema (OpenAPI 3.1 dialect) as found in the spec. */
export type JsonSchema = { readonly [key: string]: unknown };

/** Everything the client, the simulator and the adapters need to know about one operation. */
export interface OperationSpec {
  /** CCP's operationId, e.g. `GetCharactersCharacterIdNotifications`. */
  readonly id: string;
  readonly method: HttpMethod;
  /** Path template, e.g. `/characters/{character_id}/notifications`. */
  readonly path: string;
  /** First tag, e.g. `Character`. */
  readonly tag: string;
  readonly summary: string;
  /** Non-standard parameters in spec order. */
  readonly parameters: readonly ParameterSpec[];
  /** Standard headers this operation declares. */
  readonly standardHeaders: readonly StandardHeader[];
  /** JSON request body, with `$ref`s resolved inline. */
  readonly body?: { readonly required: boolean; readonly schema: JsonSchema };
  /** The documented success status (200, 201 or 204). */
  readonly successStatus: number;
  /** Other 2xx statuses the operation may answer with (a few answer 200 or 204). */
  readonly otherSuccessStatuses?: readonly number[];
  /** Name of the response schema under `components.schemas`, when the spec names one. */
  readonly responseSchema?: string;
  /** The response schema itself when the spec writes it inline. */
  readonly responseInlineSchema?: JsonSchema;
  /** Seconds a response may be cached (`x-cache-age`). */
  readonly cacheAge?: number;
  readonly rateLimit?: RateLimitSpec;
  /** `x-compatibility-date`: the date this route last changed shape. */
  readonly compatibilityDate: string;
  /** The SSO scope required (from `security`); undefined for public routes. */
  readonly scope?: string;
  /** In-game corporation roles required (`x-required-roles`). */
  readonly roles?: readonly string[];
  readonly pagination: PaginationKind;
}

/** A compiled spec: its compatibility date and its operations in a stable order. */
export interface OperationTable {
  /** The spec's compatibility date (`info.version`), e.g. `2026-08-04`. */
  readonly compatibilityDate: string;
  /** The languages `Accept-Language` may take. */
  readonly languages: readonly string[];
  /** Every scope the SSO may grant for ESI, from `securitySchemes`. */
  readonly scopes: readonly string[];
  /** Operations sorted by id. */
  readonly operations: readonly OperationSpec[];
}
