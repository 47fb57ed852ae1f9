import { randomUUID } from 'node:crypto';
import { SsoInvalidGrantError, TokenError, TokenVerificationError } from '../errors.js';
import type { EveSso } from '../sso.js';
import type { TokenStore } from '../store.js';
import { canRefresh, type Token } from '../token.js';
import { raceAbort } from './jwks.js';
import { sleep } from './sleep.js';

export interface RefresherContext {
  readonly sso: EveSso;
  readonly store: TokenStore;
  readonly leaseTtlMs: number;
  readonly clock: () => number;
  readonly isFresh: (token: Token) => boolean;
}

/**
 * The refresh itself, for {@link TokenManager}: once per token in this process (shared promise)
 * and across processes (the store's lease); the rotated refresh token is written (compare-and-
 * set) before the new access token is returned; the token is deleted only on `invalid_grant`
 * and only if it still holds the refresh token SSO refused.
 */
export class Refresher {
  readonly #ctx: RefresherContext;
  /** Identifies this client in refresh leases. */
  readonly #holder = randomUUID();
  readonly #inflight = new Map<
    string,
    { promise: Promise<Token>; controller: AbortController; waiters: number }
  >();

  constructor(ctx: RefresherContext) {
    this.#ctx = ctx;
  }

  /** Refreshes (`force`) or makes fresh the token; concurrent calls for one token share the work. */
  refresh(tokenId: string, force: boolean, signal: AbortSignal | undefined): Promise<Token> {
    // One refresh per token in this process; callers share it. Each caller can stop waiting
    // with its own signal; the shared work stops only when every caller has gone, and only
    // before its SSO call is sent (an SSO call cut short could lose a rotated refresh token).
    const key = `${tokenId}:${force}`;
    let entry = this.#inflight.get(key);
    if (entry === undefined) {
      const controller = new AbortController();
      const promise = this.#refreshUnderLease(tokenId, force, controller.signal).finally(() =>
        this.#inflight.delete(key),
      );
      entry = { promise, controller, waiters: 0 };
      this.#inflight.set(key, entry);
    }
    const shared = entry;
    shared.waiters++;
    return raceAbort(shared.promise, signal).finally(() => {
      if (--shared.waiters === 0 && signal?.aborted) shared.controller.abort(signal.reason);
    });
  }

  async #refreshUnderLease(tokenId: string, force: boolean, signal: AbortSignal): Promise<Token> {
    const leaseKey = `refresh:${tokenId}`;
    let firstVersion: number | undefined;
    let wait = 10;
    for (;;) {
      signal.throwIfAborted();
      const seen = await this.#ctx.store.get(tokenId);
      if (seen === undefined) throw notFound(tokenId);
      firstVersion ??= seen.version;
      // Someone else refreshed while we waited: with `force`, that refresh is as good as ours.
      if ((!force || seen.version !== firstVersion) && this.#ctx.isFresh(seen)) return seen;
      if (!canRefresh(seen))
        throw new TokenError(
          'ESIKIT_TOKEN_EXPIRED',
          `token ${tokenId} has no refresh token and its access token has expired`,
          { tokenId },
        );
      if (!(await this.#ctx.store.acquireLease(leaseKey, this.#holder, this.#ctx.leaseTtlMs))) {
        await sleep(wait, signal);
        wait = Math.min(wait * 2, 200);
        continue;
      }
      try {
        // Re-read under the lease: the previous holder may have finished just before.
        const token = await this.#ctx.store.get(tokenId);
        if (token === undefined) throw notFound(tokenId);
        if ((!force || token.version !== firstVersion) && this.#ctx.isFresh(token)) return token;
        // Last point where giving up is safe: nothing has been sent to SSO yet.
        signal.throwIfAborted();
        const done = await this.#refreshHeld(token);
        if (done !== undefined) return done;
      } finally {
        await this.#ctx.store.releaseLease(leaseKey, this.#holder).catch(() => undefined);
      }
    }
  }

  /** The SSO call and the write-back, under the lease. `undefined` means "look again". */
  async #refreshHeld(token: Token): Promise<Token | undefined> {
    const used = token.refreshToken!;
    let response;
    try {
      response = await this.#ctx.sso.refreshUnverified(used);
    } catch (error) {
      if (!(error instanceof SsoInvalidGrantError)) throw error;
      // Delete only the token as we read it: if its refresh token changed meanwhile, the
      // invalid_grant was about the old one and the token lives on.
      if (await this.#ctx.store.delete(token.id, token.version)) {
        throw new SsoInvalidGrantError(
          `SSO declared the refresh token of token ${token.id} (character ${token.characterId}) dead; the token was deleted`,
          { cause: error },
        );
      }
      return undefined;
    }
    const rotated = response.refreshToken ?? used;
    let verified;
    try {
      verified = await this.#ctx.sso.verifyAccessToken(response.accessToken);
    } catch (error) {
      // Keep the rotated refresh token even though this access token is unusable: the old one
      // may already be dead at SSO.
      if (rotated !== used) await this.#write(token, { refreshToken: rotated });
      throw error;
    }
    if (verified.characterId !== token.characterId) {
      await this.#write(token, { refreshToken: rotated });
      throw new TokenVerificationError(
        'claims',
        `SSO refreshed token ${token.id} of character ${token.characterId} into a token of character ${verified.characterId}`,
      );
    }
    // Stored before it is returned: the new refresh token is durable before anyone uses the
    // new access token.
    return this.#write(token, {
      accessToken: response.accessToken,
      refreshToken: rotated,
      tokenType: response.tokenType,
      expiresAt: verified.expiresAt,
      scopes: verified.scopes,
      characterName: verified.characterName,
      ownerHash: verified.ownerHash,
    });
  }

  /**
   * One compare-and-set, retried on store failures: SSO has already rotated the refresh token,
   * so giving up at the first hiccup would lose the token.
   */
  async #updateWithRetry(
    base: Token,
    changes: Parameters<TokenStore['update']>[2],
  ): Promise<Token | undefined> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#ctx.store.update(base.id, base.version, changes, this.#ctx.clock());
      } catch (cause) {
        if (attempt >= 3)
          throw new TokenError(
            'ESIKIT_TOKEN_STORE_FAILED',
            `token ${base.id} was refreshed at SSO but the store failed to save it ${attempt} times; its refresh token may now be dead`,
            { cause, tokenId: base.id },
          );
        await sleep(50 * attempt);
      }
    }
  }

  /** Compare-and-set write; re-applies on a newer version if only unrelated fields moved. */
  async #write(token: Token, changes: Parameters<TokenStore['update']>[2]): Promise<Token> {
    let base = token;
    for (let attempt = 0; attempt < 5; attempt++) {
      const updated = await this.#updateWithRetry(base, changes);
      if (updated !== undefined) return updated;
      const current = await this.#ctx.store.get(base.id);
      if (current === undefined) throw notFound(base.id);
      if (current.refreshToken !== token.refreshToken)
        throw new TokenError(
          'ESIKIT_TOKEN_CONFLICT',
          `token ${token.id} was refreshed by another client at the same time`,
          { tokenId: token.id },
        );
      base = current;
    }
    throw new TokenError(
      'ESIKIT_TOKEN_CONFLICT',
      `token ${token.id} kept changing while being written`,
      { tokenId: token.id },
    );
  }
}

export function notFound(tokenId: string): TokenError {
  return new TokenError('ESIKIT_TOKEN_NOT_FOUND', `token ${tokenId} is not in the store`, {
    tokenId,
  });
}
