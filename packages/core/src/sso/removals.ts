import type { EsiLogger } from '../options.js';
import { callListener, identityOf } from './internal/listener.js';
import type { Token } from './token.js';

/**
 * Why core deleted a token, as told to `onTokenRemoved`.
 *
 * - `invalid_grant`: SSO declared its refresh token dead (consent withdrawn at EVE, password
 *   change, the character sold and refreshed by the old owner, ...); the user must log in again.
 * - `revoked`: `TokenManager.revoke()` ended it (the user's own "forget me").
 * - `owner_changed`: a login found the character on another EVE account (sold or transferred),
 *   so the previous owner's tokens of it were deleted.
 *
 * @example
 * const needsLogin = (reason: TokenRemovedReason) => reason === 'invalid_grant';
 */
export type TokenRemovedReason = 'invalid_grant' | 'revoked' | 'owner_changed';

/**
 * A token core deleted: its identity, never its access or refresh token.
 *
 * @example
 * new TokenManager({ sso, store, onTokenRemoved: (e: TokenRemovedEvent) => audit.log(e.reason, e.characterName) });
 */
export interface TokenRemovedEvent extends TokenEventIdentity {
  readonly reason: TokenRemovedReason;
}

/**
 * What every token event says about the token: who it is, never its access or refresh token.
 * For a removal, what the token was when it was deleted; for a refresh, what it is after (the
 * scopes SSO granted).
 *
 * @example
 * const label = (t: TokenEventIdentity) => `${t.characterName} (${t.scopes.length} scopes)`;
 */
export interface TokenEventIdentity {
  readonly tokenId: string;
  /** The owning user in the host application, if the token has one. */
  readonly userId: string | undefined;
  readonly characterId: number;
  readonly characterName: string;
  /** SSO owner hash (the EVE account) of the token. */
  readonly ownerHash: string;
  /** Scopes of the token, sorted. */
  readonly scopes: readonly string[];
}

/**
 * Listener of `TokenManagerOptions.onTokenRemoved`.
 *
 * @example
 * const onTokenRemoved: TokenRemovedListener = async (e) => {
 *   if (e.reason === 'invalid_grant') await flags.needsLogin(e.userId, e.characterId);
 * };
 */
export type TokenRemovedListener = (event: TokenRemovedEvent) => void | Promise<void>;

/**
 * Tells the listener about a deletion that happened. Called only after a store delete that
 * returned true, so once per deletion; awaited, so the caller that deleted (a refresh's
 * `SsoInvalidGrantError`, `revoke()`, a login) returns after the listener has run. What the
 * listener throws is logged and swallowed: the token is gone either way, and a refresh's answer
 * must not turn into the listener's error.
 */
export class Removals {
  readonly #listener: TokenRemovedListener | undefined;
  readonly #logger: EsiLogger;

  constructor(listener: TokenRemovedListener | undefined, logger: EsiLogger) {
    this.#listener = listener;
    this.#logger = logger;
  }

  async report(token: Token, reason: TokenRemovedReason): Promise<void> {
    const listener = this.#listener;
    if (listener === undefined) return;
    const event: TokenRemovedEvent = Object.freeze({ reason, ...identityOf(token) });
    await callListener(
      listener,
      event,
      this.#logger,
      'esikit: the onTokenRemoved listener failed; the token stays deleted',
      { tokenId: token.id, reason },
    );
  }
}
