import { SsoOptionError } from './errors.js';

/**
 * A stored SSO token: plain data, no methods. Stores hand these out as frozen snapshots; change
 * one only through {@link TokenStore.update} with its `version` (compare-and-set).
 */
export interface Token {
  /** Store-assigned identifier, opaque. */
  readonly id: string;
  /** When the token was first stored (ms since the epoch). */
  readonly created: number;
  /** When the token last changed (ms since the epoch). */
  readonly updated: number;
  /** Compare-and-set counter: starts at 1, +1 on every update. */
  readonly version: number;
  readonly accessToken: string;
  /** Absent for tokens saved from a bare access token; such tokens cannot be refreshed. */
  readonly refreshToken: string | undefined;
  readonly characterId: number;
  readonly characterName: string;
  /** `Bearer` for EVE SSO. */
  readonly tokenType: string;
  /** SSO owner hash; changes when the character moves to another account. */
  readonly ownerHash: string;
  /** SSO version that issued the token (2 for the JWT SSO). */
  readonly ssoVersion: number;
  /** Owning user in the host application, if any. */
  readonly userId: string | undefined;
  /** Granted scopes, sorted and unique. */
  readonly scopes: readonly string[];
  /** When the access token expires (ms since the epoch). */
  readonly expiresAt: number;
}

/** Fields a store needs to create a token; it assigns `id`, `created`, `updated`, `version`. */
export type NewToken = Omit<Token, 'id' | 'created' | 'updated' | 'version'>;

/** Fields that change on refresh or re-login. */
export type TokenChanges = Partial<
  Pick<
    Token,
    | 'accessToken'
    | 'refreshToken'
    | 'characterName'
    | 'ownerHash'
    | 'scopes'
    | 'expiresAt'
    | 'tokenType'
    | 'userId'
  >
>;

/** Scopes as a list or one space-separated string, like SSO's `scope` parameter. */
export type ScopesInput = readonly string[] | string;

const SCOPE_RE = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/**
 * Normalises scopes to a sorted, de-duplicated list. Accepts a list or a space-separated
 * string; rejects anything that is not a valid OAuth scope token.
 *
 * @example
 * normalizeScopes('esi-skills.read_skills.v1 publicData') // ['esi-skills.read_skills.v1', 'publicData']
 */
export function normalizeScopes(scopes: ScopesInput, name = 'scopes'): string[] {
  let list: readonly unknown[];
  if (typeof scopes === 'string') list = scopes.split(/\s+/).filter((s) => s !== '');
  else if (Array.isArray(scopes)) list = scopes as readonly unknown[];
  else
    throw new SsoOptionError(
      `${name} must be a list of scopes or a space-separated string, got ${describe(scopes)}`,
    );
  for (const s of list) {
    if (typeof s !== 'string' || !SCOPE_RE.test(s))
      // An invalid scope has a space, quote, backslash or non-ASCII character, which no key,
      // secret or token (base64, hex, JWT) has: it is safe to show, and the useful part.
      throw new SsoOptionError(
        `${name} contains an invalid scope: ${typeof s === 'string' ? JSON.stringify(s.length > 60 ? `${s.slice(0, 60)}…` : s) : describe(s)}`,
      );
  }
  return [...new Set(list as string[])].sort();
}

/**
 * True if the access token has expired at `now` (ms since the epoch).
 *
 * @example
 * if (isExpired(token)) await tokens.refresh(token.id);
 */
export function isExpired(token: Pick<Token, 'expiresAt'>, now: number = Date.now()): boolean {
  return now >= token.expiresAt;
}

/**
 * Milliseconds left before the access token expires (negative once expired).
 *
 * @example
 * expiresIn(token, sim.clock.now()) // 1_199_000 right after a login
 */
export function expiresIn(token: Pick<Token, 'expiresAt'>, now: number = Date.now()): number {
  return token.expiresAt - now;
}

/**
 * True if the token carries a refresh token, so a new access token can be obtained.
 *
 * @example
 * if (!canRefresh(token)) redirectToLogin();
 */
export function canRefresh(token: Pick<Token, 'refreshToken'>): boolean {
  return typeof token.refreshToken === 'string' && token.refreshToken !== '';
}

/**
 * True if the token has at least every scope in `required`.
 *
 * @example
 * hasScopes(token, 'esi-skills.read_skills.v1')
 */
export function hasScopes(token: Pick<Token, 'scopes'>, required: ScopesInput): boolean {
  const have = new Set(token.scopes);
  return normalizeScopes(required).every((s) => have.has(s));
}

/**
 * True if the token has exactly the scopes in `scopes`, no more, no fewer.
 *
 * @example
 * hasExactScopes(token, ['publicData'])
 */
export function hasExactScopes(token: Pick<Token, 'scopes'>, scopes: ScopesInput): boolean {
  const want = normalizeScopes(scopes);
  return want.length === token.scopes.length && want.every((s, i) => s === token.scopes[i]);
}

/**
 * True if `b` would be a duplicate of `a`: same character, owner and exact scopes, and the
 * same user (or one of them unowned). Mirrors django-esi's `TokenQueryset.equivalent_to`.
 *
 * @example
 * isEquivalent(saved, fromLogin) // true: update `saved` instead of storing a duplicate
 */
export function isEquivalent(
  a: Pick<Token, 'characterId' | 'ownerHash' | 'scopes' | 'userId'>,
  b: Pick<Token, 'characterId' | 'ownerHash' | 'scopes' | 'userId'>,
): boolean {
  return (
    a.characterId === b.characterId &&
    a.ownerHash === b.ownerHash &&
    (a.userId === undefined || b.userId === undefined || a.userId === b.userId) &&
    hasExactScopes(a, b.scopes)
  );
}

/**
 * Short, secret-free description of a value for error messages: its kind and size, never the
 * content of a string or buffer — a value in the wrong option may be a key, a client secret or a
 * token (a secret passed as `callbackUrl`, a key as `clientId`).
 */
export function describe(value: unknown): string {
  if (typeof value === 'string')
    return value === '' ? 'an empty string' : `a string of ${value.length} characters`;
  if (typeof value === 'number' || typeof value === 'boolean' || value == null)
    return String(value);
  if (typeof value === 'function') return 'a function';
  if (typeof value !== 'object') return `a ${typeof value}`;
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (value instanceof Uint8Array) return `a ${value.constructor.name} of ${value.length} bytes`;
  const name = (Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null)
    ?.constructor?.name;
  return typeof name === 'string' && name !== '' && name !== 'Object' ? `a ${name}` : 'an object';
}
