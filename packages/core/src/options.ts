import type { Dispatcher } from 'undici';
import type { TokenVerifier } from './auth.js';
import { EsiOptionError } from './esi-errors.js';
import type { CacheStore } from './internal/cache-store.js';
import type { EsiRequestEvent } from './internal/events.js';

/**
 * Where the client reports what a person should know about; defaults to `process.emitWarning` for warnings.
 *
 * @example
 * createEsiClient({ logger: { warn: (m) => pino.warn(m), debug: (m, d) => pino.debug(d, m) } })
 */
export interface EsiLogger {
  warn(message: string, details?: Readonly<Record<string, unknown>>): void;
  debug?(message: string, details?: Readonly<Record<string, unknown>>): void;
}

/**
 * Who is calling ESI: goes into the User-Agent so CCP can reach you instead of banning you.
 *
 * @example
 * createEsiClient({ appInfo: { name: 'MyApp', version: '1.2.3', url: 'https://github.com/me/app' } })
 */
export interface AppInfo {
  /** Application name, e.g. `MyCorpTool`. */
  readonly name: string;
  /** Application version, e.g. `1.2.3`. */
  readonly version: string;
  /** Where the source or the app lives, e.g. `https://github.com/me/tool`. */
  readonly url?: string;
}

/**
 * Which `X-Compatibility-Date` to send: one date, or a default with per-tag and per-operation
 * overrides (the successor of django-esi's per-resource versions).
 *
 * @example
 * createEsiClient({ compatibilityDate: { default: '2025-12-16', tags: { Market: '2020-01-01' } } })
 */
export type CompatibilityDateOption =
  | string
  | {
      readonly default?: string;
      /** By tag as the spec writes it, e.g. `{ Market: '2025-12-16' }`. */
      readonly tags?: Readonly<Record<string, string>>;
      /** By operation id, e.g. `{ GetMarketsRegionIdOrders: '2025-12-16' }`. */
      readonly operations?: Readonly<Record<string, string>>;
    };

/**
 * Options of {@link createEsiClient}. Every one is optional.
 *
 * @example
 * createEsiClient({ appInfo: { name: 'MyApp', version: '1.0.0' }, contactEmail: 'me@example.com', pageConcurrency: 4 })
 */
export interface EsiClientOptions {
  /** @default 'https://esi.evetech.net' */
  readonly baseUrl?: string;
  /** @default the generated spec's compatibility date */
  readonly compatibilityDate?: CompatibilityDateOption;
  /** `X-Tenant`. @default 'tranquility' */
  readonly tenant?: string;
  /** Your app, for the User-Agent. A warning is logged once when it is missing. */
  readonly appInfo?: AppInfo;
  /** An e-mail CCP can reach you at, for the User-Agent. */
  readonly contactEmail?: string;
  /** Header carrying the User-Agent; browsers use `X-User-Agent`. @default 'User-Agent' */
  readonly userAgentHeader?: 'User-Agent' | 'X-User-Agent';
  /** @default { connect: 5000, read: 30000 } (milliseconds) */
  readonly timeouts?: { readonly connect?: number; readonly read?: number };
  /**
   * Retries of connection errors and 502/503/504 (and waits after 420/429, counted as server
   * retries). Delay = backoffFactor × 2^attempt seconds, ± jitter.
   * @default { connection: 3, server: 3, backoffFactor: 0.2, jitter: true }
   */
  readonly retries?: {
    readonly connection?: number;
    readonly server?: number;
    readonly backoffFactor?: number;
    readonly jitter?: boolean;
  };
  /**
   * Keep-alive connections to ESI, and the most requests the client has in flight at once: more
   * wait in the client's dispatch gate (where the error and rate limits are checked), never in
   * the connection pool. @default 10
   */
  readonly connections?: number;
  /** Response cache; `false` turns caching off. @default an in-memory store of 64 MiB */
  readonly cache?: CacheStore | false;
  /** Pages fetched at once by `results()`. @default 8 */
  readonly pageConcurrency?: number;
  /** New requests wait for the reset when `X-ESI-Error-Limit-Remain` falls below this. @default 10 */
  readonly errorLimitThreshold?: number;
  /** @default warnings through `process.emitWarning`, no debug output */
  readonly logger?: EsiLogger;
  /** Load this spec file at run time (lazily, on the first request) instead of the generated table. */
  readonly specFile?: string;
  /** Milliseconds since the epoch; tests pass the simulator's clock. @default Date.now */
  readonly clock?: () => number;
  /** Custom undici Dispatcher (proxies, mocks are not welcome: use the simulator). */
  readonly dispatcher?: Dispatcher;
  /** Called once per request (cache hits included), after it settles. Must not throw. */
  readonly onRequest?: (event: EsiRequestEvent) => void;
  /**
   * Verifies raw access token strings passed as `token` (signature, `iss`, `aud`, `exp`) before
   * anything private is served; verifications are kept per token until its `exp`. `EveSso` from
   * `@esikit/core/sso` is one: `createEsiClient({ tokenVerifier: sso })`.
   * @default none: see `trustRawTokens`
   */
  readonly tokenVerifier?: TokenVerifier;
  /**
   * Without a `tokenVerifier`, a raw token string is sent to ESI (which verifies it) but never
   * answered from private cache entries another request stored: it gets entries of its own.
   * `true` trusts the token's decoded `sub` instead and shares the character's entries; only for
   * tokens the app obtained from SSO itself, never ones a caller supplies.
   * @default false
   */
  readonly trustRawTokens?: boolean;
  /**
   * Deep-freeze results that are shared (once, when stored in the cache or read from a remote
   * store, and when coalesced callers share one request), so a cached, revalidated or coalesced
   * result cannot be changed by one caller for the others. A result no one else holds is not
   * frozen. `false` saves that cost (BENCHMARKS.md, row 6) for apps that never mutate results.
   * @default true
   */
  readonly freezeResults?: boolean;
}

