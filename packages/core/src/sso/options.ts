import type { EsiLogger } from '../options.js';
import { SsoOptionError } from './errors.js';
import type { FetchLike } from './internal/http.js';
import { describe } from './token.js';

/** Settings of an EVE SSO application; mirror django-esi's `ESI_SSO_*` settings. */
export interface SsoOptions {
  /** Client id from the EVE developers portal. */
  clientId: string;
  /**
   * Client secret. Omit for a public (native/desktop) client, which then always uses PKCE.
   * Never appears in messages or logs.
   */
  clientSecret?: string;
  /** The callback URL registered with the application (where SSO sends the user back). */
  callbackUrl: string;
  /**
   * SSO base URL; discovery is read from `<ssoUrl>/.well-known/oauth-authorization-server`.
   * @default 'https://login.eveonline.com'
   */
  ssoUrl?: string;
  /** Timeout of every SSO request in milliseconds. @default 10000 */
  timeoutMs?: number;
  /** Leeway for the access token's `exp` check, in seconds. @default 5 */
  clockToleranceSeconds?: number;
  /** How long discovered metadata is reused before it is fetched again. @default 3600000 (1 h) */
  metadataTtlMs?: number;
  /**
   * Minimum time between two JWKS fetches triggered by an unknown `kid`, so tokens with made-up
   * key ids cannot make us hammer SSO. @default 30000
   */
  jwksRefetchCooldownMs?: number;
  /** User-Agent sent to SSO. @default 'esikit-sso/0.1 (+https://github.com/esikit/esikit)' */
  userAgent?: string;
  /** Clock in ms since the epoch (token expiry, JWT checks). @default Date.now */
  clock?: () => number;
  /** Fetch implementation (e.g. one bound to an undici dispatcher). @default globalThis.fetch */
  fetch?: FetchLike;
}

/** {@link SsoOptions} validated and with defaults applied. */
export interface ResolvedSsoOptions {
  readonly clientId: string;
  readonly clientSecret: string | undefined;
  readonly callbackUrl: string;
  readonly ssoUrl: URL;
  readonly timeoutMs: number;
  readonly clockToleranceSeconds: number;
  readonly metadataTtlMs: number;
  readonly jwksRefetchCooldownMs: number;
  readonly userAgent: string;
  readonly clock: () => number;
  readonly fetch: FetchLike;
}

export const DEFAULT_SSO_URL = 'https://login.eveonline.com';

/** Validates once, with messages that name the option and the value (secrets excepted). */
export function resolveSsoOptions(options: SsoOptions): ResolvedSsoOptions {
  if (options === null || typeof options !== 'object')
    throw new SsoOptionError(`SSO options must be an object, got ${describe(options)}`);
  const { clientId, clientSecret, callbackUrl } = options;
  if (typeof clientId !== 'string' || clientId.trim() === '')
    throw new SsoOptionError(`clientId must be a non-empty string, got ${describe(clientId)}`);
  if (clientSecret !== undefined && (typeof clientSecret !== 'string' || clientSecret === ''))
    throw new SsoOptionError(
      'clientSecret must be a non-empty string or omitted (public client), got ' +
        (typeof clientSecret === 'string' ? 'an empty string' : typeof clientSecret),
    );
  const callback = parseUrl(callbackUrl, 'callbackUrl');
  const ssoUrl = parseUrl(options.ssoUrl ?? DEFAULT_SSO_URL, 'ssoUrl');
  const fetchImpl = options.fetch ?? globalThis.fetch;
  if (typeof fetchImpl !== 'function')
    throw new SsoOptionError(`fetch must be a function, got ${describe(fetchImpl)}`);
  const clock = options.clock ?? Date.now;
  if (typeof clock !== 'function')
    throw new SsoOptionError(`clock must be a function returning ms, got ${describe(clock)}`);
  const userAgent = options.userAgent ?? 'esikit-sso/0.1 (+https://github.com/esikit/esikit)';
  if (typeof userAgent !== 'string' || userAgent.trim() === '')
    throw new SsoOptionError(`userAgent must be a non-empty string, got ${describe(userAgent)}`);
  return {
    clientId,
    clientSecret,
    callbackUrl: callback.href,
    ssoUrl,
    timeoutMs: positive(options.timeoutMs, 'timeoutMs', 10_000),
    clockToleranceSeconds: nonNegative(options.clockToleranceSeconds, 'clockToleranceSeconds', 5),
    metadataTtlMs: nonNegative(options.metadataTtlMs, 'metadataTtlMs', 3_600_000),
    jwksRefetchCooldownMs: nonNegative(
      options.jwksRefetchCooldownMs,
      'jwksRefetchCooldownMs',
      30_000,
    ),
    userAgent,
    clock,
    fetch: fetchImpl,
  };
}

function parseUrl(value: unknown, name: string): URL {
  if (typeof value !== 'string' && !(value instanceof URL))
    throw new SsoOptionError(`${name} must be an http(s) URL string, got ${describe(value)}`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new SsoOptionError(
      `${name} must be an absolute http(s) URL, got ${describe(String(value))}`,
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new SsoOptionError(`${name} must use http or https, got ${describe(url.href)}`);
  return url;
}

/** Validates a positive finite number option (ms counts, limits). */
export function positive(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)
    throw new SsoOptionError(`${name} must be a positive number, got ${describe(value)}`);
  return value;
}

/** Validates a finite number option that may be 0. */
export function nonNegative(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
    throw new SsoOptionError(`${name} must be a number >= 0, got ${describe(value)}`);
  return value;
}

/** Validates an integer option >= 1 (concurrency limits). */
export function concurrencyOption(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1)
    throw new SsoOptionError(`${name} must be an integer >= 1, got ${describe(value)}`);
  return value;
}

/** Validates an optional listener (a function or undefined). */
export function listenerOption(value: unknown, name: string): void {
  if (value !== undefined && typeof value !== 'function')
    throw new SsoOptionError(`${name} must be a function, got ${describe(value)}`);
}

/**
 * The shortest safe refresh lease: between two renewals a refresh makes at most four SSO
 * requests, each bounded by openid-client's whole-second timeout (`ceil(timeoutMs / 1000) + 1`
 * s) or our own `timeoutMs`, plus the store's write retries (well under a second).
 */
export function minLeaseTtlMs(timeoutMs: number): number {
  return 4 * (Math.ceil(timeoutMs / 1000) + 1) * 1000 + 1000;
}

/** Validates the token manager's `logger`. @default warnings through `process.emitWarning` */
export function loggerOption(value: EsiLogger | undefined): EsiLogger {
  const logger = value ?? DEFAULT_LOGGER;
  if (logger === null || typeof logger !== 'object' || typeof logger.warn !== 'function')
    throw new SsoOptionError(`logger must have a warn() method, got ${describe(logger)}`);
  return logger;
}

const DEFAULT_LOGGER: EsiLogger = {
  warn: (message) => process.emitWarning(message, { code: 'ESIKIT' }),
};
