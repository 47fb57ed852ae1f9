import type { TokenFilter } from '../store.js';
import type { Token } from '../token.js';

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