/** The validated, defaulted options the internals use. */
export interface ResolvedOptions {
  readonly origin: string;
  readonly basePath: string;
  readonly compatibilityDate: {
    readonly default: string | undefined;
    readonly tags: ReadonlyMap<string, string>;
    readonly operations: ReadonlyMap<string, string>;
  };
  readonly tenant: string;
  readonly userAgent: string;
  readonly userAgentHeader: 'user-agent' | 'x-user-agent';
  readonly missingAppInfo: boolean;
  readonly connectTimeout: number;
  readonly readTimeout: number;
  readonly retries: RetryOptions;
  readonly connections: number;
  readonly cache: CacheStore | false | undefined;
  readonly pageConcurrency: number;
  readonly errorLimitThreshold: number;
  readonly logger: EsiLogger;
  readonly specFile: string | undefined;
  readonly clock: () => number;
  readonly dispatcher: Dispatcher | undefined;
  readonly onRequest: ((event: EsiRequestEvent) => void) | undefined;
  readonly tokenVerifier: TokenVerifier | undefined;
  readonly trustRawTokens: boolean;
  readonly freezeResults: boolean;
}

export interface RetryOptions {
  readonly connection: number;
  readonly server: number;
  readonly backoffFactor: number;
  readonly jitter: boolean;
}

/**
 * Version of this package, sent in the User-Agent (a test keeps it equal to package.json).
 *
 * @example
 * console.log(`esikit ${ESIKIT_VERSION}`);
 */
export const ESIKIT_VERSION = '0.1.0';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const defaultLogger: EsiLogger = {
  warn: (message) => process.emitWarning(message, { code: 'ESIKIT' }),
};

