import { SimulatorClock } from './clock.js';
import { SimulatorError } from './errors.js';
import type { FaultConfig } from './internal/faults.js';
import { validateFaults } from './internal/faults.js';
import type { GroupLimitOverride } from './internal/limits.js';
import type { SsoServerOptions } from './sso/options.js';
import type { SsoClientRegistration } from './types.js';

/** SSO settings of {@link startSimulator}; see `SsoServerOptions` for each. */
export type SimulatorSsoOptions = Pick<
  SsoServerOptions,
  'issuer' | 'accessTokenTtlSeconds' | 'authorizationCodeTtlSeconds' | 'rotatedKeyGraceSeconds'
>;

/** Limits the simulator enforces; overridable so tests can reach them quickly. */
export interface LimitOptions {
  /** Errors (4xx/5xx) allowed per window before every request gets 420. @default 100 */
  readonly errorLimit?: number;
  /** Length of the fixed error-limit window. @default 60 */
  readonly errorWindowSeconds?: number;
  /** Per rate-limit group (`char-wallet`, …): replaces the spec's `max-tokens` / window. */
  readonly groups?: Readonly<Record<string, GroupLimitOverride>>;
}

/** Options of {@link startSimulator}. */
export interface SimulatorOptions {
  /**
   * One ESI spec: a file path or the parsed document. Shorthand for `specs: [spec]`; give one
   * of `spec` and `specs`, not both.
   * @default see `specs`
   */
  readonly spec?: string | object;
  /**
   * The spec versions to serve, each a file path or a parsed document with its compatibility
   * date in `info.version` (one spec per date, any order). A request gets the routes,
   * parameters and response shapes of the newest version whose date is on or before its
   * `X-Compatibility-Date`; without one, the oldest version; a date before the oldest → `400`.
   * @example specs: ['openapi-2025-12-16.json', 'openapi.json']
   * @default the file `findSpecFile()` of `@esikit/spec` finds (`ESI_SPEC_FILE` or
   * `.cache/esi/openapi.json`) plus every `openapi-YYYY-MM-DD.json` in the same directory
   */
  readonly specs?: readonly (string | object)[];
  /**
   * The oldest `X-Compatibility-Date` accepted, as ESI's minimum threshold: earlier dates get
   * `400`. Dates from it up to the oldest loaded spec are answered by the oldest loaded spec.
   * Must not be later than the oldest loaded spec's date.
   * @default the earliest `x-compatibility-date` of any route in the loaded specs (`2020-01-01`
   * in CCP's specs)
   */
  readonly oldestCompatibilityDate?: string;
  /** Interface both servers listen on. @default '127.0.0.1' */
  readonly host?: string;
  /** ESI port; 0 picks a free one. @default 0 */
  readonly esiPort?: number;
  /** SSO port; 0 picks a free one. @default 0 */
  readonly ssoPort?: number;
  /** Seed of every generated name, id and body. @default 1 */
  readonly seed?: number;
  /** The clock cache windows, tokens and limits follow. @default new SimulatorClock() */
  readonly clock?: SimulatorClock;
  /** `X-Pages` of page routes: one number for all, or per operationId (others get 3). @default 3 */
  readonly pages?: number | Readonly<Record<string, number>>;
  /**
   * Chance (0–1) that a cached resource's data changes when its cache window rolls over: one
   * number for all, or per operationId (others get the default). Real ESI data mostly stays the
   * same between windows, so a revalidation after `Expires` often gets a 304; `1` gives new data
   * every window, `0` never. Cursor and `from_id` streams move with the clock regardless.
   * @default 0.1
   */
  readonly dataChangeRate?: number | Readonly<Record<string, number>>;
  /** Delay (ms) added to every ESI response. @default 0 */
  readonly latencyMs?: number;
  /** Injected failures; change them later with `sim.setFaults()`. @default no faults */
  readonly faults?: FaultConfig;
  /**
   * SSO applications. @default one confidential client (`esikit-simulator` / `esikit-simulator-secret`)
   * and one public PKCE client (`esikit-simulator-public`)
   */
  readonly clients?: readonly SsoClientRegistration[];
  readonly limits?: LimitOptions;
  /**
   * SSO settings: `issuer` (`'self'`, the default: metadata and tokens name the SSO's own URL;
   * or an origin such as `'https://login.eveonline.com'`), `accessTokenTtlSeconds` (1200),
   * `authorizationCodeTtlSeconds` (300), `rotatedKeyGraceSeconds` (3600).
   * @default {}
   */
  readonly sso?: SimulatorSsoOptions;
  /** Audit entries kept before the oldest are dropped. @default 100000 */
  readonly auditLimit?: number;
  /** Aborting it cancels start-up (the promise rejects with the reason) or closes the simulator. */
  readonly signal?: AbortSignal;
}

