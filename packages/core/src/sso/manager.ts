import type { AccessTokenSource } from '../auth.js';
import type { EsiLogger } from '../options.js';
import { SsoInvalidGrantError, SsoOptionError, TokenError } from './errors.js';
import { abortedError, guard } from './internal/abort.js';
import { toFilter } from './internal/filter.js';
import { notFound, Refresher } from './internal/refresher.js';
import { Refreshes, type TokenRefreshListener } from './refreshes.js';
import { Removals, type TokenRemovedListener, type TokenRemovedReason } from './removals.js';
import {
  concurrencyOption,
  listenerOption,
  loggerOption,
  minLeaseTtlMs,
  nonNegative,
  positive,
} from './options.js';
import type { EveSso, SsoCallOptions } from './sso.js';
import type { TokenStore } from './store.js';
import { describe, type ScopesInput, type Token } from './token.js';

/** Options of {@link TokenManager}. */
export interface TokenManagerOptions {
  /** The SSO application tokens are refreshed with. */
  sso: EveSso;
  /** Where tokens and logins in progress are kept. */
  store: TokenStore;
  /** Refresh when the access token expires within this many ms. @default 60000 */
  refreshMarginMs?: number;
  /**
   * How long one client may hold a token's refresh lease; if a holder dies, others wait this
   * long at most. The lease is renewed before the SSO calls and before the write, and between
   * those a refresh may make up to four SSO requests (discovery, token, JWKS and a JWKS re-fetch
   * for a new key), each up to the SSO client's `timeoutMs`; a shorter lease could lapse while
   * its holder still waits for SSO, so it is refused. @default 60000, or that minimum if larger
   */
  leaseTtlMs?: number;
  /** Most refreshes in flight at once in bulk jobs; EVE fails above ~5. @default 5 */
  concurrency?: number;
  /** Always store a new token on login, even if an equivalent one exists. @default false */
  alwaysCreateToken?: boolean;
  /** Logins must complete within this many seconds of starting. @default 300 */
  loginTimeoutSeconds?: number;
  /** Clock in ms since the epoch. @default the SSO's clock */
  clock?: () => number;
  /**
   * Called once after each token core deletes — SSO's `invalid_grant` (in any refresh: a
   * request's, `refreshOrDelete`, bulk jobs), `revoke()`, or a login that found the character on
   * another account — with the reason and the token's identity, never its secrets. Not called
   * when a fenced delete found a newer token and deleted nothing. Awaited before the call that
   * deleted returns; what it throws or rejects with goes to `logger.warn` and changes nothing else.
   * @default none
   */
  onTokenRemoved?: TokenRemovedListener;
  /**
   * Called once per refresh request core sends to SSO — in a request's refresh
   * (`validAccessToken`, `source()`), `refresh`, `refreshOrDelete` and bulk jobs — with its
   * outcome (`refreshed`, `failed` with the error's code, or `dead`: `invalid_grant`, deleted)
   * and the token's identity, never its secrets. Callers that shared another's refresh, here or
   * in another process, add no event. Awaited (after the refresh lease is released) before the
   * refresh's callers get its answer; what it throws or rejects with goes to `logger.warn` and
   * changes nothing else.
   * @default none
   */
  onTokenRefresh?: TokenRefreshListener;
  /**
   * Where failures of `onTokenRemoved` and `onTokenRefresh` are reported.
   * @default warnings through `process.emitWarning`
   */
  logger?: EsiLogger;
}

/** Outcome of a bulk refresh; nothing is thrown for a single token. */
export interface BulkRefreshResult {
  /** Tokens now holding a fresh access token. */
  readonly refreshed: Token[];
  /** Ids of tokens SSO declared dead (`invalid_grant`) and that were deleted. */
  readonly deleted: string[];
  /** Tokens left untouched because SSO was unavailable or answered oddly. */
  readonly failed: { readonly tokenId: string; readonly error: unknown }[];
}

/** Options of bulk jobs. */
export interface BulkOptions extends SsoCallOptions {
  /** @default the manager's `concurrency` (5) */
  readonly concurrency?: number;
}

