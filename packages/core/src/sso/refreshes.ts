import { EsikitError, type EsikitErrorCode } from '../errors.js';
import type { EsiLogger } from '../options.js';
import { callListener, identityOf } from './internal/listener.js';
import type { TokenEventIdentity } from './removals.js';
import type { Token } from './token.js';

/**
 * How a refresh that went to SSO ended, as told to `onTokenRefresh`.
 *
 * - `refreshed`: SSO answered, the new access token was verified and stored.
 * - `failed`: it did not produce a stored token and the token was not deleted — SSO unreachable,
 *   timed out or answered 5xx (`ESIKIT_SSO_UNAVAILABLE`), an odd answer, a token that failed
 *   verification, a store that failed or lost a compare-and-set (another client wrote first).
 *   `code` says which.
 * - `dead`: SSO answered `invalid_grant` and the token was deleted (`onTokenRemoved` was told
 *   first, reason `invalid_grant`).
 *
 * @example
 * const ok = (outcome: TokenRefreshOutcome) => outcome === 'refreshed';
 */
export type TokenRefreshOutcome = 'refreshed' | 'failed' | 'dead';

/**
 * One refresh request core sent to SSO, and how it ended: the token's identity, never its
 * access or refresh token.
 *
 * @example
 * new TokenManager({ sso, store, onTokenRefresh: (e: TokenRefreshEvent) => refreshes.inc({ result: e.outcome }) });
 */
export interface TokenRefreshEvent extends TokenEventIdentity {
  readonly outcome: TokenRefreshOutcome;
  /**
   * The stable code of what went wrong (`ESIKIT_SSO_UNAVAILABLE`, `ESIKIT_SSO_INVALID_GRANT`,
   * `ESIKIT_TOKEN_CONFLICT`, ...); `undefined` when `refreshed`, or when a custom store threw an
   * error that is not esikit's.
   */
  readonly code: EsikitErrorCode | undefined;
}

/**
 * Listener of `TokenManagerOptions.onTokenRefresh`.
 *
 * @example
 * const onTokenRefresh: TokenRefreshListener = (e) => {
 *   if (e.outcome === 'failed') log.warn({ tokenId: e.tokenId, code: e.code }, 'refresh failed');
 * };
 */
export type TokenRefreshListener = (event: TokenRefreshEvent) => void | Promise<void>;

/**
 * Tells the listener about each refresh request sent to SSO: once per request, whoever and
 * however many callers waited on it (callers that shared a flight, or that found the token fresh
 * after another holder's lease, add none). Awaited after the refresh lease is released and
 * before the refresh's callers get its answer; what the listener throws is logged and swallowed,
 * so the refresh's answer stands.
 */
export class Refreshes {
  readonly #listener: TokenRefreshListener | undefined;
  readonly #logger: EsiLogger;

  constructor(listener: TokenRefreshListener | undefined, logger: EsiLogger) {
    this.#listener = listener;
    this.#logger = logger;
  }

  async report(token: Token, outcome: TokenRefreshOutcome, error?: unknown): Promise<void> {
    const listener = this.#listener;
    if (listener === undefined) return;
    const code =
      outcome === 'refreshed' || !(error instanceof EsikitError) ? undefined : error.code;
    const event: TokenRefreshEvent = Object.freeze({ outcome, code, ...identityOf(token) });
    await callListener(
      listener,
      event,
      this.#logger,
      'esikit: the onTokenRefresh listener failed; the refresh stands',
      { tokenId: token.id, outcome },
    );
  }
}
