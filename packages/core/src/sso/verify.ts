import { decodeProtectedHeader, errors as joseErrors, jwtVerify } from 'jose';
import { TokenVerificationError } from './errors.js';
import type { JwksCache } from './internal/jwks.js';

/** What a verified EVE access token says. */
export interface VerifiedAccessToken {
  readonly characterId: number;
  readonly characterName: string;
  readonly ownerHash: string;
  /** Granted scopes, sorted and unique (`scp` may be a string or an array in the JWT). */
  readonly scopes: readonly string[];
  /** `exp` in ms since the epoch. */
  readonly expiresAt: number;
  /** `iat` in ms since the epoch, when present. */
  readonly issuedAt: number | undefined;
  /** The client the token was issued to (`azp`), when present. */
  readonly authorizedParty: string | undefined;
}

/**
 * Both issuer spellings EVE uses, accepted whatever SSO the client discovered (besides that
 * SSO's own issuer, see {@link verifyEveAccessToken}).
 *
 * @example
 * import { EVE_ISSUERS } from '@esikit/core/sso';
 * const fromEve = (EVE_ISSUERS as readonly string[]).includes(iss); // either spelling
 */
export const EVE_ISSUERS = ['https://login.eveonline.com', 'login.eveonline.com'] as const;
const EVE_AUDIENCE = 'EVE Online';
const SUB_RE = /^CHARACTER:EVE:(\d{1,16})$/;

export interface VerifyContext {
  readonly jwks: JwksCache;
  readonly clientId: string;
  /**
   * The `issuer` the SSO's discovery document published (openid-client checked it). Asked only
   * once the token's header passed, so garbage never costs a discovery request.
   */
  readonly discoveredIssuer: () => Promise<string | undefined>;
  readonly clockToleranceSeconds: number;
  readonly now: number;
  readonly signal: AbortSignal | undefined;
}

/**
 * The `iss` values a token may carry: EVE's two spellings, and the discovered issuer in both
 * the same spellings (its URL and its bare `host[:port]`), so an SSO that is not
 * login.eveonline.com (the simulator, a staging SSO) works the way EVE does. The discovered
 * issuer is trusted because openid-client required it to equal the configured SSO URL.
 */
export function acceptedIssuers(discoveredIssuer: string | undefined): string[] {
  const accepted = new Set<string>(EVE_ISSUERS);
  if (discoveredIssuer !== undefined && discoveredIssuer !== '') {
    accepted.add(discoveredIssuer);
    const url = URL.canParse(discoveredIssuer) ? new URL(discoveredIssuer) : undefined;
    // Only an origin has a bare-host spelling; an issuer with a path would lose it.
    if (
      url !== undefined &&
      (url.protocol === 'https:' || url.protocol === 'http:') &&
      url.pathname === '/' &&
      url.search === '' &&
      url.hash === '' &&
      !discoveredIssuer.endsWith('/')
    )
      accepted.add(url.host);
  }
  return [...accepted];
}

/**
 * Checks an EVE access token: RS256 only, key by `kid` from SSO's JWKS, `iss` one of
 * {@link acceptedIssuers} (EVE's two spellings, or the discovered issuer's), `aud` containing
 * both the client id and "EVE Online", `exp` with a small leeway. Throws
 * {@link TokenVerificationError} naming the failed check.
 */
export async function verifyEveAccessToken(
  accessToken: string,
  ctx: VerifyContext,
): Promise<VerifiedAccessToken> {
  if (typeof accessToken !== 'string' || accessToken.split('.').length !== 3)
    throw new TokenVerificationError(
      'malformed',
      'access token is not a compact JWS (three dot-separated parts)',
    );
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(accessToken);
  } catch (cause) {
    throw new TokenVerificationError('malformed', 'access token header cannot be decoded', {
      cause,
    });
  }
  // Decided before any key is looked up, so `none` and HS256-with-the-public-key never reach
  // a verifier that might accept them.
  if (header.alg !== 'RS256')
    throw new TokenVerificationError(
      'algorithm',
      `access token uses alg ${JSON.stringify(header.alg)}; only RS256 is accepted`,
    );
  if (typeof header.kid !== 'string' || header.kid === '')
    throw new TokenVerificationError('unknown-kid', 'access token header has no "kid"');
  const key = await ctx.jwks.key(header.kid, ctx.signal);
  const issuers = acceptedIssuers(await ctx.discoveredIssuer());

  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(accessToken, key, {
      algorithms: ['RS256'],
      issuer: issuers,
      clockTolerance: ctx.clockToleranceSeconds,
      currentDate: new Date(ctx.now),
      requiredClaims: ['exp', 'sub'],
    }));
  } catch (cause) {
    throw mapJoseError(cause, issuers);
  }

  const aud = payload.aud;
  const audiences = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : [];
  if (!audiences.includes(ctx.clientId) || !audiences.includes(EVE_AUDIENCE))
    throw new TokenVerificationError(
      'audience',
      `access token audience must contain this client id and "${EVE_AUDIENCE}", got ${JSON.stringify(audiences).slice(0, 200)}`,
    );

  const sub = typeof payload.sub === 'string' ? SUB_RE.exec(payload.sub) : null;
  const characterId = sub?.[1] === undefined ? NaN : Number(sub[1]);
  if (!Number.isSafeInteger(characterId) || characterId <= 0)
    throw new TokenVerificationError(
      'claims',
      `access token "sub" is not CHARACTER:EVE:<id>: ${JSON.stringify(payload.sub)}`,
    );
  if (typeof payload.name !== 'string')
    throw new TokenVerificationError('claims', 'access token has no character "name" claim');
  if (typeof payload.owner !== 'string' || payload.owner === '')
    throw new TokenVerificationError('claims', 'access token has no "owner" hash claim');
  const scp = payload.scp;
  let scopes: string[];
  if (scp === undefined) scopes = [];
  else if (typeof scp === 'string') scopes = scp.split(/\s+/).filter((s) => s !== '');
  else if (Array.isArray(scp) && scp.every((s): s is string => typeof s === 'string')) scopes = scp;
  else
    throw new TokenVerificationError(
      'claims',
      'access token "scp" is neither a string nor a list of strings',
    );

  return {
    characterId,
    characterName: payload.name,
    ownerHash: payload.owner,
    scopes: [...new Set(scopes)].sort(),
    expiresAt: (payload.exp as number) * 1000,
    issuedAt: typeof payload.iat === 'number' ? payload.iat * 1000 : undefined,
    authorizedParty: typeof payload.azp === 'string' ? payload.azp : undefined,
  };
}

function mapJoseError(cause: unknown, issuers: readonly string[]): TokenVerificationError {
  if (cause instanceof joseErrors.JWTExpired)
    return new TokenVerificationError('expired', 'access token has expired', { cause });
  if (cause instanceof joseErrors.JWSSignatureVerificationFailed)
    return new TokenVerificationError('signature', 'access token signature does not verify', {
      cause,
    });
  if (cause instanceof joseErrors.JWTClaimValidationFailed) {
    if (cause.claim === 'iss')
      return new TokenVerificationError(
        'issuer',
        `access token issuer is not one of ${issuers.join(', ')}`,
        { cause },
      );
    return new TokenVerificationError(
      'claims',
      `access token claim "${cause.claim}" is invalid: ${cause.reason}`,
      { cause },
    );
  }
  if (cause instanceof joseErrors.JOSEAlgNotAllowed)
    return new TokenVerificationError('algorithm', 'access token algorithm is not RS256', {
      cause,
    });
  return new TokenVerificationError('malformed', 'access token cannot be parsed as a JWT', {
    cause,
  });
}
