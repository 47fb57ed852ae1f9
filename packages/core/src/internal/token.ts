import type { AccessTokenSource } from '../auth.js';
import { EsiValidationError } from '../esi-errors.js';

/** What the client knows about a credential without asking SSO. */
export interface Credential {
  readonly characterId: number;
  readonly scopes: readonly string[] | undefined;
  getAccessToken(signal: AbortSignal | undefined): Promise<string>;
}

/**
 * Turns a raw access token or an {@link AccessTokenSource} into a {@link Credential}.
 * A raw token's payload is decoded, not verified: ESI verifies it, the client only needs the
 * character (private cache key, rate-limit bucket) and scopes (early missing-scope errors).
 * Because an unverified `sub` selects the private cache key, a raw token is trusted input (the
 * public docs on `EsiToken` and the README say so); keying by the token itself instead would
 * force a request inside the cache window after every refresh. Messages never include the token.
 */
export function toCredential(opId: string, token: string | AccessTokenSource): Credential {
  if (typeof token === 'string') {
    const payload = decodePayload(token);
    if (!payload)
      throw new EsiValidationError(opId, 'token', 'is not a JWT access token (payload unreadable)');
    const sub = typeof payload.sub === 'string' ? /^CHARACTER:EVE:(\d+)$/.exec(payload.sub) : null;
    if (!sub?.[1]) throw new EsiValidationError(opId, 'token', 'has no CHARACTER:EVE:<id> subject');
    const scp = payload.scp;
    // No `scp` claim: scopes unknown, so ESI decides (a token without scopes says `scp: []`).
    const scopes =
      typeof scp === 'string'
        ? [scp]
        : Array.isArray(scp)
          ? scp.filter((s): s is string => typeof s === 'string')
          : undefined;
    return { characterId: Number(sub[1]), scopes, getAccessToken: () => Promise.resolve(token) };
  }
  if (
    typeof token !== 'object' ||
    token === null ||
    typeof token.getAccessToken !== 'function' ||
    !Number.isSafeInteger(token.characterId)
  ) {
    throw new EsiValidationError(
      opId,
      'token',
      'must be an access token string or an AccessTokenSource',
    );
  }
  return {
    characterId: token.characterId,
    scopes: token.scopes,
    getAccessToken: (signal) => token.getAccessToken(signal ? { signal } : {}),
  };
}

function decodePayload(jwt: string): Record<string, unknown> | undefined {
  const part = jwt.split('.')[1];
  if (!part) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
