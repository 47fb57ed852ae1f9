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

/**
 * What a verified access token says; `@esikit/core/sso`'s `VerifiedAccessToken` is one.
 *
 * @example
 * const claims: VerifiedTokenClaims = { characterId: 90000001, scopes: [], expiresAt: Date.now() + 1_200_000 };
 */
export interface VerifiedTokenClaims {
  readonly characterId: number;
  readonly scopes: readonly string[];
  /** `exp`, epoch milliseconds. The client trusts the verification until then. */
  readonly expiresAt: number;
}

/**
 * Checks a caller-supplied access token (signature, `iss`, `aud`, `exp`) and returns its claims,
 * or rejects. `EveSso` from `@esikit/core/sso` is one as it is: `createEsiClient({ tokenVerifier: sso })`.
 *
 * @example
 * const sso = createSso({ clientId, clientSecret, callbackUrl });
 * const esi = createEsiClient({ tokenVerifier: sso });
 */
export interface TokenVerifier {
  verifyAccessToken(
    accessToken: string,
    options?: { signal?: AbortSignal },
  ): Promise<VerifiedTokenClaims>;
}
