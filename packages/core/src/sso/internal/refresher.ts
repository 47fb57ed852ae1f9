import { randomUUID } from 'node:crypto';
import { SsoError, SsoInvalidGrantError, TokenError, TokenVerificationError } from '../errors.js';
import type { EveSso } from '../sso.js';
import type { TokenStore } from '../store.js';
import { canRefresh, type Token, type TokenChanges } from '../token.js';
import { abortedError, raceAbort, throwIfAborted } from './abort.js';
import type { TokenRefreshOutcome } from '../refreshes.js';
import type { TokenRemovedReason } from '../removals.js';
import { sleep } from './sleep.js';

export interface RefresherContext {
  readonly sso: EveSso;
  readonly store: TokenStore;
  readonly leaseTtlMs: number;
  readonly clock: () => number;
  readonly isFresh: (token: Token) => boolean;
  /** Told after each delete that deleted something (never throws). */
  readonly removed: (token: Token, reason: TokenRemovedReason) => Promise<void>;
  /** Told once per refresh request sent to SSO, after the lease is released (never throws). */
  readonly attempted: (
    token: Token,
    outcome: TokenRefreshOutcome,
    error?: unknown,
  ) => Promise<void>;
}

/** How one refresh request sent to SSO ended; `retry`: its answer was of no use, look again. */
type Attempt =
  | { readonly outcome: 'refreshed'; readonly token: Token }
  | {
      readonly outcome: 'failed' | 'dead';
      readonly token: Token;
      readonly error: unknown;
      readonly retry: boolean;
    };

/**
 * The refresh itself, for {@link TokenManager}: once per token in this process (shared promise)
 * and across processes (the store's lease); the rotated refresh token is written (compare-and-
 * set) before the new access token is returned; the token is deleted only on `invalid_grant`
 * and only if it still holds the refresh token SSO refused.
 */
interface Flight {
  readonly promise: Promise<Token>;
  readonly controller: AbortController;
  waiters: number;
  readonly force: boolean;
  /** Its SSO request has been sent: from now on a forced call cannot count it as its own. */
  sent: boolean;
}

export class Refresher {
  readonly #ctx: RefresherContext;
  /** The latest flight per token id; forced and unforced calls share one key (one lease holder per flight). */
  readonly #inflight = new Map<string, Flight>();

  constructor(ctx: RefresherContext) {
    this.#ctx = ctx;
  }

  /** Refreshes (`force`) or makes fresh the token; concurrent calls for one token share the work. */
  refresh(tokenId: string, force: boolean, signal: AbortSignal | undefined): Promise<Token> {
    // One flight at a time per token in this process; callers share it. Each caller can stop
    // waiting with its own signal; the shared work stops only when every caller has gone, and
    // only before its SSO call is sent (an SSO call cut short could lose a rotated refresh token).
    // Aborted already: start nothing (a flight no one waits for would fail unobserved).
    if (signal?.aborted) return Promise.reject(abortedError(signal, 'token refresh'));
    let entry = this.#inflight.get(tokenId);
    // A flight every earlier caller abandoned is dead: its abort reason is not this caller's.
    // `force` promises a refresh sent to SSO after the call, so a forced call joins only a
    // forced flight that has not sent its request yet; otherwise it queues behind the running
    // one (an unforced flight may return the current token without refreshing at all).
    if (
      entry === undefined ||
      entry.controller.signal.aborted ||
      (force && (!entry.force || entry.sent))
    ) {
      entry = this.#start(tokenId, force, entry);
    }
    const shared = entry;
    shared.waiters++;
    return raceAbort(shared.promise, signal, 'token refresh').finally(() => {
      if (--shared.waiters === 0 && signal?.aborted) shared.controller.abort(signal.reason);
    });
  }

  /**
   * Revokes the token at SSO and deletes it, under the refresh lease: a refresh in flight (in
   * this process or another) finishes first and what it wrote is what gets revoked, so the
   * consent SSO holds now really ends. The delete is a compare-and-set on the version revoked;
   * if a lapsed lease holder wrote a newer refresh token meanwhile, that one is revoked too.
   */
  async revoke(tokenId: string, signal: AbortSignal | undefined): Promise<void> {
    const leaseKey = `refresh:${tokenId}`;
    const holder = randomUUID();
    const { store, leaseTtlMs } = this.#ctx;
    const opts = signal ? { signal } : {};
    let wait = 10;
    for (;;) {
      throwIfAborted(signal, 'token revoke');
      if (!(await store.acquireLease(leaseKey, holder, leaseTtlMs, opts))) {
        // Someone is refreshing it: wait, then revoke what they stored.
        if ((await store.get(tokenId, opts)) === undefined) throw notFound(tokenId);
        await sleep(wait, signal, 'token revoke');
        wait = Math.min(wait * 2, 200);
        continue;
      }
      try {
        for (let attempt = 0; attempt < 5; attempt++) {
          const token = await store.get(tokenId, opts);
          if (token === undefined) throw notFound(tokenId);
          if (token.refreshToken !== undefined) {
            await store.renewLease(leaseKey, holder, leaseTtlMs, opts);
            await this.#ctx.sso.revoke(token.refreshToken, opts);
          }
          if (await store.delete(tokenId, token.version, opts)) {
            await this.#ctx.removed(token, 'revoked');
            return;
          }
        }
        throw new TokenError(
          'ESIKIT_TOKEN_CONFLICT',
          `token ${tokenId} kept changing while being revoked`,
          { tokenId },
        );
      } finally {
        await store.releaseLease(leaseKey, holder).catch(() => undefined);
      }
    }
  }

