import * as oidc from 'openid-client';
import {
  SsoError,
  SsoInvalidGrantError,
  SsoOptionError,
  SsoProtocolError,
  SsoRejectedError,
} from './errors.js';
import { fetchJson, ssoFetch, type HttpContext } from './internal/http.js';
import { abortedError, raceAbort, throwIfAborted } from './internal/abort.js';
import { JwksCache } from './internal/jwks.js';
import { resolveSsoOptions, type ResolvedSsoOptions, type SsoOptions } from './options.js';
import { describe, normalizeScopes, type ScopesInput } from './token.js';
import { verifyEveAccessToken, type VerifiedAccessToken } from './verify.js';

/** Options of every SSO call. */
export interface SsoCallOptions {
  /** Cancels the call (and its HTTP request). */
  readonly signal?: AbortSignal;
}

/** A token endpoint answer, before verification. */
export interface TokenResponse {
  readonly accessToken: string;
  /** EVE rotates refresh tokens: store this one, the previous one may stop working. */
  readonly refreshToken: string | undefined;
  readonly tokenType: string;
  /** `expires_in` in seconds, when SSO sent it. */
  readonly expiresIn: number | undefined;
}

/** A token endpoint answer whose access token has been verified. */
export interface VerifiedTokenResponse extends TokenResponse {
  readonly verified: VerifiedAccessToken;
}

/** Input of {@link EveSso.authorizationUrl}. */
export interface AuthorizationUrlInput {
  /** Scopes to ask for, as a list or a space-separated string. */
  readonly scopes: ScopesInput;
  /** The `state` to bind the login to; see {@link TokenManager.startLogin} which makes one. */
  readonly state: string;
  /** PKCE S256 challenge; required for public clients. */
  readonly codeChallenge?: string;
}

/** Input of {@link EveSso.exchangeCode}. */
export interface ExchangeCodeInput extends SsoCallOptions {
  readonly code: string;
  /** The state SSO sent back (checked against the login by the caller). */
  readonly state: string;
  /** PKCE verifier matching the challenge sent in the authorization URL. */
  readonly codeVerifier?: string;
}

/** A PKCE pair: keep the verifier server-side, send the challenge. */
export interface PkcePair {
  readonly codeVerifier: string;
  readonly codeChallenge: string;
}

/**
 * An EVE SSO application: immutable settings plus cached discovery metadata and signing keys.
 * Built on openid-client 6 (RFC 8414 discovery, HTTP Basic client auth or PKCE for public
 * clients); access tokens are verified with jose against SSO's JWKS.
 *
 * @example
 * const sso = createSso({ clientId, clientSecret, callbackUrl: 'https://app.example/sso/callback' });
 * const claims = await sso.verifyAccessToken(accessToken, { signal });
 */
export class EveSso {
  /** Validated settings, without the client secret (kept private so it cannot be logged). */
  readonly options: Omit<ResolvedSsoOptions, 'clientSecret'>;
  readonly #clientSecret: string | undefined;
  readonly #http: HttpContext;
  readonly #jwks: JwksCache;
  #metadata: { value: oidc.ServerMetadata; fetchedAt: number } | undefined;
  #discovering: Promise<oidc.ServerMetadata> | undefined;