/** Query over stored tokens; scopes accept a list or a space-separated string. */
export interface TokenQuery {
  readonly characterId?: number;
  readonly userId?: string | null;
  readonly ownerHash?: string;
  readonly requireScopes?: ScopesInput;
  readonly requireScopesExact?: ScopesInput;
}

/**
 * The token model's behaviour over an SSO application and a store: what django-esi's `Token`
 * and `TokenQueryset` do, safe under concurrency. A refresh happens once per token however
 * many callers (in this process or any other sharing the store) need it; a rotated refresh
 * token is stored before the new access token is handed out; a token is deleted only when SSO
 * answers `invalid_grant`.
 *
 * @example
 * const tokens = new TokenManager({ sso, store: new MemoryTokenStore() });
 * const token = await tokens.getToken(characterId, ['esi-skills.read_skills.v1']);
 * const accessToken = await tokens.validAccessToken(token!.id, { signal });
 */
export class TokenManager {
  readonly sso: EveSso;
  readonly store: TokenStore;
  readonly refreshMarginMs: number;
  readonly leaseTtlMs: number;
  readonly concurrency: number;
  readonly alwaysCreateToken: boolean;
  readonly loginTimeoutSeconds: number;
  readonly clock: () => number;
  readonly #refresher: Refresher;
  readonly #removals: Removals;
  readonly #refreshes: Refreshes;

