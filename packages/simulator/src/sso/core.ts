import { errors, jwtVerify, SignJWT } from 'jose';

import type { SimCharacter, SsoClientRegistration } from '../types.js';
import { SsoVerifyError } from './errors.js';
import type { Grant } from './grants.js';
import { GrantStore } from './grants.js';
import { KeyRing } from './keys.js';
import type { NormalizedSsoOptions } from './options.js';
import { ESI_SCOPE_PATTERN } from './options.js';
import { IdSource } from './random.js';

/** What the token endpoint (and `issueTokens`) answers. */
export interface IssuedTokens {
  access_token: string;
  token_type: 'Bearer';
  /** Seconds; one short of the JWT lifetime, like EVE's 1199 for a 1200 s token. */
  expires_in: number;
  refresh_token: string;
}

/** A verified access token, as the ESI side needs it. */
export interface VerifiedAccess {
  characterId: number;
  characterName: string;
  ownerHash: string;
  clientId: string;
  scopes: readonly string[];
  /** Epoch milliseconds. */
  expiresAt: number;
  jti: string;
}

/** Counters since the server was created; `stats()` returns a snapshot. */
export interface SsoStats {
  /** Requests to the authorize endpoint (page views and consent posts). */
  readonly authorize: number;
  /** Authorization codes handed out (completed consents). */
  readonly codesIssued: number;
  /** Successful `grant_type=authorization_code` exchanges. */
  readonly codeExchanges: number;
  /** Successful `grant_type=refresh_token` exchanges. */
  readonly refreshes: number;
  /** Successful refreshes per character id. */
  readonly refreshesByCharacter: Readonly<Record<number, number>>;
  /** Tokens actually revoked at the revoke endpoint (unknown tokens are not counted). */
  readonly revocations: number;
  /** Token endpoint error answers by `error` code (`invalid_grant`, `invalid_client`, …). */
  readonly tokenErrors: Readonly<Record<string, number>>;
  readonly jwksRequests: number;
  readonly metadataRequests: number;
  /** Requests answered by an injected fault (status or reset) instead of the endpoint. */
  readonly faultsInjected: number;
}

type Counter = Exclude<keyof SsoStats, 'tokenErrors' | 'refreshesByCharacter'>;

const VERIFIED_CACHE_SIZE = 4096;

const SUBJECT = /^CHARACTER:EVE:([1-9][0-9]*)$/;

/**
 * The SSO's state and the operations every endpoint shares: issuing and verifying tokens.
 * `SsoServer` is the public face; the endpoint modules receive this.
 */