  /** A new flight, run after `previous` has settled (never two of ours for one token at once). */
  #start(tokenId: string, force: boolean, previous: Flight | undefined): Flight {
    const controller = new AbortController();
    const after = previous === undefined ? Promise.resolve() : previous.promise.then(noop, noop);
    const flight: Flight = {
      controller,
      waiters: 0,
      force,
      sent: false,
      promise: after
        .then(() =>
          this.#refreshUnderLease(tokenId, force, controller.signal, () => (flight.sent = true)),
        )
        .finally(() => {
          if (this.#inflight.get(tokenId) === flight) this.#inflight.delete(tokenId);
        }),
    };
    // Every caller may abandon a flight; its failure is theirs to see, never an unhandled one.
    flight.promise.catch(noop);
    this.#inflight.set(tokenId, flight);
    return flight;
  }

  async #refreshUnderLease(
    tokenId: string,
    force: boolean,
    signal: AbortSignal,
    sending: () => void,
  ): Promise<Token> {
    const leaseKey = `refresh:${tokenId}`;
    // Each flight is its own lease holder and leases are not re-entrant, so no two flights
    // (in this process or any other) ever send the same refresh token.
    const holder = randomUUID();
    const { store, leaseTtlMs } = this.#ctx;
    let firstVersion: number | undefined;
    let wait = 10;
    for (;;) {
      let attempt: Attempt;
      throwIfAborted(signal, 'token refresh');
      const seen = await store.get(tokenId);
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
      if (!(await store.acquireLease(leaseKey, holder, leaseTtlMs))) {
        await sleep(wait, signal, 'token refresh');
        wait = Math.min(wait * 2, 200);
        continue;
      }
      try {
        // Re-read under the lease: the previous holder may have finished just before.
        const token = await store.get(tokenId);
        if (token === undefined) throw notFound(tokenId);
        if ((!force || token.version !== firstVersion) && this.#ctx.isFresh(token)) return token;
        // Last point where giving up is safe: nothing has been sent to SSO yet.
        throwIfAborted(signal, 'token refresh');
        // A full ttl for the SSO calls ahead; a lease lost by now (a slow store) means someone
        // else may be refreshing, so look again rather than send.
        if (!(await store.renewLease(leaseKey, holder, leaseTtlMs))) continue;
        sending();
        attempt = await this.#attempt(token, () =>
          store.renewLease(leaseKey, holder, leaseTtlMs).catch(() => false),
        );
      } finally {
        // Releases only this flight's own lease: never one another flight relies on.
        await store.releaseLease(leaseKey, holder).catch(() => undefined);
      }
      // Told here, once per request SSO saw, with the lease already free: a slow listener
      // delays this flight's callers, never another client's refresh of the token.
      if (attempt.outcome === 'refreshed') {
        await this.#ctx.attempted(attempt.token, 'refreshed');
        return attempt.token;
      }
      await this.#ctx.attempted(attempt.token, attempt.outcome, attempt.error);
      if (!attempt.retry) throw attempt.error;
    }
  }

  /** One refresh request and its write-back, settled as an {@link Attempt} (never throws). */
  async #attempt(token: Token, renew: () => Promise<boolean>): Promise<Attempt> {
    try {
      const done = await this.#refreshHeld(token, renew);
      if (done instanceof SsoError) return { outcome: 'failed', token, error: done, retry: true };
      return { outcome: 'refreshed', token: done };
    } catch (error) {
      const dead = error instanceof SsoInvalidGrantError;
      return { outcome: dead ? 'dead' : 'failed', token, error, retry: false };
    }
  }

  /**
   * The SSO call and the write-back, under the lease. A returned error means SSO's answer was of
   * no use but nothing is wrong with the token: look again. Throws `SsoInvalidGrantError` only
   * after deleting the token.
   */
  async #refreshHeld(token: Token, renew: () => Promise<boolean>): Promise<Token | SsoError> {
    const used = token.refreshToken!;
    let response;
    try {
      response = await this.#ctx.sso.refreshUnverified(used);
    } catch (error) {
      if (!(error instanceof SsoInvalidGrantError)) throw error;
      // Delete only if the token still holds the refresh token SSO refused (compare-and-delete
      // on the version just read): if it changed meanwhile, the invalid_grant was about the old
      // one and the token lives on.
      const current = await this.#ctx.store.get(token.id);
      if (current === undefined) throw notFound(token.id);
      if (current.refreshToken !== used) return error;
      if (await this.#ctx.store.delete(current.id, current.version)) {
        await this.#ctx.removed(current, 'invalid_grant');
        throw new SsoInvalidGrantError(
          `SSO declared the refresh token of token ${token.id} (character ${token.characterId}) dead; the token was deleted`,
          { cause: error },
        );
      }
      return error;
    }
    const rotated = response.refreshToken ?? used;
    let verified;
    try {
      verified = await this.#ctx.sso.verifyAccessToken(response.accessToken);
    } catch (error) {
      // Keep the rotated refresh token even though this access token is unusable: the old one
      // may already be dead at SSO.
      if (rotated !== used) await this.#keep(token, rotated, { refreshToken: rotated });
      throw error;
    }
    if (verified.characterId !== token.characterId) {
      await this.#keep(token, rotated, { refreshToken: rotated });
      throw new TokenVerificationError(
        'claims',
        `SSO refreshed token ${token.id} of character ${token.characterId} into a token of character ${verified.characterId}`,
      );
    }
    // Stored before it is returned: the new refresh token is durable before anyone uses the
    // new access token. The lease is extended for the write and its retries; if it was lost
    // the write still goes ahead (compare-and-set), as the old refresh token is dead now.
    await renew();
    try {
      return await this.#keep(token, rotated, {
        accessToken: response.accessToken,
        refreshToken: rotated,
        tokenType: response.tokenType,
        expiresAt: verified.expiresAt,
        scopes: verified.scopes,
        characterName: verified.characterName,
        ownerHash: verified.ownerHash,
      });
    } catch (error) {
      // Someone wrote newer secrets meanwhile (a new login): look again, they may be fresh.
      if (error instanceof TokenError && error.code === 'ESIKIT_TOKEN_CONFLICT') return error;
      throw error;
    }
  }

  /**
   * Writes what a refresh produced. If the token is gone (revoked, or deleted as dead by a
   * client that took over a lapsed lease) nothing brings it back; if someone else wrote newer
   * secrets (a new login) they are kept. Either way the refresh token SSO just rotated to
   * belongs to no one: it is revoked, so no consent outlives its token.
   */
  async #keep(token: Token, rotated: string, changes: TokenChanges): Promise<Token> {
    try {
      return await this.#write(token, changes);
    } catch (error) {
      if (
        error instanceof TokenError &&
        (error.code === 'ESIKIT_TOKEN_NOT_FOUND' || error.code === 'ESIKIT_TOKEN_CONFLICT') &&
        rotated !== token.refreshToken
      ) {
        const stored = await this.#ctx.store.get(token.id).catch(() => token);
        if (stored?.refreshToken !== rotated)
          await this.#ctx.sso.revoke(rotated).catch(() => undefined);
      }
      throw error;
    }
  }

  /**
   * One compare-and-set, retried on store failures: SSO has already rotated the refresh token,
   * so giving up at the first hiccup would lose the token.
   */
  async #updateWithRetry(base: Token, changes: TokenChanges): Promise<Token | undefined> {
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
        await sleep(50 * attempt, undefined, 'token store write');
      }
    }
  }

  /** Compare-and-set write; re-applies on a newer version if only unrelated fields moved. */
  async #write(token: Token, changes: TokenChanges): Promise<Token> {
    let base = token;
    for (let attempt = 0; attempt < 5; attempt++) {
      const updated = await this.#updateWithRetry(base, changes);
      if (updated !== undefined) return updated;
      const current = await this.#ctx.store.get(base.id);
      if (current === undefined) throw notFound(base.id);
      // The write went through but its acknowledgement was lost (the store failed or timed
      // out after committing): the store holds what we wrote, hand it out.
      if (holdsWrite(current, token, changes)) return current;
      // Re-applied on a newer version only if no one refreshed meanwhile (same secrets): a
      // holder whose lease lapsed never overwrites what a newer holder wrote.
      if (current.refreshToken !== token.refreshToken || current.accessToken !== token.accessToken)
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

function noop(): void {}

/** True if `current` holds the secrets `changes` wrote over `before` (so the write is ours). */
function holdsWrite(current: Token, before: Token, changes: TokenChanges): boolean {
  const wroteNew =
    (changes.accessToken !== undefined && changes.accessToken !== before.accessToken) ||
    (changes.refreshToken !== undefined && changes.refreshToken !== before.refreshToken);
  return (
    wroteNew &&
    (changes.accessToken === undefined || current.accessToken === changes.accessToken) &&
    (changes.refreshToken === undefined || current.refreshToken === changes.refreshToken)
  );
}

export function notFound(tokenId: string): TokenError {
  return new TokenError('ESIKIT_TOKEN_NOT_FOUND', `token ${tokenId} is not in the store`, {
    tokenId,
  });
}