  constructor(options: SsoOptions) {
    const { clientSecret, ...rest } = resolveSsoOptions(options);
    this.options = Object.freeze(rest);
    this.#clientSecret = clientSecret;
    this.#http = {
      fetch: this.options.fetch,
      timeoutMs: this.options.timeoutMs,
      userAgent: this.options.userAgent,
    };
    this.#jwks = new JwksCache(async (signal) => {
      const meta = await this.metadata({ ...(signal ? { signal } : {}) });
      if (typeof meta.jwks_uri !== 'string')
        throw new SsoProtocolError('SSO metadata has no jwks_uri');
      return fetchJson(this.#http, meta.jwks_uri, signal);
    }, this.options.jwksRefetchCooldownMs);
  }

  /** True for a public client (no secret): logins use PKCE and no client authentication. */
  get isPublicClient(): boolean {
    return this.#clientSecret === undefined;
  }

  /**
   * SSO's RFC 8414 metadata, discovered once and reused for `metadataTtlMs`. If a later
   * re-discovery fails, the previous metadata keeps being used.
   */
  async metadata(options: SsoCallOptions = {}): Promise<oidc.ServerMetadata> {
    const cached = this.#metadata;
    if (cached && performance.now() - cached.fetchedAt < this.options.metadataTtlMs)
      return cached.value;
    this.#discovering ??= this.#discover()
      .then((value) => {
        this.#metadata = { value, fetchedAt: performance.now() };
        return value;
      })
      .finally(() => {
        this.#discovering = undefined;
      });
    try {
      return await raceAbort(this.#discovering, options.signal, 'SSO discovery');
    } catch (error) {
      if (cached && !options.signal?.aborted) return cached.value;
      throw error;
    }
  }

  async #discover(): Promise<oidc.ServerMetadata> {
    const insecure = this.options.ssoUrl.protocol === 'http:';
    try {
      const config = await oidc.discovery(
        this.options.ssoUrl,
        this.options.clientId,
        undefined,
        oidc.None(),
        {
          algorithm: 'oauth2',
          execute: insecure ? [oidc.allowInsecureRequests] : [],
          [oidc.customFetch]: this.#customFetch(undefined),
          timeout: Math.ceil(this.options.timeoutMs / 1000) + 1,
        },
      );
      return { ...config.serverMetadata() };
    } catch (error) {
      throw translateError(error, undefined, 'discovery');
    }
  }

  /** A fresh PKCE S256 pair; use one per login. */
  async createPkce(options: SsoCallOptions = {}): Promise<PkcePair> {
    throwIfAborted(options.signal, 'PKCE');
    const codeVerifier = oidc.randomPKCECodeVerifier();
    return { codeVerifier, codeChallenge: await oidc.calculatePKCECodeChallenge(codeVerifier) };
  }

  /**
   * The URL to send the user to. Web clients may omit the PKCE challenge; public clients must
   * pass one (see {@link createPkce}).
   */
  async authorizationUrl(input: AuthorizationUrlInput, options: SsoCallOptions = {}): Promise<URL> {
    const scopes = normalizeScopes(input.scopes);
    if (typeof input.state !== 'string' || input.state.length < 16)
      throw new SsoOptionError(
        `state must be a random string of at least 16 characters, got ${describe(input.state)}`,
      );
    if (this.isPublicClient && input.codeChallenge === undefined)
      throw new SsoOptionError(
        'codeChallenge is required for a public client (no clientSecret): use createPkce()',
      );
    const params: Record<string, string> = {
      response_type: 'code',
      redirect_uri: this.options.callbackUrl,
      scope: scopes.join(' '),
      state: input.state,
    };
    if (input.codeChallenge !== undefined) {
      params.code_challenge = input.codeChallenge;
      params.code_challenge_method = 'S256';
    }
    return oidc.buildAuthorizationUrl(await this.#configuration(options.signal), params);
  }

  /** Exchanges an authorization code for tokens and verifies the access token. */
  async exchangeCode(input: ExchangeCodeInput): Promise<VerifiedTokenResponse> {
    const { signal } = input;
    if (typeof input.code !== 'string' || input.code === '')
      throw new SsoOptionError('code must be the non-empty authorization code from the callback');
    if (this.isPublicClient && input.codeVerifier === undefined)
      throw new SsoOptionError('codeVerifier is required for a public client (no clientSecret)');
    const config = await this.#configuration(signal);
    const current = new URL(this.options.callbackUrl);
    current.searchParams.set('code', input.code);
    current.searchParams.set('state', input.state);
    let response: oidc.TokenEndpointResponse;
    try {
      response = await oidc.authorizationCodeGrant(config, current, {
        expectedState: input.state,
        ...(input.codeVerifier !== undefined ? { pkceCodeVerifier: input.codeVerifier } : {}),
      });
    } catch (error) {
      throw translateError(error, signal, 'code exchange');
    }
    return this.#verified(response, signal);
  }

  /**
   * Uses a refresh token. Optionally asks for a subset of the granted scopes. The answer's
   * `refreshToken` replaces the one used: store it before using the new access token.
   */
  async refresh(
    refreshToken: string,
    options: SsoCallOptions & { readonly scopes?: ScopesInput } = {},
  ): Promise<VerifiedTokenResponse> {
    const response = await this.refreshUnverified(refreshToken, options);
    const verified = await this.verifyAccessToken(response.accessToken, options);
    return { ...response, verified };
  }

  /**
   * The refresh grant without verifying the new access token. The token model uses it so the
   * rotated refresh token can be stored even when the access token then fails verification.
   */
  async refreshUnverified(
    refreshToken: string,
    options: SsoCallOptions & { readonly scopes?: ScopesInput } = {},
  ): Promise<TokenResponse> {
    const { signal } = options;
    if (typeof refreshToken !== 'string' || refreshToken === '')
      throw new SsoOptionError('refreshToken must be a non-empty string');
    const params: Record<string, string> = {};
    if (options.scopes !== undefined) params.scope = normalizeScopes(options.scopes).join(' ');
    const config = await this.#configuration(signal);
    let response: oidc.TokenEndpointResponse;
    try {
      response = await oidc.refreshTokenGrant(config, refreshToken, params);
    } catch (error) {
      throw translateError(error, signal, 'refresh');
    }
    return toTokenResponse(response);
  }

  /** Revokes a refresh token at SSO (the user's consent ends). */
  async revoke(refreshToken: string, options: SsoCallOptions = {}): Promise<void> {
    const { signal } = options;
    if (typeof refreshToken !== 'string' || refreshToken === '')
      throw new SsoOptionError('refreshToken must be a non-empty string');
    const config = await this.#configuration(signal);
    try {
      await oidc.tokenRevocation(config, refreshToken, { token_type_hint: 'refresh_token' });
    } catch (error) {
      throw translateError(error, signal, 'revoke');
    }
  }

  /** Verifies an access token against SSO's keys and returns its claims. */
  async verifyAccessToken(
    accessToken: string,
    options: SsoCallOptions = {},
  ): Promise<VerifiedAccessToken> {
    throwIfAborted(options.signal, 'access token verification');
    return verifyEveAccessToken(accessToken, {
      jwks: this.#jwks,
      clientId: this.options.clientId,
      // The issuer the SSO published is one `iss` may carry (see acceptedIssuers).
      discoveredIssuer: async () => (await this.metadata(options)).issuer,
      clockToleranceSeconds: this.options.clockToleranceSeconds,
      now: this.options.clock(),
      signal: options.signal,
    });
  }

  async #verified(
    response: oidc.TokenEndpointResponse,
    signal: AbortSignal | undefined,
  ): Promise<VerifiedTokenResponse> {
    const verified = await this.verifyAccessToken(response.access_token, signal ? { signal } : {});
    return { ...toTokenResponse(response), verified };
  }

  /** A per-call openid-client configuration whose fetch carries this call's signal. */
  async #configuration(signal: AbortSignal | undefined): Promise<oidc.Configuration> {
    const meta = await this.metadata(signal ? { signal } : {});
    const secret = this.#clientSecret;
    const config = new oidc.Configuration(
      meta,
      this.options.clientId,
      secret,
      secret === undefined ? oidc.None() : oidc.ClientSecretBasic(secret),
    );
    if (this.options.ssoUrl.protocol === 'http:') oidc.allowInsecureRequests(config);
    config.timeout = Math.ceil(this.options.timeoutMs / 1000) + 1;
    config[oidc.customFetch] = this.#customFetch(signal);
    return config;
  }

  #customFetch(signal: AbortSignal | undefined): oidc.CustomFetch {
    return (url, init) =>
      ssoFetch(
        this.#http,
        url,
        {
          method: init.method,
          headers: init.headers,
          redirect: init.redirect,
          ...(init.body !== undefined
            ? { body: init.body as NonNullable<RequestInit['body']> }
            : {}),
          ...(init.signal ? { signal: init.signal } : {}),
        },
        signal,
      );
  }
}

