import { importJWK, type JWK } from 'jose';
import { SsoProtocolError, TokenVerificationError } from '../errors.js';
import { raceAbort } from './abort.js';

type PublicKey = Awaited<ReturnType<typeof importJWK>>;

/**
 * The SSO's signing keys by `kid`. Fetched on first use; fetched again when a token names a
 * `kid` we do not know (SSO rotated its key), at most once per cooldown so made-up key ids
 * cannot make us hammer SSO. Concurrent fetches share one request.
 */
export class JwksCache {
  readonly #load: (signal: AbortSignal | undefined) => Promise<unknown>;
  readonly #cooldownMs: number;
  #keys = new Map<string, PublicKey>();
  #fetchedAt = -Infinity;
  #inflight: Promise<void> | undefined;

  constructor(load: (signal: AbortSignal | undefined) => Promise<unknown>, cooldownMs: number) {
    this.#load = load;
    this.#cooldownMs = cooldownMs;
  }

  /** The RS256 key with this `kid`, re-fetching the set once if it is unknown. */
  async key(kid: string, signal: AbortSignal | undefined): Promise<PublicKey> {
    let key = this.#keys.get(kid);
    if (key !== undefined) return key;
    if (this.#inflight !== undefined || performance.now() - this.#fetchedAt >= this.#cooldownMs) {
      await this.#refresh(signal);
      key = this.#keys.get(kid);
      if (key !== undefined) return key;
    }
    throw new TokenVerificationError(
      'unknown-kid',
      `access token is signed with key id ${JSON.stringify(kid.slice(0, 80))}, which SSO's JWKS does not list`,
    );
  }

  #refresh(signal: AbortSignal | undefined): Promise<void> {
    // Shared fetch: one caller's abort must not fail the others, so it runs without a signal
    // and each caller races it against its own.
    this.#inflight ??= this.#fetch().finally(() => {
      this.#inflight = undefined;
    });
    return raceAbort(this.#inflight, signal, 'SSO JWKS fetch');
  }

  async #fetch(): Promise<void> {
    const body = await this.#load(undefined);
    this.#fetchedAt = performance.now();
    if (
      body === null ||
      typeof body !== 'object' ||
      !Array.isArray((body as { keys?: unknown }).keys)
    )
      throw new SsoProtocolError('SSO JWKS document has no "keys" array');
    const keys = new Map<string, PublicKey>();
    for (const jwk of (body as { keys: unknown[] }).keys) {
      if (jwk === null || typeof jwk !== 'object') continue;
      const { kid, kty, alg, use } = jwk as {
        kid?: unknown;
        kty?: unknown;
        alg?: unknown;
        use?: unknown;
      };
      // EVE verifies RS256 only; other keys in the set (ES256) are ignored, not errors.
      if (typeof kid !== 'string' || kty !== 'RSA') continue;
      if (alg !== undefined && alg !== 'RS256') continue;
      if (use !== undefined && use !== 'sig') continue;
      try {
        keys.set(kid, await importJWK(jwk as JWK, 'RS256'));
      } catch {
        continue;
      }
    }
    this.#keys = keys;
  }
}
