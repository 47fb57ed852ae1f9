import { EsikitError } from './errors.js';
import { describeValue } from './internal/describe.js';

/**
 * The stable `code`s of the errors the ESI client throws.
 *
 * @example
 * switch ((e as EsikitError).code as EsiErrorCode) { case 'ESIKIT_RATE_LIMITED': break; }
 */
export type EsiErrorCode =
  | 'ESIKIT_INVALID_OPTION'
  | 'ESIKIT_VALIDATION'
  | 'ESIKIT_HTTP'
  | 'ESIKIT_MISSING_SCOPE'
  | 'ESIKIT_TOKEN_REQUIRED'
  | 'ESIKIT_ERROR_LIMITED'
  | 'ESIKIT_RATE_LIMITED'
  | 'ESIKIT_INCOMPLETE_RESULT'
  | 'ESIKIT_TIMEOUT'
  | 'ESIKIT_ABORTED'
  | 'ESIKIT_NETWORK'
  | 'ESIKIT_BAD_RESPONSE'
  | 'ESIKIT_UNSAFE_INTEGER'
  | 'ESIKIT_WALK_STUCK'
  | 'ESIKIT_WALK_REUSED';

/**
 * An option passed to `createEsiClient` (or per request) is invalid; the message names it.
 *
 * @example
 * try { createEsiClient({ pageConcurrency: 0 }) } catch (e) { if (e instanceof EsiOptionError) console.log(e.option) }
 */
export class EsiOptionError extends EsikitError {
  override name = 'EsiOptionError';
  /** Dotted path of the option, e.g. `timeouts.read`. */
  readonly option: string;
  constructor(option: string, value: unknown, expected: string) {
    super(
      'ESIKIT_INVALID_OPTION',
      `Invalid option ${option}: expected ${expected}, got ${describeOption(option, value)}`,
    );
    this.option = option;
  }
}

/**
 * A parameter or body failed the operation's rules from the spec; nothing was sent.
 *
 * @example
 * if (e instanceof EsiValidationError) console.log(e.operation, e.parameter)
 */
export class EsiValidationError extends EsikitError {
  override name = 'EsiValidationError';
  readonly operation: string;
  /** The parameter (or `body`, `body.items[2]`…) that failed. */
  readonly parameter: string;
  constructor(operation: string, parameter: string, problem: string) {
    super('ESIKIT_VALIDATION', `${operation}: parameter ${parameter} ${problem}`);
    this.operation = operation;
    this.parameter = parameter;
  }
}

/**
 * The body ESI sends with an error, when it is the documented `{ error }` object.
 *
 * @example
 * if (e instanceof EsiHttpError && typeof e.body === 'object') console.log(e.body.error);
 */
export interface EsiErrorBody {
  readonly error?: string;
  readonly [key: string]: unknown;
}

/**
 * ESI answered with a non-success status that was not retried (or retries ran out).
 *
 * @example
 * if (e instanceof EsiHttpError && e.status === 404) return undefined;
 */
export class EsiHttpError extends EsikitError {
  override name = 'EsiHttpError';
  readonly status: number;
  readonly operation: string;
  /** The parsed error body, or the raw text when it was not JSON. */
  readonly body: EsiErrorBody | string | undefined;
  readonly headers: Readonly<Record<string, string>>;
  constructor(
    operation: string,
    status: number,
    body: EsiErrorBody | string | undefined,
    headers: Readonly<Record<string, string>>,
    code: EsiErrorCode = 'ESIKIT_HTTP',
    message?: string,
  ) {
    const detail = typeof body === 'string' ? body.slice(0, 200) : body?.error;
    super(code, message ?? `${operation}: ESI answered ${status}${detail ? ` (${detail})` : ''}`);
    this.status = status;
    this.operation = operation;
    this.body = body;
    this.headers = headers;
  }
}

/**
 * The operation needs an SSO scope the token does not carry (found before sending when the
 * token's scopes are known, or from ESI's 403).
 *
 * @example
 * if (e instanceof EsiMissingScopeError) askForLogin([e.scope]);
 */
