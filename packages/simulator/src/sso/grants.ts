import type { IdSource } from './random.js';

/**
 * One consent: a character allowed a client some scopes. Refresh tokens rotate within a grant;
 * revoking the grant kills its current refresh token and every access token issued from it.
 */
export interface Grant {
  readonly id: string;
  readonly characterId: number;
  readonly clientId: string;
  readonly scopes: readonly string[];
  /** The character's owner hash at consent; a sale changes it and the grant dies. */
  readonly ownerHash: string;
  /** The one refresh token alive now; undefined once revoked. */
  refreshToken: string | undefined;
  revoked: boolean;
  refreshes: number;
}

/** An authorization code between consent and exchange. */
export interface AuthorizationCode {
  readonly code: string;
  readonly clientId: string;
  readonly redirectUri: string;
  readonly scopes: readonly string[];
  readonly characterId: number;
  readonly codeChallenge: string | undefined;
  /** Clock time (ms) after which the code is refused. */
  readonly expiresAt: number;
  /** The grant it was exchanged for; set on first use so a replay can revoke that grant. */
  grantId?: string;
}

const SWEEP_MIN = 1024;

/**
 * The SSO's server-side memory: codes, grants, refresh tokens and the `jti`s of live access
 * tokens (so a revoked grant's access tokens can be refused before they expire). Everything
 * here is synchronous, which is what makes "a code works once" and "a refresh token works once"
 * hold under concurrent requests: the check and the update happen without an await between them.
 */
export class GrantStore {
  readonly #ids: IdSource;
  readonly #codes = new Map<string, AuthorizationCode>();
  readonly #grants = new Map<string, Grant>();
  readonly #byRefreshToken = new Map<string, Grant>();
  readonly #accessTokens = new Map<string, { grant: Grant; expiresAt: number }>();
  readonly #revokedJtis = new Map<string, number>();
  #codeSweepAt = SWEEP_MIN;
  #tokenSweepAt = SWEEP_MIN;

  constructor(ids: IdSource) {
    this.#ids = ids;
  }

  addCode(input: Omit<AuthorizationCode, 'code'>, now: number): AuthorizationCode {
    if (this.#codes.size >= this.#codeSweepAt) {
      for (const [code, c] of this.#codes) if (c.expiresAt <= now) this.#codes.delete(code);
      this.#codeSweepAt = Math.max(SWEEP_MIN, this.#codes.size * 2);
    }
    const code: AuthorizationCode = { ...input, code: this.#ids.token(24) };
    this.#codes.set(code.code, code);
    return code;
  }

  code(code: string): AuthorizationCode | undefined {
    return this.#codes.get(code);
  }

  grant(id: string): Grant | undefined {
    return this.#grants.get(id);
  }

  addGrant(input: Pick<Grant, 'characterId' | 'clientId' | 'scopes' | 'ownerHash'>): Grant {
    const grant: Grant = {
      ...input,
      id: this.#ids.uuid(),
      refreshToken: undefined,
      revoked: false,
      refreshes: 0,
    };
    this.#grants.set(grant.id, grant);
    this.rotate(grant);
    return grant;
  }

  byRefreshToken(token: string): Grant | undefined {
    return this.#byRefreshToken.get(token);
  }

  /** Gives the grant a new refresh token; the previous one stops working at once. */
  rotate(grant: Grant): string {
    if (grant.refreshToken !== undefined) this.#byRefreshToken.delete(grant.refreshToken);
    const token = this.#ids.token(24);
    grant.refreshToken = token;
    this.#byRefreshToken.set(token, grant);
    return token;
  }

  revoke(grant: Grant): void {
    grant.revoked = true;
    this.endRefresh(grant);
  }

  /** Ends the grant's refresh token without revoking the access tokens already out. */
  endRefresh(grant: Grant): void {
    if (grant.refreshToken !== undefined) this.#byRefreshToken.delete(grant.refreshToken);
    grant.refreshToken = undefined;
  }

  /**
   * Kills the refresh tokens of the character's grants (it was sold to another account). Its
   * access tokens stay valid until they expire: EVE's JWTs are not checked against the SSO.
   */
  endCharacterRefresh(characterId: number): void {
    for (const g of this.#grants.values()) if (g.characterId === characterId) this.endRefresh(g);
  }

  recordAccessToken(jti: string, grant: Grant, expiresAt: number, now: number): void {
    // Sweep on the way in, doubling the threshold, so the map stays within twice the number of
    // unexpired tokens at an amortised O(1) per token.
    if (this.#accessTokens.size >= this.#tokenSweepAt) {
      for (const [j, t] of this.#accessTokens) if (t.expiresAt <= now) this.#accessTokens.delete(j);
      for (const [j, exp] of this.#revokedJtis) if (exp <= now) this.#revokedJtis.delete(j);
      this.#tokenSweepAt = Math.max(SWEEP_MIN, this.#accessTokens.size * 2);
    }
    this.#accessTokens.set(jti, { grant, expiresAt });
  }

  /** Revokes one access token (RFC 7009 with `token_type_hint=access_token`). */
  revokeAccessToken(jti: string, expiresAt: number): void {
    this.#revokedJtis.set(jti, expiresAt);
  }

  isAccessTokenRevoked(jti: string): boolean {
    if (this.#revokedJtis.has(jti)) return true;
    return this.#accessTokens.get(jti)?.grant.revoked ?? false;
  }
}