/** The client registered by default: confidential, any redirect URI. */
export const DEFAULT_CLIENT: SsoClientRegistration = {
  clientId: 'esikit-simulator',
  clientSecret: 'esikit-simulator-secret',
};
/** The public (PKCE) client registered by default. */
export const DEFAULT_PUBLIC_CLIENT: SsoClientRegistration = { clientId: 'esikit-simulator-public' };

export const DEFAULT_PAGES = 3;
export const DEFAULT_DATA_CHANGE_RATE = 0.1;

export interface NormalizedOptions {
  /** Undefined: the default list (found at start-up). */
  readonly specs: readonly (string | object)[] | undefined;
  /** The option the specs came from, for messages. */
  readonly specsOption: 'spec' | 'specs';
  readonly oldestCompatibilityDate: string | undefined;
  readonly host: string;
  readonly esiPort: number;
  readonly ssoPort: number;
  readonly seed: number;
  readonly clock: SimulatorClock;
  readonly pages: number | Readonly<Record<string, number>>;
  readonly dataChangeRate: number | Readonly<Record<string, number>>;
  readonly latencyMs: number;
  readonly faults: FaultConfig;
  readonly clients: readonly SsoClientRegistration[];
  readonly errorLimit: number;
  readonly errorWindowSeconds: number;
  readonly groups: Readonly<Record<string, GroupLimitOverride>>;
  readonly auditLimit: number;
  readonly sso: SimulatorSsoOptions;
  readonly signal: AbortSignal | undefined;
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  return typeof value;
}

function fail(option: string, expected: string, got: unknown): never {
  throw new SimulatorError(
    'ESIKIT_SIMULATOR_OPTION',
    `startSimulator: option "${option}" must be ${expected}, got ${show(got)}`,
  );
}

function int(
  option: string,
  value: unknown,
  fallback: number,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    fail(option, `an integer from ${min} to ${max}`, value);
  }
  return value;
}

export function checkPages(
  value: unknown,
  option = 'pages',
): number | Readonly<Record<string, number>> {
  if (typeof value === 'number') return int(option, value, DEFAULT_PAGES, 1, 10_000);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail(option, 'a number of pages or { [operationId]: pages }', value);
  }
  for (const [id, n] of Object.entries(value)) int(`${option}.${id}`, n, DEFAULT_PAGES, 1, 10_000);
  return value as Record<string, number>;
}

function rate(option: string, value: unknown): number {
  if (typeof value !== 'number' || !(value >= 0 && value <= 1))
    fail(option, 'a number from 0 to 1', value);
  return value;
}

function checkChangeRate(value: unknown): number | Readonly<Record<string, number>> {
  if (value === undefined) return DEFAULT_DATA_CHANGE_RATE;
  if (typeof value === 'number') return rate('dataChangeRate', value);
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    fail('dataChangeRate', 'a number from 0 to 1 or { [operationId]: rate }', value);
  for (const [id, r] of Object.entries(value)) rate(`dataChangeRate.${id}`, r);
  return value as Record<string, number>;
}