export class EsiMissingScopeError extends EsikitError {
  override name = 'EsiMissingScopeError';
  readonly operation: string;
  /** The scope the operation needs, from the spec. */
  readonly scope: string;
  /** 403 when ESI said so; undefined when caught before sending. */
  readonly status: number | undefined;
  constructor(operation: string, scope: string, status?: number, options?: { cause?: unknown }) {
    super(
      'ESIKIT_MISSING_SCOPE',
      `${operation} needs the SSO scope ${scope}, which the token does not grant${status ? ` (ESI answered ${status})` : ''}`,
      options,
    );
    this.operation = operation;
    this.scope = scope;
    this.status = status;
  }
}

/**
 * An authenticated operation was called without `token`; `scope` says which SSO scope to ask for.
 *
 * @example
 * if (e instanceof EsiTokenRequiredError) redirectToLogin([e.scope]);
 */
export class EsiTokenRequiredError extends EsikitError {
  override name = 'EsiTokenRequiredError';
  readonly operation: string;
  /** The SSO scope the operation needs, from the spec: what to ask for at login. */
  readonly scope: string;
  constructor(operation: string, scope: string) {
    super(
      'ESIKIT_TOKEN_REQUIRED',
      `${operation} needs an access token with scope ${scope}; pass { token }`,
    );
    this.operation = operation;
    this.scope = scope;
  }
}

/**
 * ESI's error limit was hit (420) and the retry budget ran out before it reset.
 *
 * @example
 * if (e instanceof EsiErrorLimitedError) scheduleRetryAt(e.resetAt);
 */
export class EsiErrorLimitedError extends EsikitError {
  override name = 'EsiErrorLimitedError';
  readonly operation: string;
  /** Epoch milliseconds (client clock) when the error window resets. */
  readonly resetAt: number;
  constructor(operation: string, resetAt: number) {
    super(
      'ESIKIT_ERROR_LIMITED',
      `${operation}: ESI error limit reached; requests resume at ${new Date(resetAt).toISOString()}`,
    );
    this.operation = operation;
    this.resetAt = resetAt;
  }
}

/**
 * A rate-limit bucket is empty (429) and the retry budget ran out.
 *
 * @example
 * if (e instanceof EsiRateLimitedError) await sleep(e.retryAfter * 1000);
 */
export class EsiRateLimitedError extends EsikitError {
  override name = 'EsiRateLimitedError';
  readonly operation: string;
  /** The rate-limit group, when ESI or the spec names one. */
  readonly group: string | undefined;
  /** Seconds ESI asked to wait (`Retry-After`). */
  readonly retryAfter: number;
  constructor(operation: string, group: string | undefined, retryAfter: number) {
    super(
      'ESIKIT_RATE_LIMITED',
      `${operation}: rate limited${group ? ` in group ${group}` : ''}; retry after ${retryAfter} s`,
    );
    this.operation = operation;
    this.group = group;
    this.retryAfter = retryAfter;
  }
}

/**
 * Pages of a paged result kept disagreeing (the data changed while fetching).
 *
 * @example
 * if (e instanceof EsiIncompleteResultError) retryLater(); // the data kept changing
 */
export class EsiIncompleteResultError extends EsikitError {
  override name = 'EsiIncompleteResultError';
  readonly operation: string;
  readonly attempts: number;
  constructor(operation: string, attempts: number, why: string) {
    super(
      'ESIKIT_INCOMPLETE_RESULT',
      `${operation}: no consistent snapshot of all pages after ${attempts} attempt${attempts === 1 ? '' : 's'} (${why})`,
    );
    this.operation = operation;
    this.attempts = attempts;
  }
}

/**
 * A request took longer than its timeout.
 *
 * @example
 * await esi.Status.getStatus().result({ timeout: 2000 }).catch((e) => e instanceof EsiTimeoutError);
 */
export class EsiTimeoutError extends EsikitError {
  override name = 'EsiTimeoutError';
  readonly operation: string;
  constructor(operation: string, timeoutMs: number, options?: { cause?: unknown }) {
    super('ESIKIT_TIMEOUT', `${operation}: no complete response within ${timeoutMs} ms`, options);
    this.operation = operation;
  }
}

