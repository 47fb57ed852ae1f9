import { SsoOptionError } from '../errors.js';
import type { TokenQuery } from '../manager.js';
import type { TokenFilter } from '../store.js';
import { describe, normalizeScopes, type Token } from '../token.js';

/** True if `token` matches every field of `filter`; shared by stores that filter in memory. */
export function matchesFilter(token: Token, filter: TokenFilter): boolean {
  if (filter.characterId !== undefined && token.characterId !== filter.characterId) return false;
  if (filter.userId !== undefined && (token.userId ?? null) !== filter.userId) return false;
  if (filter.ownerHash !== undefined && token.ownerHash !== filter.ownerHash) return false;
  if (filter.expiredAt !== undefined && token.expiresAt > filter.expiredAt) return false;
  if (filter.validAt !== undefined && token.expiresAt <= filter.validAt) return false;
  if (filter.requireScopes !== undefined) {
    const have = new Set(token.scopes);
    if (!filter.requireScopes.every((s) => have.has(s))) return false;
  }
  if (filter.requireScopesExact !== undefined) {
    const want = new Set(filter.requireScopesExact);
    const have = new Set(token.scopes);
    if (want.size !== have.size || ![...want].every((s) => have.has(s))) return false;
  }
  return true;
}

/** Oldest first, then by id, so every store lists in the same order. */
export function byCreated(a: Token, b: Token): number {
  return a.created - b.created || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** A {@link TokenQuery} (the manager's, scopes as list or string) as a store's filter. */
export function toFilter(query: TokenQuery): TokenFilter {
  if (query === null || typeof query !== 'object')
    throw new SsoOptionError(`token query must be an object, got ${describe(query)}`);
  const filter: { -readonly [K in keyof TokenFilter]: TokenFilter[K] } = {};
  if (query.characterId !== undefined) {
    if (!Number.isSafeInteger(query.characterId) || query.characterId <= 0)
      throw new SsoOptionError(
        `characterId must be a positive integer, got ${describe(query.characterId)}`,
      );
    filter.characterId = query.characterId;
  }
  if (query.userId !== undefined) filter.userId = query.userId;
  if (query.ownerHash !== undefined) filter.ownerHash = query.ownerHash;
  if (query.requireScopes !== undefined)
    filter.requireScopes = normalizeScopes(query.requireScopes, 'requireScopes');
  if (query.requireScopesExact !== undefined)
    filter.requireScopesExact = normalizeScopes(query.requireScopesExact, 'requireScopesExact');
  return filter;
}
