import type { NewToken, Token, TokenChanges } from './token.js';

/**
 * Filter for {@link TokenStore.find}. Every given field must match (AND). Scope filters take
 * normalised lists (sorted, unique), see `normalizeScopes`.
 */
export interface TokenFilter {
  readonly characterId?: number;
  /** Tokens owned by this user; `null` means tokens with no owning user. */
  readonly userId?: string | null;
  readonly ownerHash?: string;
  /** Tokens that have at least these scopes. */
  readonly requireScopes?: readonly string[];
  /** Tokens that have exactly these scopes. */
  readonly requireScopesExact?: readonly string[];
  /** Tokens whose access token has expired at this instant (ms) — `expiresAt <= expiredAt`. */
  readonly expiredAt?: number;
  /** Tokens whose access token is still valid at this instant (ms) — `expiresAt > validAt`. */
  readonly validAt?: number;
}

/**
 * A login in progress: what django-esi calls a `CallbackRedirect`. Saved when the user is sent
 * to SSO, taken (read and deleted at once) when SSO sends them back.
 */
export interface CallbackRedirect {
  /** The OAuth `state` sent to SSO; random, unguessable. */
  readonly state: string;
  /** The caller's session the login belongs to; the callback must come from the same one. */
  readonly sessionKey: string;
  /** Where to send the user after the login completes. */
  readonly returnUrl: string | undefined;
  /** PKCE verifier for public clients; absent for the web flow. */
  readonly codeVerifier: string | undefined;
  /** Scopes requested (sorted). */
  readonly scopes: readonly string[];
  /** Owning user to attach the new token to, if known when the login starts. */
  readonly userId: string | undefined;
  /** When the login started (ms since the epoch). */
  readonly created: number;
}

/** Options every store call accepts. */
export interface StoreCallOptions {
  readonly signal?: AbortSignal;
}

/**
 * Where tokens and logins in progress live. Implementations: {@link MemoryTokenStore},
 * {@link RedisTokenStore}; each passes `tokenStoreContract`. Every method is atomic on its own.
 *
 * Concurrency: `update` and `delete` are compare-and-set on `version`, and the refresh lease
 * lets exactly one client (in any process sharing the store) call SSO for a token at a time.
 */
export interface TokenStore {
  /** Stores a new token; assigns `id`, `created`, `updated` (= `now`) and `version` 1. */
  create(token: NewToken, now: number, options?: StoreCallOptions): Promise<Token>;
  /** The token with this id, or `undefined`. */
  get(id: string, options?: StoreCallOptions): Promise<Token | undefined>;
  /** Tokens matching every field of `filter`, oldest first. */
  find(filter: TokenFilter, options?: StoreCallOptions): Promise<Token[]>;
  /**
   * Applies `changes` if the stored token still has `expectedVersion`; returns the new token
   * (version + 1), or `undefined` if the version differs or the token is gone.
   */
  update(
    id: string,
    expectedVersion: number,
    changes: TokenChanges,
    now: number,
    options?: StoreCallOptions,
  ): Promise<Token | undefined>;
  /**
   * Deletes the token; with `expectedVersion`, only if it still has that version. True if a
   * token was deleted.
   */
  delete(id: string, expectedVersion?: number, options?: StoreCallOptions): Promise<boolean>;

  /**
   * Takes the refresh lease on `key` for `holder` for `ttlMs`, if no one holds it (an expired
   * lease counts as free). True if taken. Not re-entrant: if `holder` already holds it, false —
   * use {@link renewLease} to extend a lease you hold.
   */
  acquireLease(
    key: string,
    holder: string,
    ttlMs: number,
    options?: StoreCallOptions,
  ): Promise<boolean>;
  /**
   * Extends the lease to `ttlMs` from now if `holder` still holds it (and it has not expired).
   * True if extended; false if the lease was lost.
   */
  renewLease(
    key: string,
    holder: string,
    ttlMs: number,
    options?: StoreCallOptions,
  ): Promise<boolean>;
  /** Releases the lease if `holder` still holds it. */
  releaseLease(key: string, holder: string, options?: StoreCallOptions): Promise<void>;

  /** Saves a login in progress under its `state`. */
  saveCallbackRedirect(redirect: CallbackRedirect, options?: StoreCallOptions): Promise<void>;
  /** Reads and deletes the login for `state` in one step, so a callback works only once. */
  takeCallbackRedirect(
    state: string,
    options?: StoreCallOptions,
  ): Promise<CallbackRedirect | undefined>;
  /** Deletes logins started before `cutoff` (ms since the epoch); returns how many. */
  deleteCallbackRedirectsBefore(cutoff: number, options?: StoreCallOptions): Promise<number>;
}
