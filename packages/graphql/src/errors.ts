// Core's error codes → GraphQLError extensions. One bad field becomes one error at its path;
// the rest of the response still resolves (partial data).
import { GraphQLError } from 'graphql';
import { EsikitError, suggestedHttpStatus, suggestedRetryAfter } from '@esikit/core';

/**
 * The `extensions.code` values this package sets.
 *
 * @example
 * if (result.errors?.[0]?.extensions.code === 'FORBIDDEN') askForScope(result.errors[0].extensions.scope);
 */
export type EsiGraphQLErrorCode =
  | 'BAD_USER_INPUT'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'RATE_LIMITED'
  | 'ABORTED'
  | 'ESI_UNAVAILABLE'
  | 'TOKEN_STORE_UNAVAILABLE'
  | 'TOO_EXPENSIVE'
  | 'INTERNAL_SERVER_ERROR';

function codeFor(status: number): EsiGraphQLErrorCode {
  if (status === 400 || status === 422) return 'BAD_USER_INPUT';
  if (status === 401) return 'UNAUTHENTICATED';
  if (status === 403) return 'FORBIDDEN';
  if (status === 404 || status === 410) return 'NOT_FOUND';
  if (status === 409) return 'CONFLICT';
  if (status === 429) return 'RATE_LIMITED';
  if (status === 499) return 'ABORTED';
  if (status === 502 || status === 503 || status === 504) return 'ESI_UNAVAILABLE';
  return 'INTERNAL_SERVER_ERROR';
}

/**
 * Turns what a resolver caught into a `GraphQLError` with `extensions.code` (see
 * {@link EsiGraphQLErrorCode}), `extensions.esikitCode` (core's code), and where it applies
 * `argument` (the parameter that was wrong), `scope`, `reason` and `retryAfter` (seconds).
 * Messages are core's, which never contain tokens; anything that is not an `EsikitError` becomes
 * a generic `INTERNAL_SERVER_ERROR` without its message.
 *
 * @example
 * try { await esi.call(id, input).result(); } catch (e) { throw toGraphQLError(e); }
 */
export function toGraphQLError(error: unknown): GraphQLError {
  if (error instanceof GraphQLError) return error;
  if (!(error instanceof EsikitError))
    return new GraphQLError('Internal error', {
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
  const status = suggestedHttpStatus(error);
  const extensions: Record<string, unknown> = {
    // The app's token store failed, not ESI: the app's operators, not CCP, must act.
    code: error.code === 'ESIKIT_TOKEN_STORE_FAILED' ? 'TOKEN_STORE_UNAVAILABLE' : codeFor(status),
    esikitCode: error.code,
    status,
  };
  const e = error as EsikitError & {
    parameter?: unknown;
    scope?: unknown;
    reason?: unknown;
  };
  if (typeof e.parameter === 'string') extensions.argument = e.parameter;
  if (typeof e.scope === 'string') extensions.scope = e.scope;
  if (typeof e.reason === 'string') extensions.reason = e.reason;
  const retryAfter = suggestedRetryAfter(error);
  if (retryAfter !== undefined) extensions.retryAfter = retryAfter;
  // No `originalError`: servers (Yoga) mask an error that wraps a non-GraphQL one, and this one
  // is meant for the client. Core's messages carry no secrets; a store's failure can name the
  // app's own hosts and ports (a driver's message), which are not the client's business.
  const message =
    error.code === 'ESIKIT_TOKEN_STORE_FAILED'
      ? "The app's token store is unavailable"
      : error.message;
  return new GraphQLError(message, { extensions });
}

/**
 * A GraphQL-level refusal this package raises itself (no token, too expensive, bad option).
 *
 * @example
 * throw esiGraphQLError('UNAUTHENTICATED', 'Sign in to read this field');
 */
export function esiGraphQLError(
  code: EsiGraphQLErrorCode,
  message: string,
  extensions: Record<string, unknown> = {},
): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...extensions } });
}