/**
 * Builds an {@link EveSso} from settings, validating them once.
 *
 * @example
 * const sso = createSso({
 *   clientId: process.env.EVE_CLIENT_ID!,
 *   clientSecret: process.env.EVE_CLIENT_SECRET!,
 *   callbackUrl: 'https://app.example/sso/callback',
 * });
 */
export function createSso(options: SsoOptions): EveSso {
  return new EveSso(options);
}

function toTokenResponse(response: oidc.TokenEndpointResponse): TokenResponse {
  return {
    accessToken: response.access_token,
    refreshToken: response.refresh_token,
    tokenType: response.token_type === 'bearer' ? 'Bearer' : response.token_type,
    expiresIn: response.expires_in,
  };
}

/** Maps openid-client errors to ours; our own errors (from the fetch layer) pass through. */
function translateError(error: unknown, signal: AbortSignal | undefined, what: string): unknown {
  if (signal?.aborted) return abortedError(signal, `SSO ${what}`);
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof SsoError) return e;
  }
  if (error instanceof oidc.ResponseBodyError) {
    if (error.error === 'invalid_grant')
      return new SsoInvalidGrantError(
        `SSO answered invalid_grant to the ${what}${error.error_description ? `: ${error.error_description}` : ''}`,
        { cause: error },
      );
    return new SsoRejectedError(
      error.error,
      error.status,
      `SSO rejected the ${what} with ${error.error} (HTTP ${error.status})${error.error_description ? `: ${error.error_description}` : ''}`,
      { cause: error },
    );
  }
  if (error instanceof oidc.ClientError) {
    const status = error.cause instanceof Response ? error.cause.status : undefined;
    return new SsoProtocolError(
      `SSO's answer to the ${what} is not valid OAuth: ${error.message}${status !== undefined ? ` (HTTP ${status})` : ''}`,
      { cause: error, ...(status !== undefined ? { status } : {}) },
    );
  }
  return new SsoProtocolError(
    `SSO ${what} failed: ${error instanceof Error ? error.message : String(error)}`,
    {
      cause: error,
    },
  );
}