  constructor(options: TokenManagerOptions) {
    if (options === null || typeof options !== 'object')
      throw new SsoOptionError(`TokenManager options must be an object, got ${describe(options)}`);
    if (
      options.sso === null ||
      typeof options.sso !== 'object' ||
      typeof options.sso.refresh !== 'function'
    )
      throw new SsoOptionError(
        `sso must be an EveSso from createSso(), got ${describe(options.sso)}`,
      );
    const store = options.store as Partial<TokenStore> | null;
    if (store === null || typeof store !== 'object' || typeof store.acquireLease !== 'function')
      throw new SsoOptionError(`store must implement TokenStore, got ${describe(options.store)}`);
    this.sso = options.sso;
    this.store = options.store;
    this.refreshMarginMs = nonNegative(options.refreshMarginMs, 'refreshMarginMs', 60_000);
    const minLease = minLeaseTtlMs(options.sso.options.timeoutMs);
    this.leaseTtlMs = positive(options.leaseTtlMs, 'leaseTtlMs', Math.max(60_000, minLease));
    if (this.leaseTtlMs < minLease)
      throw new SsoOptionError(
        `leaseTtlMs must be at least ${minLease} ms (four SSO requests of up to the SSO client's timeoutMs ${options.sso.options.timeoutMs} ms each, plus store retries), got ${this.leaseTtlMs}`,
      );
    this.concurrency = concurrencyOption(options.concurrency, 'concurrency', 5);
    this.alwaysCreateToken = options.alwaysCreateToken ?? false;
    if (typeof this.alwaysCreateToken !== 'boolean')
      throw new SsoOptionError(
        `alwaysCreateToken must be a boolean, got ${describe(options.alwaysCreateToken)}`,
      );
    this.loginTimeoutSeconds = positive(options.loginTimeoutSeconds, 'loginTimeoutSeconds', 300);
    this.clock = options.clock ?? options.sso.options.clock;
    listenerOption(options.onTokenRemoved, 'onTokenRemoved');
    listenerOption(options.onTokenRefresh, 'onTokenRefresh');
    const logger = loggerOption(options.logger);
    this.#removals = new Removals(options.onTokenRemoved, logger);
    removals.set(this, this.#removals);
    this.#refreshes = new Refreshes(options.onTokenRefresh, logger);
    this.#refresher = new Refresher({
      sso: this.sso,
      store: this.store,
      leaseTtlMs: this.leaseTtlMs,
      clock: this.clock,
      isFresh: (token) => this.isFresh(token),
      removed: (token, reason) => this.#removals.report(token, reason),
      attempted: (token, outcome, error) => this.#refreshes.report(token, outcome, error),
    });
  }

  /** True if the token's access token is valid for longer than the refresh margin. */
  isFresh(token: Token): boolean {
    return token.expiresAt - this.clock() > this.refreshMarginMs;
  }

  /**
   * A valid access token for the token, refreshing it first if it has expired or is about to.
   * Concurrent calls for one token share one refresh.
   */
  async validAccessToken(tokenId: string, options: SsoCallOptions = {}): Promise<string> {
    return guard(options.signal, 'token refresh', async () => {
      const token = await this.store.get(tokenId, options);
      if (token === undefined) throw notFound(tokenId);
      if (this.isFresh(token)) return token.accessToken;
      return (await this.#refresher.refresh(tokenId, false, options.signal)).accessToken;
    });
  }

  /**
   * Refreshes now, even if the access token is still valid. On `invalid_grant` the token is
   * deleted and {@link SsoInvalidGrantError} thrown; on any other failure it is left untouched.
   */
  async refresh(tokenId: string, options: SsoCallOptions = {}): Promise<Token> {
    return guard(options.signal, 'token refresh', () =>
      this.#refresher.refresh(tokenId, true, options.signal),
    );
  }

  /**
   * Refreshes if needed; returns `undefined` if SSO declared the token dead (it is deleted).
   * Network errors, timeouts and 5xx are thrown and the token is kept.
   */
  async refreshOrDelete(tokenId: string, options: SsoCallOptions = {}): Promise<Token | undefined> {
    try {
      return await guard(options.signal, 'token refresh', async () => {
        const token = await this.store.get(tokenId, options);
        if (token === undefined) return undefined;
        if (this.isFresh(token)) return token;
        return await this.#refresher.refresh(tokenId, false, options.signal);
      });
    } catch (error) {
      if (error instanceof SsoInvalidGrantError) return undefined;
      if (error instanceof TokenError && error.code === 'ESIKIT_TOKEN_NOT_FOUND') return undefined;
      throw error;
    }
  }

  /**
   * Revokes the token at SSO (the user's consent ends), then deletes it. Takes the refresh
   * lease first, so a refresh in flight anywhere finishes and its rotated refresh token is the
   * one revoked. If SSO cannot be reached the token is kept and the error thrown, so the revoke
   * can be retried.
   *
   * @example
   * await tokens.revoke(token.id); // "log out and forget me"
   */
  async revoke(tokenId: string, options: SsoCallOptions = {}): Promise<void> {
    return guard(options.signal, 'token revoke', () =>
      this.#refresher.revoke(tokenId, options.signal),
    );
  }

  /**
   * An {@link AccessTokenSource} for the ESI client: `getAccessToken()` returns a valid access
   * token, refreshing safely.
   *
   * @example
   * await esi.request(op, params, { token: tokens.source(token) });
   */
  source(token: Token): AccessTokenSource {
    const id = token.id;
    return {
      characterId: token.characterId,
      scopes: token.scopes,
      getAccessToken: (options?: { signal?: AbortSignal }) =>
        this.validAccessToken(id, options?.signal ? { signal: options.signal } : {}),
    };
  }

  // -- queries (django-esi's TokenQueryset) --------------------------------------------------

  /** Tokens matching the query, oldest first. */
  async find(query: TokenQuery = {}, options: SsoCallOptions = {}): Promise<Token[]> {
    const filter = toFilter(query);
    return guard(options.signal, 'token query', () => this.store.find(filter, options));
  }

  /** The newest token of the character with at least these scopes, if any. */
  async getToken(
    characterId: number,
    scopes: ScopesInput = [],
    options: SsoCallOptions & { readonly userId?: string } = {},
  ): Promise<Token | undefined> {
    const found = await this.find(
      {
        characterId,
        requireScopes: scopes,
        ...(options.userId !== undefined ? { userId: options.userId } : {}),
      },
      options,
    );
    return found.at(-1);
  }

  /** Tokens with at least these scopes. */
  requireScopes(
    scopes: ScopesInput,
    query: TokenQuery = {},
    options: SsoCallOptions = {},
  ): Promise<Token[]> {
    return this.find({ ...query, requireScopes: scopes }, options);
  }

  /** Tokens with exactly these scopes. */
  requireScopesExact(
    scopes: ScopesInput,
    query: TokenQuery = {},
    options: SsoCallOptions = {},
  ): Promise<Token[]> {
    return this.find({ ...query, requireScopesExact: scopes }, options);
  }

  /** Tokens of a user in the host application. */
  forUser(userId: string, options: SsoCallOptions = {}): Promise<Token[]> {
    return this.find({ userId }, options);
  }

  /** Tokens whose access token has expired (they may still be refreshable). */
  getExpired(query: TokenQuery = {}, options: SsoCallOptions = {}): Promise<Token[]> {
    const filter = { ...toFilter(query), expiredAt: this.clock() };
    return guard(options.signal, 'token query', () => this.store.find(filter, options));
  }

  /** Tokens that duplicate `token` (same character, owner, exact scopes, compatible user). */
  async equivalentTo(token: Token, options: SsoCallOptions = {}): Promise<Token[]> {
    const found = await guard(options.signal, 'token query', () =>
      this.store.find(
        {
          characterId: token.characterId,
          ownerHash: token.ownerHash,
          requireScopesExact: token.scopes,
        },
        options,
      ),
    );
    return found.filter(
      (t) =>
        t.id !== token.id &&
        (t.userId === undefined || token.userId === undefined || t.userId === token.userId),
    );
  }

  /**
   * Tokens matching the query that hold a valid access token, refreshing the stale ones and
   * deleting those SSO declares dead (django-esi's `require_valid`). Tokens SSO could not be
   * asked about are reported in `failed` and kept.
   */
  async requireValid(
    query: TokenQuery = {},
    options: BulkOptions = {},
  ): Promise<BulkRefreshResult> {
    const tokens = await this.find(query, options);
    const fresh = tokens.filter((t) => this.isFresh(t));
    const result = await this.bulkRefresh(
      tokens.filter((t) => !this.isFresh(t)),
      options,
    );
    return { ...result, refreshed: [...fresh, ...result.refreshed] };
  }

  /**
   * Refreshes many tokens with at most `concurrency` SSO calls in flight (default 5: EVE's
   * token endpoint fails above that). Stale-only: fresh tokens are skipped unless `force`.
   */
  async bulkRefresh(
    tokens: readonly (Token | string)[],
    options: BulkOptions & { readonly force?: boolean } = {},
  ): Promise<BulkRefreshResult> {
    const concurrency = concurrencyOption(options.concurrency, 'concurrency', this.concurrency);
    const ids = tokens.map((t) => (typeof t === 'string' ? t : t.id));
    const result: BulkRefreshResult = { refreshed: [], deleted: [], failed: [] };
    let next = 0;
    const worker = async () => {
      while (next < ids.length) {
        if (options.signal?.aborted) throw abortedError(options.signal, 'bulk refresh');
        const id = ids[next++]!;
        try {
          const token = await this.#refresher.refresh(id, options.force ?? false, options.signal);
          result.refreshed.push(token);
        } catch (error) {
          if (options.signal?.aborted) throw abortedError(options.signal, 'bulk refresh');
          if (error instanceof SsoInvalidGrantError) result.deleted.push(id);
          else if (error instanceof TokenError && error.code === 'ESIKIT_TOKEN_NOT_FOUND') continue;
          else result.failed.push({ tokenId: id, error });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, ids.length) }, worker));
    return result;
  }

  // -- cleanup jobs (callable from any scheduler) ---------------------------------------------

  /** Deletes logins started more than `maxAgeSeconds` ago (default 300). Returns how many. */
  async deleteStaleCallbackRedirects(
    options: SsoCallOptions & { readonly maxAgeSeconds?: number } = {},
  ): Promise<number> {
    const maxAge = nonNegative(options.maxAgeSeconds, 'maxAgeSeconds', 300);
    const cutoff = this.clock() - maxAge * 1000;
    return guard(options.signal, 'login cleanup', () =>
      this.store.deleteCallbackRedirectsBefore(cutoff, options),
    );
  }

  /** Refreshes every expired token, deleting those SSO declares dead. */
  async refreshOrDeleteExpired(options: BulkOptions = {}): Promise<BulkRefreshResult> {
    return this.bulkRefresh(await this.getExpired({}, options), options);
  }
}

const removals = new WeakMap<TokenManager, Removals>();

/** Tells `manager`'s `onTokenRemoved` about a token deleted outside it (a login's, `saveToken`). */
export function reportRemoved(
  manager: TokenManager,
  token: Token,
  reason: TokenRemovedReason,
): Promise<void> {
  return removals.get(manager)?.report(token, reason) ?? Promise.resolve();
}
