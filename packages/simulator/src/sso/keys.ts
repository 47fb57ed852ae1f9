import { createLocalJWKSet, exportJWK, generateKeyPair } from 'jose';
import type { CryptoKey, JSONWebKeySet, JWK, JWTVerifyGetKey } from 'jose';

import type { SimulatorClock } from '../clock.js';
import type { IdSource } from './random.js';

/** The kid EVE's SSO signs access tokens with (see the real JWKS). */
export const PRIMARY_KID = 'JWT-Signature-Key';

interface RsaKey {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly jwk: JWK;
  /** Clock time (ms) the key stopped signing; it stays published until the grace ends. */
  retiredAt?: number;
}

/** The JWKS document as served, including EVE's odd `SkipUnresolvedJsonWebKeys` flag. */
export interface JwksDocument extends JSONWebKeySet {
  readonly SkipUnresolvedJsonWebKeys: true;
}

/**
 * The SSO's signing keys: one RS256 key that signs, RS256 keys retired by a rotation that stay
 * published for a grace period (tokens they signed must keep verifying until they expire), and
 * an ES256 key that is published but unused, exactly as login.eveonline.com does today.
 */
export class KeyRing {
  readonly #clock: SimulatorClock;
  readonly #ids: IdSource;
  readonly #graceMs: number;
  #current: RsaKey | undefined;
  #retired: RsaKey[] = [];
  #es256: JWK | undefined;
  #generation = 1;
  #verifier: { kids: string; get: JWTVerifyGetKey } | undefined;

  constructor(clock: SimulatorClock, ids: IdSource, graceSeconds: number) {
    this.#clock = clock;
    this.#ids = ids;
    this.#graceMs = graceSeconds * 1000;
  }

  get ready(): boolean {
    return this.#current !== undefined;
  }

  async init(): Promise<void> {
    if (this.#current) return;
    const [rsa, ec] = await Promise.all([rsaKey(PRIMARY_KID), generateKeyPair('ES256')]);
    const ecJwk = await exportJWK(ec.publicKey);
    this.#es256 = {
      alg: 'ES256',
      crv: ecJwk.crv!,
      kid: this.#ids.uuid(),
      kty: 'EC',
      use: 'sig',
      x: ecJwk.x!,
      y: ecJwk.y!,
    };
    this.#current = rsa;
  }

  /** The key new tokens are signed with. */
  signing(): { kid: string; privateKey: CryptoKey } {
    if (!this.#current) throw notReady();
    return this.#current;
  }

  /**
   * Puts a fresh RS256 key in charge under a new kid. The old key keeps verifying (and stays in
   * the JWKS) for the grace period, unless `dropPrevious` removes it at once — the harsh case a
   * client's JWKS refresh has to survive.
   */
  async rotate(dropPrevious: boolean): Promise<string> {
    const old = this.#current;
    if (!old) throw notReady();
    this.#generation += 1;
    const next = await rsaKey(`${PRIMARY_KID}-${this.#generation}`);
    old.retiredAt = this.#clock.now();
    this.#retired = dropPrevious ? [] : [old, ...this.#retired];
    this.#current = next;
    return next.kid;
  }

  /** Public keys as served at `/oauth/jwks`. */
  jwks(): JwksDocument {
    if (!this.#current || !this.#es256) throw notReady();
    return {
      keys: [...this.#rsaKeys().map((k) => k.jwk), this.#es256],
      SkipUnresolvedJsonWebKeys: true,
    };
  }

  /** A jose key resolver over the RS256 keys published right now. */
  verifier(): JWTVerifyGetKey {
    const keys = this.#rsaKeys();
    const kids = keys.map((k) => k.kid).join(' ');
    if (this.#verifier?.kids !== kids) {
      this.#verifier = { kids, get: createLocalJWKSet({ keys: keys.map((k) => k.jwk) }) };
    }
    return this.#verifier.get;
  }

  /** Whether an RS256 key with this kid is published (and so verifies) right now. */
  isPublished(kid: string): boolean {
    return this.#rsaKeys().some((k) => k.kid === kid);
  }

  #rsaKeys(): RsaKey[] {
    if (!this.#current) throw notReady();
    const now = this.#clock.now();
    this.#retired = this.#retired.filter((k) => now - (k.retiredAt ?? now) < this.#graceMs);
    return [this.#current, ...this.#retired];
  }
}

async function rsaKey(kid: string): Promise<RsaKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { modulusLength: 2048 });
  const { n, e } = await exportJWK(publicKey);
  // Same members, same order as the real document.
  return { kid, privateKey, jwk: { alg: 'RS256', e: e!, kid, kty: 'RSA', n: n!, use: 'sig' } };
}

function notReady(): Error {
  return new Error('SsoServer: call and await init() before using it (it generates the keys)');
}