/** Validates options once and fills defaults; every error names the option and the value. */
export function resolveOptions(options: EsiClientOptions = {}): ResolvedOptions {
  if (options === null || typeof options !== 'object')
    throw new EsiOptionError('options', options, 'an object');
  const base = options.baseUrl ?? 'https://esi.evetech.net';
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    throw new EsiOptionError('baseUrl', base, 'an absolute http(s) URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new EsiOptionError('baseUrl', base, 'an absolute http(s) URL');
  }
  const app = options.appInfo;
  if (app !== undefined) {
    if (typeof app !== 'object' || app === null)
      throw new EsiOptionError('appInfo', app, '{ name, version, url? }');
    if (!isToken(app.name))
      throw new EsiOptionError(
        'appInfo.name',
        app.name,
        'a non-empty name without spaces, "/", "(" or ")"',
      );
    if (!isToken(app.version))
      throw new EsiOptionError(
        'appInfo.version',
        app.version,
        'a version without spaces, e.g. "1.2.3"',
      );
    if (app.url !== undefined && !isHttpUrl(app.url))
      throw new EsiOptionError('appInfo.url', app.url, 'an http(s) URL');
  }
  const email = options.contactEmail;
  if (
    email !== undefined &&
    (typeof email !== 'string' || !/^[^\s@();]+@[^\s@();]+$/.test(email))
  ) {
    throw new EsiOptionError('contactEmail', email, 'an e-mail address');
  }
  const uaHeader = options.userAgentHeader ?? 'User-Agent';
  if (uaHeader !== 'User-Agent' && uaHeader !== 'X-User-Agent') {
    throw new EsiOptionError('userAgentHeader', uaHeader, '"User-Agent" or "X-User-Agent"');
  }
  const tenant = options.tenant ?? 'tranquility';
  if (typeof tenant !== 'string' || !/^[a-z0-9-]+$/i.test(tenant))
    throw new EsiOptionError('tenant', tenant, 'a tenant name like "tranquility"');

  const cache = options.cache;
  if (cache !== undefined && cache !== false && !isStore(cache)) {
    throw new EsiOptionError(
      'cache',
      cache,
      'false or a CacheStore with get(key) and set(key, entry, ttlMs)',
    );
  }
  const logger = options.logger ?? defaultLogger;
  if (typeof logger !== 'object' || logger === null || typeof logger.warn !== 'function') {
    throw new EsiOptionError('logger', logger, 'an object with a warn(message) method');
  }
  const clock = options.clock ?? Date.now;
  if (typeof clock !== 'function')
    throw new EsiOptionError('clock', clock, 'a function returning epoch milliseconds');
  if (
    options.specFile !== undefined &&
    (typeof options.specFile !== 'string' || options.specFile === '')
  ) {
    throw new EsiOptionError('specFile', options.specFile, 'a file path');
  }
  if (
    options.dispatcher !== undefined &&
    typeof (options.dispatcher as { dispatch?: unknown }).dispatch !== 'function'
  ) {
    throw new EsiOptionError('dispatcher', options.dispatcher, 'an undici Dispatcher');
  }
  if (options.onRequest !== undefined && typeof options.onRequest !== 'function') {
    throw new EsiOptionError('onRequest', options.onRequest, 'a function');
  }
  const verifier = options.tokenVerifier;
  if (
    verifier !== undefined &&
    (typeof verifier !== 'object' ||
      verifier === null ||
      typeof (verifier as Partial<TokenVerifier>).verifyAccessToken !== 'function')
  ) {
    throw new EsiOptionError(
      'tokenVerifier',
      verifier,
      'an object with verifyAccessToken(token, { signal }) (e.g. EveSso)',
    );
  }
  const r = options.retries ?? {};
  const t = options.timeouts ?? {};
  const product = app ? `${app.name}/${app.version}` : undefined;
  const comments = [email, app?.url ? `+${app.url}` : undefined].filter(Boolean).join('; ');
  const userAgent = [product, comments ? `(${comments})` : undefined, `esikit/${ESIKIT_VERSION}`]
    .filter(Boolean)
    .join(' ');
  return {
    origin: url.origin,
    basePath: url.pathname.replace(/\/+$/, ''),
    compatibilityDate: resolveDates(options.compatibilityDate),
    tenant,
    userAgent,
    userAgentHeader: uaHeader === 'User-Agent' ? 'user-agent' : 'x-user-agent',
    missingAppInfo: app === undefined || email === undefined,
    connectTimeout: positive('timeouts.connect', t.connect, 5000),
    readTimeout: positive('timeouts.read', t.read, 30_000),
    retries: {
      connection: count('retries.connection', r.connection, 3),
      server: count('retries.server', r.server, 3),
      backoffFactor: nonNegative('retries.backoffFactor', r.backoffFactor, 0.2),
      jitter: bool('retries.jitter', r.jitter, true),
    },
    connections: integerAtLeast('connections', options.connections, 10, 1),
    cache,
    pageConcurrency: integerAtLeast('pageConcurrency', options.pageConcurrency, 8, 1),
    errorLimitThreshold: count('errorLimitThreshold', options.errorLimitThreshold, 10),
    logger,
    specFile: options.specFile,
    clock,
    dispatcher: options.dispatcher,
    onRequest: options.onRequest,
    tokenVerifier: verifier,
    trustRawTokens: bool('trustRawTokens', options.trustRawTokens, false),
    freezeResults: bool('freezeResults', options.freezeResults, true),
  };
}

function resolveDates(
  option: CompatibilityDateOption | undefined,
): ResolvedOptions['compatibilityDate'] {
  if (option === undefined) return { default: undefined, tags: new Map(), operations: new Map() };
  if (typeof option === 'string')
    return { default: date('compatibilityDate', option), tags: new Map(), operations: new Map() };
  if (typeof option !== 'object' || option === null) {
    throw new EsiOptionError(
      'compatibilityDate',
      option,
      'a YYYY-MM-DD date or { default?, tags?, operations? }',
    );
  }
  const map = (name: 'tags' | 'operations'): Map<string, string> => {
    const record = option[name];
    if (record === undefined) return new Map();
    if (typeof record !== 'object' || record === null)
      throw new EsiOptionError(`compatibilityDate.${name}`, record, 'an object of dates');
    return new Map(
      Object.entries(record).map(([k, v]) => [k, date(`compatibilityDate.${name}.${k}`, v)]),
    );
  };
  return {
    default:
      option.default === undefined ? undefined : date('compatibilityDate.default', option.default),
    tags: map('tags'),
    operations: map('operations'),
  };
}

function date(name: string, value: unknown): string {
  if (typeof value !== 'string' || !DATE.test(value) || Number.isNaN(Date.parse(value))) {
    throw new EsiOptionError(name, value, 'a YYYY-MM-DD date');
  }
  return value;
}

function positive(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)
    throw new EsiOptionError(name, value, 'a positive number of milliseconds');
  return value;
}

function nonNegative(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
    throw new EsiOptionError(name, value, 'a number ≥ 0');
  return value;
}

function count(name: string, value: unknown, fallback: number): number {
  return integerAtLeast(name, value, fallback, 0);
}

function integerAtLeast(name: string, value: unknown, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min)
    throw new EsiOptionError(name, value, `an integer ≥ ${min}`);
  return value;
}

function bool(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new EsiOptionError(name, value, 'true or false');
  return value;
}

function isToken(value: unknown): value is string {
  return typeof value === 'string' && /^[^\s/()]+$/.test(value);
}

function isHttpUrl(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    const u = new URL(value);
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
}

function isStore(value: unknown): value is CacheStore {
  const v = value as Partial<CacheStore> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.get === 'function' &&
    typeof v.set === 'function'
  );
}
