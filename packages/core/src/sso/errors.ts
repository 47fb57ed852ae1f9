import { EsikitError } from '../errors.js';

/** Stable codes of every error the SSO and token model throw. */
export type SsoErrorCode =
  /** An option or argument was missing or malformed; the message names it and the value. */
  | 'ESIKIT_SSO_INVALID_OPTION'
  /** SSO could not be reached, timed out, or answered 5xx/429. Nothing was changed. */
  | 'ESIKIT_SSO_UNAVAILABLE'
  /** SSO answered in a way that breaks the OAuth protocol (bad JSON, missing fields). */
  | 'ESIKIT_SSO_PROTOCOL'
  /** SSO rejected the request with an OAuth error other than `invalid_grant`. */
  | 'ESIKIT_SSO_REJECTED'
  /** SSO answered `invalid_grant`: the refresh token or code is dead. */
  | 'ESIKIT_SSO_INVALID_GRANT'
  /** An access token failed verification (signature, alg, iss, aud, exp, kid, claims). */
  | 'ESIKIT_SSO_TOKEN_INVALID'
  /** The callback's `state` is unknown, expired, already used, or bound to another session. */
  | 'ESIKIT_SSO_STATE_MISMATCH'
  /** The caller's AbortSignal fired; `cause` is the signal's reason. */
  | 'ESIKIT_SSO_ABORTED'
  /** The user (or SSO) aborted the login: the callback carried `error=…`. */
  | 'ESIKIT_SSO_LOGIN_DENIED'
  /** The token was refreshed by SSO but is gone from the store (deleted as dead or never there). */
  | 'ESIKIT_TOKEN_NOT_FOUND'
  /** Another writer changed the token first (compare-and-set lost). */
  | 'ESIKIT_TOKEN_CONFLICT'
  /** The token cannot be refreshed (no refresh token) and its access token has expired. */
  | 'ESIKIT_TOKEN_EXPIRED'
  /** A stored secret could not be decrypted (unknown key id, tampered ciphertext). */
  | 'ESIKIT_TOKEN_DECRYPT_FAILED'
  /** The token store itself failed (connection, serialisation). */
  | 'ESIKIT_TOKEN_STORE_FAILED'
  /** The user has no token of that character, or none with the scope asked for. */
  | 'ESIKIT_TOKEN_FORBIDDEN';

/**
 * Base class of SSO and token errors. Messages never contain access tokens, refresh tokens,
 * authorization codes or client secrets.
 *
 * @example
 * try { await tokens.validAccessToken(id) } catch (e) {
 *   if (e instanceof SsoError && e.code === 'ESIKIT_SSO_UNAVAILABLE') retryLater();
 * }
 */
export class SsoError extends EsikitError {
  override name = 'SsoError';
  declare readonly code: SsoErrorCode;

