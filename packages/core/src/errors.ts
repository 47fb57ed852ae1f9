import type { EsiErrorCode } from './esi-errors.js';
import type { SsoErrorCode } from './sso/errors.js';

/**
 * Every stable `code` an {@link EsikitError} can carry: the ESI client's and the SSO's. Adapters
 * switch over it (exhaustively) to build `TRPCError`s or GraphQL error extensions.
 *
 * @example
 * function toTrpcCode(code: EsikitErrorCode) {
 *   switch (code) { case 'ESIKIT_VALIDATION': return 'BAD_REQUEST'; default: return 'INTERNAL_SERVER_ERROR'; }
 * }
 */
export type EsikitErrorCode = EsiErrorCode | SsoErrorCode;

/**
 * Base class of every error @esikit/core throws. `code` is stable across releases and is what
 * adapters (tRPC, GraphQL) map; `message` is for people. Secrets (access tokens, refresh
 * tokens, client secrets) never appear in either.
 *
 * @example
 * try { await esi.Status.getStatus().result() } catch (e) {
 *   if (e instanceof EsikitError) console.log(e.code, suggestedHttpStatus(e));
 * }
 */
export class EsikitError extends Error {
  override name = 'EsikitError';
  readonly code: EsikitErrorCode;

  constructor(code: EsikitErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

// What a server in front of ESI should answer for each failure. One entry per code, checked by
// the compiler: a new code cannot be added without deciding its status.
const STATUS = {
  // The caller's input or the app's configuration.
  ESIKIT_VALIDATION: 400,
  ESIKIT_INVALID_OPTION: 500,
  ESIKIT_SSO_INVALID_OPTION: 500,
  // Credentials.
  ESIKIT_TOKEN_REQUIRED: 401,
  ESIKIT_SSO_INVALID_GRANT: 401,
  ESIKIT_SSO_TOKEN_INVALID: 401,
  ESIKIT_TOKEN_EXPIRED: 401,
  ESIKIT_TOKEN_NOT_FOUND: 401,
  ESIKIT_MISSING_SCOPE: 403,
  ESIKIT_TOKEN_FORBIDDEN: 403,
  ESIKIT_SSO_LOGIN_DENIED: 403,
  ESIKIT_SSO_STATE_MISMATCH: 400,
  ESIKIT_TOKEN_CONFLICT: 409,
  // ESI's limits: the caller should come back later (`suggestedRetryAfter`).
  ESIKIT_ERROR_LIMITED: 429,
  ESIKIT_RATE_LIMITED: 429,
  // The caller went away (nginx's and tRPC's "client closed request").
  ESIKIT_ABORTED: 499,
  ESIKIT_SSO_ABORTED: 499,
  // Upstream (ESI or SSO) failed or answered something unusable.
  ESIKIT_HTTP: 502,
  ESIKIT_NETWORK: 502,
  ESIKIT_BAD_RESPONSE: 502,
  ESIKIT_UNSAFE_INTEGER: 502,
  ESIKIT_INCOMPLETE_RESULT: 502,
  ESIKIT_WALK_STUCK: 502,
  ESIKIT_SSO_UNAVAILABLE: 502,
  ESIKIT_SSO_PROTOCOL: 502,
  ESIKIT_SSO_REJECTED: 502,
  ESIKIT_TIMEOUT: 504,
  // Our own storage.
  ESIKIT_TOKEN_STORE_FAILED: 503,
  ESIKIT_TOKEN_DECRYPT_FAILED: 500,
  // A programming error: one walk iterated twice.
  ESIKIT_WALK_REUSED: 500,
} as const satisfies Record<EsikitErrorCode, number>;

/** ESI statuses a gateway passes on as they are: the caller asked for something that is not there or not allowed. */
const PASSED_ON = new Set([400, 401, 403, 404, 409, 410, 422]);

/**
 * The HTTP status a server in front of ESI should answer with for an error, for adapters'
 * mappings (tRPC codes, GraphQL `extensions.http.status`):
 *
 * | error | status |
 * | --- | --- |
 * | `ESIKIT_VALIDATION`, `ESIKIT_SSO_STATE_MISMATCH` | 400 |
 * | `ESIKIT_TOKEN_REQUIRED`, `ESIKIT_TOKEN_EXPIRED`, `ESIKIT_TOKEN_NOT_FOUND`, `ESIKIT_SSO_INVALID_GRANT`, `ESIKIT_SSO_TOKEN_INVALID` | 401 |
 * | `ESIKIT_MISSING_SCOPE`, `ESIKIT_TOKEN_FORBIDDEN`, `ESIKIT_SSO_LOGIN_DENIED` | 403 |
 * | `ESIKIT_HTTP` with ESI's 400, 401, 403, 404, 409, 410 or 422 | that status |
 * | `ESIKIT_TOKEN_CONFLICT` | 409 |
 * | `ESIKIT_ERROR_LIMITED` (ESI's 420), `ESIKIT_RATE_LIMITED` (429) | 429, see {@link suggestedRetryAfter} |
 * | `ESIKIT_ABORTED`, `ESIKIT_SSO_ABORTED` | 499 |
 * | other `ESIKIT_HTTP` (5xx…), `ESIKIT_NETWORK`, `ESIKIT_BAD_RESPONSE`, `ESIKIT_UNSAFE_INTEGER`, `ESIKIT_INCOMPLETE_RESULT`, `ESIKIT_WALK_STUCK`, `ESIKIT_SSO_UNAVAILABLE` (network, status), `ESIKIT_SSO_PROTOCOL`, `ESIKIT_SSO_REJECTED` | 502 |
 * | `ESIKIT_TOKEN_STORE_FAILED` | 503 |
 * | `ESIKIT_TIMEOUT`, `ESIKIT_SSO_UNAVAILABLE` (timeout) | 504 |
 * | `ESIKIT_INVALID_OPTION`, `ESIKIT_SSO_INVALID_OPTION`, `ESIKIT_TOKEN_DECRYPT_FAILED`, `ESIKIT_WALK_REUSED`, anything not an `EsikitError` | 500 |
 *
 * @example
 * app.setErrorHandler((error, _req, reply) => {
 *   const retryAfter = suggestedRetryAfter(error);
 *   if (retryAfter !== undefined) reply.header('retry-after', String(retryAfter));
 *   reply.status(suggestedHttpStatus(error)).send({ code: (error as EsikitError).code });
 * });
 */
export function suggestedHttpStatus(error: unknown): number {
  if (!(error instanceof EsikitError)) return 500;
  const fields = error as EsikitError & { status?: unknown; reason?: unknown };
  if (error.code === 'ESIKIT_HTTP' && typeof fields.status === 'number') {
    return PASSED_ON.has(fields.status) ? fields.status : 502;
  }
  if (error.code === 'ESIKIT_SSO_UNAVAILABLE' && fields.reason === 'timeout') return 504;
  return (STATUS as Record<string, number | undefined>)[error.code] ?? 500;
}

/**
 * Whole seconds a caller should wait before trying again, for a `Retry-After` header or an
 * error extension: the `Retry-After` of a 429 (`EsiRateLimitedError.retryAfter`), or the time
 * left until ESI's error window resets after a 420 (`EsiErrorLimitedError.resetAt`, compared
 * with `now`). Undefined for every other error.
 *
 * @param now Epoch milliseconds on the clock the client was given. @default Date.now()
 * @example
 * const seconds = suggestedRetryAfter(error); // 7 after a 429 with Retry-After: 7
 */
export function suggestedRetryAfter(error: unknown, now: number = Date.now()): number | undefined {
  if (!(error instanceof EsikitError)) return undefined;
  const fields = error as EsikitError & { retryAfter?: unknown; resetAt?: unknown };
  if (error.code === 'ESIKIT_RATE_LIMITED' && typeof fields.retryAfter === 'number')
    return Math.max(0, Math.ceil(fields.retryAfter));
  if (error.code === 'ESIKIT_ERROR_LIMITED' && typeof fields.resetAt === 'number')
    return Math.max(1, Math.ceil((fields.resetAt - now) / 1000));
  return undefined;
}