/** Validates {@link SimulatorOptions} once; each message names the option and the value. */
export function normalizeOptions(options: SimulatorOptions = {}): NormalizedOptions {
  if (typeof options !== 'object' || options === null) fail('options', 'an object', options);
  const { spec, specs } = options;
  const isSource = (s: unknown): boolean =>
    (typeof s === 'string' && s !== '') ||
    (typeof s === 'object' && s !== null && !Array.isArray(s));
  if (spec !== undefined && !isSource(spec)) {
    fail('spec', 'a file path or a parsed OpenAPI document', spec);
  }
  if (specs !== undefined) {
    if (spec !== undefined) fail('specs', 'absent when "spec" is given (use one of them)', specs);
    if (!Array.isArray(specs) || specs.length === 0)
      fail('specs', 'a non-empty array of file paths or parsed OpenAPI documents', specs);
    specs.forEach((s, i) => {
      if (!isSource(s)) fail(`specs[${i}]`, 'a file path or a parsed OpenAPI document', s);
    });
  }
  const oldest = options.oldestCompatibilityDate;
  if (
    oldest !== undefined &&
    (typeof oldest !== 'string' ||
      !/^\d{4}-\d{2}-\d{2}$/.test(oldest) ||
      Number.isNaN(Date.parse(`${oldest}T00:00:00Z`)) ||
      new Date(`${oldest}T00:00:00Z`).toISOString().slice(0, 10) !== oldest)
  ) {
    fail('oldestCompatibilityDate', 'a YYYY-MM-DD date', oldest);
  }
  const host = options.host ?? '127.0.0.1';
  if (typeof host !== 'string' || host === '') fail('host', 'a host name or address', host);
  const clock = options.clock ?? new SimulatorClock();
  if (!(clock instanceof SimulatorClock)) fail('clock', 'a SimulatorClock', clock);
  const latencyMs = options.latencyMs ?? 0;
  if (typeof latencyMs !== 'number' || !Number.isFinite(latencyMs) || latencyMs < 0) {
    fail('latencyMs', 'a finite number >= 0', latencyMs);
  }
  const faults = options.faults ?? {};
  if (typeof faults !== 'object' || faults === null) fail('faults', 'a FaultConfig object', faults);
  try {
    validateFaults(faults);
  } catch (e) {
    throw new SimulatorError(
      'ESIKIT_SIMULATOR_OPTION',
      `startSimulator: option ${(e as Error).message}`,
      {
        cause: e,
      },
    );
  }
  const clients = options.clients ?? [DEFAULT_CLIENT, DEFAULT_PUBLIC_CLIENT];
  if (!Array.isArray(clients) || clients.length === 0)
    fail('clients', 'a non-empty array of SsoClientRegistration', clients);
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
    fail('signal', 'an AbortSignal', options.signal);
  }
  const sso = options.sso ?? {};
  if (typeof sso !== 'object' || sso === null || Array.isArray(sso)) fail('sso', 'an object', sso);
  const limits = options.limits ?? {};
  if (typeof limits !== 'object' || limits === null) fail('limits', 'an object', limits);
  const groups = limits.groups ?? {};
  for (const [group, o] of Object.entries(groups)) {
    if (typeof o !== 'object' || o === null) fail(`limits.groups.${group}`, 'an object', o);
    int(`limits.groups.${group}.maxTokens`, o.maxTokens, 1, 1);
    int(`limits.groups.${group}.windowMs`, o.windowMs, 1, 1);
  }
  return {
    specs: spec !== undefined ? [spec] : specs,
    specsOption: spec !== undefined ? 'spec' : 'specs',
    oldestCompatibilityDate: oldest,
    host,
    esiPort: int('esiPort', options.esiPort, 0, 0, 65_535),
    ssoPort: int('ssoPort', options.ssoPort, 0, 0, 65_535),
    seed: int('seed', options.seed, 1, 0),
    clock,
    pages: checkPages(options.pages ?? DEFAULT_PAGES),
    dataChangeRate: checkChangeRate(options.dataChangeRate),
    latencyMs,
    faults,
    clients,
    errorLimit: int('limits.errorLimit', limits.errorLimit, 100, 1),
    errorWindowSeconds: int('limits.errorWindowSeconds', limits.errorWindowSeconds, 60, 1),
    groups,
    auditLimit: int('auditLimit', options.auditLimit, 100_000, 10),
    sso,
    signal: options.signal,
  };
}
