/**
 * What the ESI client needs from a credential: whose it is, and a currently valid access token.
 * The SSO token model (`@esikit/core/sso`) provides one that refreshes safely; a raw access
 * token string is also accepted by the client wherever a source is.
 */
export interface AccessTokenSource {
  /** The character the token belongs to; keys the private cache and the rate-limit bucket. */
  readonly characterId: number;
  /** Scopes the token carries, when known (lets the client name a missing scope early). */
  readonly scopes?: readonly string[];
  /** Returns an access token valid for at least the next few seconds, refreshing if needed. */
  getAccessToken(options?: { signal?: AbortSignal }): Promise<string>;
}