export class SsoCore {
  readonly options: NormalizedSsoOptions;
  readonly ids: IdSource;
  readonly keys: KeyRing;
  readonly grants: GrantStore;
  autoConsent: number | undefined;
  /** The server's own origin, once `SsoServer.setBaseUrl` told it. */
  baseUrl: string | undefined;
  readonly #counters: Record<Counter, number> = {
    authorize: 0,
    codesIssued: 0,
    codeExchanges: 0,
    refreshes: 0,
    revocations: 0,
    jwksRequests: 0,
    metadataRequests: 0,
    faultsInjected: 0,
  };
  readonly #tokenErrors = new Map<string, number>();
  readonly #refreshesByCharacter = new Map<number, number>();
  /** Tokens whose signature and claims checked out, oldest first. */
  readonly #verified = new Map<string, { access: VerifiedAccess; kid: string }>();

  constructor(options: NormalizedSsoOptions) {
    this.options = options;
    this.ids = new IdSource(options.seed);
    this.keys = new KeyRing(options.clock, this.ids, options.rotatedKeyGraceSeconds);
    this.grants = new GrantStore(this.ids);
  }

  character(id: number): SimCharacter | undefined {
    return this.options.characters.find((c) => c.id === id);
  }

  client(id: string): SsoClientRegistration | undefined {
    return this.options.clients.get(id);
  }

  /** The `issuer` the metadata publishes; `base` is the server's origin as the caller reached it. */
  metadataIssuer(base: string): string {
    const { issuer } = this.options;
    return issuer === 'self' ? base : issuer;
  }

  /** The `iss` a token for `clientId` carries: the issuer, or its bare host for `issuerForm: 'host'`. */
  tokenIssuer(clientId: string): string {
    const { issuer } = this.options;
    const url = issuer === 'self' ? (this.baseUrl ?? 'http://127.0.0.1') : issuer;
    return this.client(clientId)?.issuerForm === 'host' ? new URL(url).host : url;
  }

  /** Scopes in `requested` the client may not ask for: unknown to the SSO or not registered. */
  refusedScopes(clientId: string, requested: readonly string[]): string[] {
    const registered = this.client(clientId)?.scopes;
    return requested.filter(
      (s) => !this.isKnownScope(s) || (registered !== undefined && !registered.includes(s)),
    );
  }

  isKnownScope(scope: string): boolean {
    // EVE still grants the legacy `publicData`, though the spec's scope list no longer names it.
    if (scope === 'publicData') return true;
    return this.options.scopes ? this.options.scopes.has(scope) : ESI_SCOPE_PATTERN.test(scope);
  }

  count(counter: Counter): void {
    this.#counters[counter] += 1;
  }

  countTokenError(code: string): void {
    this.#tokenErrors.set(code, (this.#tokenErrors.get(code) ?? 0) + 1);
  }

  countRefresh(characterId: number): void {
    this.count('refreshes');
    this.#refreshesByCharacter.set(
      characterId,
      (this.#refreshesByCharacter.get(characterId) ?? 0) + 1,
    );
  }

  stats(): SsoStats {
    return {
      ...this.#counters,
      refreshesByCharacter: Object.fromEntries(this.#refreshesByCharacter),
      tokenErrors: Object.fromEntries(this.#tokenErrors),
    };
  }

  /**
   * Signs an access token for `grant` (narrowed to `scopes`) and pairs it with the grant's
   * current refresh token. Callers rotate the refresh token first, synchronously.
   */
  async issue(grant: Grant, scopes: readonly string[]): Promise<IssuedTokens> {
    const character = this.character(grant.characterId);
    const refreshToken = grant.refreshToken;
    if (!character || refreshToken === undefined) {
      throw new Error(`cannot issue tokens for a dead grant (character ${grant.characterId})`);
    }
    const { kid, privateKey } = this.keys.signing();
    const ttl = this.options.accessTokenTtlSeconds;
    const iat = this.options.clock.nowSeconds();
    const jti = this.ids.uuid();
    // Member order and values as in real EVE tokens; a single scope is a bare string there.
    const claims = {
      ...(scopes.length === 0 ? {} : { scp: scopes.length === 1 ? scopes[0] : [...scopes] }),
      jti,
      kid,
      sub: `CHARACTER:EVE:${character.id}`,
      azp: grant.clientId,
      tenant: 'tranquility',
      tier: 'live',
      region: 'world',
      aud: [grant.clientId, 'EVE Online'],
      name: character.name,
      owner: grant.ownerHash,
      exp: iat + ttl,
      iat,
      iss: this.tokenIssuer(grant.clientId),
    };
    const accessToken = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
      .sign(privateKey);
    this.grants.recordAccessToken(jti, grant, (iat + ttl) * 1000, this.options.clock.now());
    return {
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: ttl - 1,
      refresh_token: refreshToken,
    };
  }

  /** See `SsoServer.verifyAccessToken`. */
  async verify(token: string): Promise<VerifiedAccess> {
    if (typeof token !== 'string' || token.split('.').length !== 3) {
      throw new SsoVerifyError(
        'malformed',
        'access token is not a compact JWS (three dot-separated parts)',
      );
    }
    const cached = this.#verified.get(token);
    if (cached) return this.#recheck(cached);
    let payload: Record<string, unknown>;
    let kid: string | undefined;
    try {
      ({
        payload,
        protectedHeader: { kid },
      } = await jwtVerify(token, this.keys.verifier(), {
        algorithms: ['RS256'],
        audience: 'EVE Online',
        currentDate: new Date(this.options.clock.now()),
        typ: 'JWT',
      }));
    } catch (e) {
      throw verifyFailure(e);
    }
    const { sub, azp, name, owner, jti, exp, scp } = payload;
    const subject = typeof sub === 'string' ? SUBJECT.exec(sub) : null;
    const scopes = typeof scp === 'string' ? [scp] : scp === undefined ? [] : scp;
    if (
      !subject ||
      typeof azp !== 'string' ||
      typeof name !== 'string' ||
      typeof owner !== 'string' ||
      typeof jti !== 'string' ||
      typeof exp !== 'number' ||
      !Array.isArray(scopes) ||
      !scopes.every((s) => typeof s === 'string')
    ) {
      throw new SsoVerifyError(
        'malformed',
        'access token lacks EVE claims (sub, azp, name, owner, jti, exp, scp)',
      );
    }
    const access: VerifiedAccess = {
      characterId: Number(subject[1]),
      characterName: name,
      ownerHash: owner,
      clientId: azp,
      scopes,
      expiresAt: exp * 1000,
      jti,
    };
    const entry = { access, kid: kid ?? '' };
    if (this.#verified.size >= VERIFIED_CACHE_SIZE) {
      this.#verified.delete(this.#verified.keys().next().value!);
    }
    this.#verified.set(token, entry);
    return this.#recheck(entry);
  }

  /**
   * What can change after a token verified once: its key leaving the JWKS, the clock passing
   * `exp`, a revocation. The signature and claims cannot, so checking a token seen before costs
   * no RSA operation and the SSO does not bottleneck the ESI simulator under load.
   */
  #recheck({ access, kid }: { access: VerifiedAccess; kid: string }): VerifiedAccess {
    if (!this.keys.isPublished(kid)) {
      throw new SsoVerifyError(
        'signature',
        'access token signature does not verify against the SSO keys',
      );
    }
    if (access.expiresAt <= this.options.clock.now()) {
      throw new SsoVerifyError('expired', 'access token has expired');
    }
    if (this.grants.isAccessTokenRevoked(access.jti)) {
      throw new SsoVerifyError(
        'revoked',
        'access token was revoked (its grant or the token itself)',
      );
    }
    return { ...access };
  }
}

function verifyFailure(e: unknown): SsoVerifyError {
  const because = (reason: SsoVerifyError['reason'], message: string): SsoVerifyError =>
    new SsoVerifyError(reason, message, { cause: e });
  if (e instanceof errors.JWTExpired) return because('expired', 'access token has expired');
  if (e instanceof errors.JWTClaimValidationFailed) {
    return e.claim === 'aud'
      ? because('audience', 'access token audience does not include "EVE Online"')
      : because('malformed', `access token claim "${e.claim}" is invalid`);
  }
  if (
    e instanceof errors.JWSSignatureVerificationFailed ||
    e instanceof errors.JWKSNoMatchingKey ||
    e instanceof errors.JWKSMultipleMatchingKeys ||
    e instanceof errors.JOSEAlgNotAllowed
  ) {
    return because('signature', 'access token signature does not verify against the SSO keys');
  }
  return because('malformed', 'access token is not a valid JWT');
}
