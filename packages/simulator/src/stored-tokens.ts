import type { SsoServer } from './sso/index.js';

/**
 * A login in the shape esikit's token stores take (`NewToken` of `@esikit/core/sso`, camelCase):
 * pass it to any store's `create(token, now)`. Declared here, structurally, because the
 * simulator must not depend on core.
 */
export interface SimStoredToken {
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly characterId: number;
  readonly characterName: string;
  readonly tokenType: 'Bearer';
  readonly ownerHash: string;
  /** 2: the JWT SSO. */
  readonly ssoVersion: 2;
  readonly userId: string | undefined;
  /** Sorted and unique, as stores keep them. */
  readonly scopes: readonly string[];
  /** When the access token expires (ms since the epoch, simulator clock). */
  readonly expiresAt: number;
}

/** One login to issue: a character of the universe, its scopes, and optionally who owns it. */
export interface StoredTokenRequest {
  readonly characterId: number;
  readonly scopes: readonly string[];
  /** @default the first registered client */
  readonly clientId?: string;
  /** The owning user in the app under test. @default undefined */
  readonly userId?: string;
}

/** Anything with a token store's `create`: esikit's memory, PostgreSQL and Redis stores fit. */
export interface TokenStoreLike<T> {
  create(token: SimStoredToken, now: number): Promise<T> | T;
}

/** Issues tokens for one login and describes them as a store record. */
export async function issueStoredToken(
  sso: SsoServer,
  request: StoredTokenRequest,
): Promise<SimStoredToken> {
  if (typeof request !== 'object' || request === null)
    throw new TypeError(
      `issueStoredToken: expected { characterId, scopes }, got ${String(request)}`,
    );
  if (request.userId !== undefined && typeof request.userId !== 'string')
    throw new TypeError(`issueStoredToken: userId must be a string, got ${typeof request.userId}`);
  const issued = await sso.issueTokens({
    characterId: request.characterId,
    scopes: request.scopes,
    ...(request.clientId !== undefined ? { clientId: request.clientId } : {}),
  });
  // Read back from the token itself, so the record says what the JWT says.
  const access = await sso.verifyAccessToken(issued.access_token);
  return {
    accessToken: issued.access_token,
    refreshToken: issued.refresh_token,
    characterId: access.characterId,
    characterName: access.characterName,
    tokenType: 'Bearer',
    ownerHash: access.ownerHash,
    ssoVersion: 2,
    userId: request.userId,
    scopes: [...new Set(access.scopes)].sort(),
    expiresAt: access.expiresAt,
  };
}

/** Issues every login and `create`s it in `store`, in order; resolves to what the store returned. */
export async function seedTokenStore<T>(
  sso: SsoServer,
  store: TokenStoreLike<T>,
  requests: readonly StoredTokenRequest[],
  now: number,
): Promise<T[]> {
  if (typeof store !== 'object' || store === null || typeof store.create !== 'function')
    throw new TypeError('seedTokenStore: store must have a create(token, now) method');
  if (!Array.isArray(requests))
    throw new TypeError('seedTokenStore: logins must be an array of { characterId, scopes }');
  const out: T[] = [];
  for (const request of requests as readonly StoredTokenRequest[])
    out.push(await store.create(await issueStoredToken(sso, request), now));
  return out;
}