/**
 * The caller's AbortSignal fired; `cause` is the signal's reason.
 *
 * @example
 * const ac = new AbortController(); const p = esi.Status.getStatus().result({ signal: ac.signal }); ac.abort(); // p rejects with EsiAbortedError
 */
export class EsiAbortedError extends EsikitError {
  override name = 'EsiAbortedError';
  readonly operation: string;
  constructor(operation: string, reason: unknown) {
    super('ESIKIT_ABORTED', `${operation}: aborted by the caller`, { cause: reason });
    this.operation = operation;
  }
}

/**
 * The connection failed and retries ran out.
 *
 * @example
 * if (e instanceof EsiNetworkError) console.warn('ESI unreachable', e.cause);
 */
export class EsiNetworkError extends EsikitError {
  override name = 'EsiNetworkError';
  readonly operation: string;
  constructor(operation: string, cause: unknown) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    super('ESIKIT_NETWORK', `${operation}: network error (${detail})`, { cause });
    this.operation = operation;
  }
}

/**
 * ESI's success response could not be used: not JSON (often a truncated body), or it holds an
 * integer beyond 2^53 that JavaScript would silently round (`ESIKIT_UNSAFE_INTEGER`).
 *
 * @example
 * if (e instanceof EsiResponseError && e.code === 'ESIKIT_UNSAFE_INTEGER') report(e);
 */
export class EsiResponseError extends EsikitError {
  override name = 'EsiResponseError';
  readonly operation: string;
  constructor(
    operation: string,
    code: 'ESIKIT_BAD_RESPONSE' | 'ESIKIT_UNSAFE_INTEGER',
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(code, `${operation}: ${detail}`, options);
    this.operation = operation;
  }
}

/**
 * A cursor or from_id walk could not go on: ESI kept answering with the same position
 * (`ESIKIT_WALK_STUCK`: the same `before`/`after` token again, or from_id records that are not
 * older than the `from_id` asked for), or a walk that can run once was iterated again
 * (`ESIKIT_WALK_REUSED`). The walk stops instead of asking ESI for the same records forever.
 *
 * @example
 * try { for await (const job of walk) save(job) } catch (e) { if (e instanceof EsiWalkError && e.code === 'ESIKIT_WALK_STUCK') resumeLaterFrom(e.parameter) }
 */
export class EsiWalkError extends EsikitError {
  override name = 'EsiWalkError';
  declare readonly code: 'ESIKIT_WALK_STUCK' | 'ESIKIT_WALK_REUSED';
  readonly operation: string;
  /** The paging parameter that stopped moving (`before`, `after`, `from_id`), when stuck. */
  readonly parameter: 'before' | 'after' | 'from_id' | undefined;
  constructor(
    operation: string,
    code: 'ESIKIT_WALK_STUCK' | 'ESIKIT_WALK_REUSED',
    detail: string,
    parameter?: 'before' | 'after' | 'from_id',
  ) {
    super(code, `${operation}: ${detail}`);
    this.operation = operation;
    this.parameter = parameter;
  }
}

// Options whose strings are settings a developer typed (URLs, names, dates, enum words): shown,
// shortened. Any other string may be a secret in the wrong place (an access token passed where
// the call options go), so it is described by its length only.
const SHOWN_STRINGS =
  /^(?:baseUrl|appInfo\.\w+|contactEmail|userAgentHeader|tenant|specFile|compatibilityDate(?:\..+)?|retries\.jitter)$/;
const MAX_SHOWN = 40;

/**
 * Describes a rejected option value without echoing anything that could be a secret: objects
 * by class or keys (a Redis client passed as `cache` holds its password in its options).
 */
function describeOption(option: string, value: unknown): string {
  if (typeof value === 'string') {
    if (!SHOWN_STRINGS.test(option)) return `a string of ${value.length} characters`;
    return JSON.stringify(value.length > MAX_SHOWN ? `${value.slice(0, MAX_SHOWN)}…` : value);
  }
  return describeValue(value);
}