  constructor(code: SsoErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/**
 * The caller's AbortSignal fired during an SSO call, a token-model call or a store call; `cause`
 * is the signal's reason. A refresh whose request already reached SSO goes on for the callers
 * still waiting (a rotated refresh token must not be lost); only this caller stops waiting.
 *
 * @example
 * const ac = new AbortController();
 * const p = tokens.validAccessToken(id, { signal: ac.signal });
 * ac.abort(); // p rejects with SsoAbortedError, code 'ESIKIT_SSO_ABORTED'
 */
export class SsoAbortedError extends SsoError {
  override name = 'SsoAbortedError';
  /** What was aborted, e.g. `SSO refresh`. */
  readonly operation: string;
  constructor(operation: string, reason: unknown) {
    super(
      'ESIKIT_SSO_ABORTED',
      `${operation}: aborted by the caller${reason instanceof Error && reason.message !== '' ? ` (${reason.message.slice(0, 200)})` : ''}`,
      { cause: reason },
    );
    this.operation = operation;
  }
}

/** Bad option or argument; thrown synchronously by factories and functions that validate input. */
export class SsoOptionError extends SsoError {
  override name = 'SsoOptionError';
  constructor(message: string) {
    super('ESIKIT_SSO_INVALID_OPTION', message);
  }
}

/** Why SSO was unavailable. */
export type SsoUnavailableReason = 'network' | 'timeout' | 'status';

/**
 * SSO was unreachable, too slow, or answered with a server error. Retry later: the stored
 * token was left exactly as it was.
 */
export class SsoUnavailableError extends SsoError {
  override name = 'SsoUnavailableError';
  readonly reason: SsoUnavailableReason;
  /** HTTP status when `reason` is `'status'`. */
  readonly status: number | undefined;

  constructor(
    reason: SsoUnavailableReason,
    message: string,
    options?: { cause?: unknown; status?: number },
  ) {
    super('ESIKIT_SSO_UNAVAILABLE', message, options);
    this.reason = reason;
    this.status = options?.status;
  }
}

/** SSO answered something that is not a valid OAuth response. */
export class SsoProtocolError extends SsoError {
  override name = 'SsoProtocolError';
  readonly status: number | undefined;
  constructor(message: string, options?: { cause?: unknown; status?: number }) {
    super('ESIKIT_SSO_PROTOCOL', message, options);
    this.status = options?.status;
  }
}

/** SSO rejected the request with an OAuth error (`error` holds its code, e.g. `invalid_client`). */
export class SsoRejectedError extends SsoError {
  override name = 'SsoRejectedError';
  readonly error: string;
  readonly status: number;
  constructor(error: string, status: number, message: string, options?: { cause?: unknown }) {
    super('ESIKIT_SSO_REJECTED', message, options);
    this.error = error;
    this.status = status;
  }
}

/**
 * SSO answered `invalid_grant`: the refresh token (or authorization code) is revoked, expired,
 * already used, or the character changed hands. The only error after which a token is deleted.
 */
export class SsoInvalidGrantError extends SsoError {
  override name = 'SsoInvalidGrantError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('ESIKIT_SSO_INVALID_GRANT', message, options);
  }
}

/** Which check an access token failed. */
export type TokenInvalidReason =
  | 'malformed'
  | 'algorithm'
  | 'unknown-kid'
  | 'signature'
  | 'issuer'
  | 'audience'
  | 'expired'
  | 'claims';

/** An access token failed verification; `reason` says which check. */
export class TokenVerificationError extends SsoError {
  override name = 'TokenVerificationError';
  readonly reason: TokenInvalidReason;
  constructor(reason: TokenInvalidReason, message: string, options?: { cause?: unknown }) {
    super('ESIKIT_SSO_TOKEN_INVALID', message, options);
    this.reason = reason;
  }
}

/** The login callback does not belong to a login this session started (CSRF, replay, expiry). */
export class SsoStateError extends SsoError {
  override name = 'SsoStateError';
  constructor(message: string) {
    super('ESIKIT_SSO_STATE_MISMATCH', message);
  }
}

/** The callback carried an OAuth error instead of a code (e.g. the user pressed Cancel). */
export class SsoLoginDeniedError extends SsoError {
  override name = 'SsoLoginDeniedError';
  readonly error: string;
  constructor(error: string, message: string) {
    super('ESIKIT_SSO_LOGIN_DENIED', message);
    this.error = error;
  }
}

/** Token-model errors (store, refresh bookkeeping, encryption). */
export class TokenError extends SsoError {
  override name = 'TokenError';
  readonly tokenId: string | undefined;
  constructor(
    code: SsoErrorCode,
    message: string,
    options?: { cause?: unknown; tokenId?: string },
  ) {
    super(code, message, options);
    this.tokenId = options?.tokenId;
  }
}

/** Why {@link TokenForbiddenError} refused: the character is not the user's, or lacks a scope. */
export type TokenForbiddenReason = 'not-your-character' | 'missing-scope';

/**
 * The user may not act as that character: none of their tokens is for it, or none of those has
 * the scope the call needs. Thrown before anything reaches ESI. The message names the character
 * and the scope, never a token.
 *
 * @example
 * try { await tokenFor(tokens, { userId, characterId, scope }) }
 * catch (e) { if (e instanceof TokenForbiddenError) reply(403, e.message) }
 */
export class TokenForbiddenError extends SsoError {
  override name = 'TokenForbiddenError';
  readonly reason: TokenForbiddenReason;
  readonly characterId: number;
  /** The scope that was asked for, when one was. */
  readonly scope: string | undefined;
  constructor(reason: TokenForbiddenReason, characterId: number, scope: string | undefined) {
    super(
      'ESIKIT_TOKEN_FORBIDDEN',
      reason === 'not-your-character'
        ? `character ${characterId} is not one of your characters`
        : `no token of character ${characterId} has the scope ${String(scope)}; log in again asking for it`,
    );
    this.reason = reason;
    this.characterId = characterId;
    this.scope = scope;
  }
}
