import type { LRUCache } from 'lru-cache';
import type { AccessTokenSource, TokenVerifier, VerifiedTokenClaims } from '../auth.js';
import { EsiAbortedError, EsiValidationError } from '../esi-errors.js';
import { crypto, lruCache } from './lazy.js';

/** What the client knows about a credential without asking SSO. */
export interface Credential {
  readonly characterId: number;
  readonly scopes: readonly string[] | undefined;
  getAccessToken(signal: AbortSignal | undefined): Promise<string>;
  /** The token itself when the caller passed a raw string (not yet checked by the policy). */
  readonly raw?: string;
  /**
   * Set by {@link RawTokenPolicy} for a raw token nobody verified: the credential's private cache
   * entries and flights are its own (keyed by a hash of the token), not the character's.
   */
  readonly cacheTag?: string;
}

/**
 * Turns a raw access token or an {@link AccessTokenSource} into a {@link Credential}.
 * A raw token's payload is only decoded here (character, scopes: early missing-scope errors);
 * before anything private is served the pipeline passes it through {@link RawTokenPolicy}.
 * Messages never include the token.
 */
export function toCredential(opId: string, token: string | AccessTokenSource): Credential {
  if (typeof token === 'string') {
    const payload = decodePayload(token);
    if (!payload)
      throw new EsiValidationError(opId, 'token', 'is not a JWT access token (payload unreadable)');
    const sub = typeof payload.sub === 'string' ? /^CHARACTER:EVE:(\d+)$/.exec(payload.sub) : null;
    if (!sub?.[1]) throw new EsiValidationError(opId, 'token', 'has no CHARACTER:EVE:<id> subject');
    const scp = payload.scp;
    // No `scp` claim: scopes unknown, so ESI decides (a token without scopes says `scp: []`).
    const scopes =
      typeof scp === 'string'
        ? [scp]
        : Array.isArray(scp)
          ? scp.filter((s): s is string => typeof s === 'string')
          : undefined;
    return {
      characterId: Number(sub[1]),
      scopes,
      getAccessToken: () => Promise.resolve(token),
      raw: token,
    };
  }
  if (
    typeof token !== 'object' ||
    token === null ||
    typeof token.getAccessToken !== 'function' ||
    !Number.isSafeInteger(token.characterId)
  ) {
    throw new EsiValidationError(
      opId,
      'token',
      'must be an access token string or an AccessTokenSource',
    );
  }
  return {
    characterId: token.characterId,
    scopes: token.scopes,
    getAccessToken: (signal) => token.getAccessToken(signal ? { signal } : {}),
  };
}

function decodePayload(jwt: string): Record<string, unknown> | undefined {
  const part = jwt.split('.')[1];
  if (!part) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** A verification, kept until the token expires. */
interface Verified {
  readonly claims: VerifiedTokenClaims;
}

/**
 * What a raw token string may see of the private cache (issue 7 §3). A token that merely names
 * a character (`alg: none`, a wrong signature) must never be answered from that character's
 * cached data:
 *
 * - with a `tokenVerifier`, raw tokens are verified (signature, iss, aud, exp) before anything
 *   private is served, and the verification is kept per token until its `exp` (bounded LRU);
 *   a token that fails is refused with an `EsiValidationError` for `token`, and nothing is sent;
 * - without one, a raw token's cache entries and flights are its own (tagged with a hash of
 *   the token): it is still sent to ESI, which verifies it, but never answered from what
 *   another request stored. A refreshed token therefore starts a cache of its own;
 * - `trustRawTokens: true` restores the decoded `sub` as the cache key (for tokens the app
 *   obtained from SSO itself).
 */
export class RawTokenPolicy {
  readonly #verifier: TokenVerifier | undefined;
  readonly #trust: boolean;
  readonly #clock: () => number;
  readonly #maxEntries: number;
  // lru-cache allocates its index arrays for `max` entries up front (≈ 1.5 ms for 10,000): made
  // with the first verification, so clients that never see a raw token do not pay for it.
  #lru: LRUCache<string, Verified> | undefined;
  readonly #pending = new Map<string, Promise<VerifiedTokenClaims>>();

  constructor(
    verifier: TokenVerifier | undefined,
    trust: boolean,
    clock: () => number,
    maxEntries = 10_000,
  ) {
    this.#verifier = verifier;
    this.#trust = trust;
    this.#clock = clock;
    this.#maxEntries = maxEntries;
  }

  get #verified(): LRUCache<string, Verified> {
    return (this.#lru ??= new (lruCache())<string, Verified>({ max: this.#maxEntries }));
  }

  /** The credential to use: synchronous unless a verification has to be made. */
  resolve(
    opId: string,
    credential: Credential,
    signal: AbortSignal | undefined,
  ): Credential | Promise<Credential> {
    const raw = credential.raw;
    if (raw === undefined || this.#trust) return credential;
    if (!this.#verifier) {
      const cacheTag = crypto().createHash('sha256').update(raw).digest('base64url').slice(0, 22);
      return { ...credential, cacheTag };
    }
    const hit = this.#verified.get(raw);
    if (hit && hit.claims.expiresAt > this.#clock())
      return verifiedCredential(credential, hit.claims);
    if (hit) this.#verified.delete(raw);
    return this.#verify(opId, credential, raw, signal);
  }

  async #verify(
    opId: string,
    credential: Credential,
    raw: string,
    signal: AbortSignal | undefined,
  ): Promise<Credential> {
    let pending = this.#pending.get(raw);
    if (!pending) {
      const verifier = this.#verifier as TokenVerifier;
      // Shared by concurrent callers with the same token; the first caller's signal does not
      // cancel it for the others.
      pending = verifier.verifyAccessToken(raw, {}).finally(() => this.#pending.delete(raw));
      this.#pending.set(raw, pending);
    }
    let claims: VerifiedTokenClaims;
    try {
      claims = await (signal ? abortable(pending, signal) : pending);
    } catch (error) {
      if (signal?.aborted) throw new EsiAbortedError(opId, signal.reason);
      const refused = new EsiValidationError(
        opId,
        'token',
        'was refused by the tokenVerifier (signature, issuer, audience or expiry); nothing was sent or served',
      );
      refused.cause = error;
      throw refused;
    }
    if (!Number.isSafeInteger(claims.characterId) || !(claims.expiresAt > this.#clock())) {
      throw new EsiValidationError(opId, 'token', 'was verified but has expired');
    }
    this.#verified.set(raw, { claims });
    return verifiedCredential(credential, claims);
  }
}

function verifiedCredential(credential: Credential, claims: VerifiedTokenClaims): Credential {
  return {
    characterId: claims.characterId,
    scopes: claims.scopes,
    getAccessToken: (signal) => credential.getAccessToken(signal),
  };
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: Error) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
