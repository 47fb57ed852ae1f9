/** Why {@link SsoServer.verifyAccessToken} refused a token. */
export type SsoVerifyReason = 'malformed' | 'signature' | 'expired' | 'audience' | 'revoked';

/**
 * Thrown by `SsoServer.verifyAccessToken`. `reason` is stable and is what the ESI side maps to
 * its 401/403 answers; the message never contains the token.
 *
 * @example
 * try { await sso.verifyAccessToken(token) } catch (e) {
 *   if (e instanceof SsoVerifyError && e.reason === 'expired') { ... }
 * }
 */
export class SsoVerifyError extends Error {
  override name = 'SsoVerifyError';
  readonly reason: SsoVerifyReason;

  constructor(reason: SsoVerifyReason, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.reason = reason;
  }
}

/** RFC 6749 §5.2 error codes the token and revocation endpoints answer with. */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'unsupported_token_type'
  | 'unsupported_response_type'
  | 'access_denied'
  | 'server_error'
  | 'temporarily_unavailable';

/** Internal: an OAuth error answer, thrown inside a route handler and written by the router. */
export class OAuthError extends Error {
  override name = 'OAuthError';
  readonly error: OAuthErrorCode;
  readonly status: number;
  /** Extra response headers (e.g. `WWW-Authenticate` for `invalid_client`). */
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    error: OAuthErrorCode,
    description: string,
    status = error === 'invalid_client' ? 401 : 400,
    headers: Readonly<Record<string, string>> = {},
  ) {
    super(description);
    this.error = error;
    this.status = status;
    this.headers = headers;
  }
}
