import { SimulatorClock } from '../clock.js';
import type { SimCharacter, SsoClientRegistration } from '../types.js';

/** Options of {@link SsoServer}. */
export interface SsoServerOptions {
  /** The simulator's clock; token `iat`/`exp`, code expiry and key grace periods follow it. */
  readonly clock: SimulatorClock;
  /**
   * Characters that can log in. The objects are shared, not copied: `transferCharacter` gives
   * the character a new `ownerHash` in place, so the rest of the simulator sees the sale too.
   */
  readonly characters: readonly SimCharacter[];
  /** Registered applications. A client without `clientSecret` is public and must use PKCE. */
  readonly clients: readonly SsoClientRegistration[];
  /**
   * The issuer identifier, published as `issuer` in `/.well-known/oauth-authorization-server`
   * AND carried as `iss` in every access token (in the client's `issuerForm`), consistent as on
   * EVE: `'self'` for the server's own base URL (what clients that discover from the server URL
   * and check `iss` against the discovered issuer need: openid-client, jose, esikit core), or an
   * origin such as `'https://login.eveonline.com'` (clients then discover from the well-known
   * URL itself, or configure the metadata statically, since the issuer is not the server's
   * URL). A trailing slash is dropped.
   * @default 'self'
   */
  readonly issuer?: string;
  /** Access token lifetime (`exp - iat`). @default 1200 */
  readonly accessTokenTtlSeconds?: number;
  /** Makes codes, refresh tokens, `jti`s, owner hashes and key ids repeatable. Keys stay random. */
  readonly seed?: number;
  /**
   * Scopes the authorize endpoint accepts, e.g. `OperationTable.scopes` from `@esikit/spec`;
   * the legacy `publicData` is always accepted, as on EVE.
   * @default any `publicData` or `esi-<group>.<name>.v<n>` scope
   */
  readonly scopes?: readonly string[];
  /** How long an authorization code can be exchanged. @default 300 */
  readonly authorizationCodeTtlSeconds?: number;
  /** How long a key retired by `rotateSigningKey` stays in the JWKS and verifies. @default 3600 */
  readonly rotatedKeyGraceSeconds?: number;
}

/** Options after validation, with defaults filled in. */
export interface NormalizedSsoOptions {
  readonly clock: SimulatorClock;
  readonly characters: readonly SimCharacter[];
  readonly clients: ReadonlyMap<string, SsoClientRegistration>;
  /** `'self'` or an issuer origin without a trailing slash (see SsoServerOptions.issuer). */
  readonly issuer: string;
  readonly accessTokenTtlSeconds: number;
  readonly seed: number | undefined;
  readonly scopes: ReadonlySet<string> | undefined;
  readonly authorizationCodeTtlSeconds: number;
  readonly rotatedKeyGraceSeconds: number;
}

/** EVE's scope names: `esi-skills.read_skills.v1`, plus the legacy `publicData`. */
export const ESI_SCOPE_PATTERN = /^(publicData|esi-[a-z0-9_]+\.[a-z0-9_]+\.v[0-9]+)$/;

const fail = (option: string, expected: string, got: unknown): never => {
  throw new TypeError(`SsoServer: option "${option}" must be ${expected}, got ${show(got)}`);
};

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return String(value);
  }
  return typeof value === 'object' ? 'an object' : typeof value;
}

function int(option: string, value: unknown, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    fail(option, `an integer >= ${min}`, value);
  }
  return value as number;
}

/** Validates {@link SsoServerOptions} once; every message names the option and the value. */
export function normalizeOptions(options: SsoServerOptions): NormalizedSsoOptions {
  if (typeof options !== 'object' || options === null) fail('options', 'an object', options);
  const { clock, characters, clients } = options;
  if (!(clock instanceof SimulatorClock)) fail('clock', 'a SimulatorClock', clock);
  if (!Array.isArray(characters)) fail('characters', 'an array of SimCharacter', characters);
  const seenCharacters = new Set<number>();
  characters.forEach((c: SimCharacter, i) => {
    const at = `characters[${i}]`;
    if (typeof c !== 'object' || c === null) fail(at, 'an object', c);
    if (!Number.isSafeInteger(c.id) || c.id <= 0) fail(`${at}.id`, 'a positive integer', c.id);
    if (seenCharacters.has(c.id)) fail(`${at}.id`, 'unique', c.id);
    seenCharacters.add(c.id);
    if (typeof c.name !== 'string' || c.name === '')
      fail(`${at}.name`, 'a non-empty string', c.name);
    if (typeof c.ownerHash !== 'string' || c.ownerHash === '') {
      fail(`${at}.ownerHash`, 'a non-empty string', c.ownerHash);
    }
  });

  if (!Array.isArray(clients)) fail('clients', 'an array of SsoClientRegistration', clients);
  const clientMap = new Map<string, SsoClientRegistration>();
  clients.forEach((c: SsoClientRegistration, i) => {
    const at = `clients[${i}]`;
    if (typeof c !== 'object' || c === null) fail(at, 'an object', c);
    if (typeof c.clientId !== 'string' || c.clientId === '') {
      fail(`${at}.clientId`, 'a non-empty string', c.clientId);
    }
    if (clientMap.has(c.clientId)) fail(`${at}.clientId`, 'unique', c.clientId);
    if (
      c.clientSecret !== undefined &&
      (typeof c.clientSecret !== 'string' || c.clientSecret === '')
    ) {
      // The secret itself never goes into a message.
      fail(`${at}.clientSecret`, 'a non-empty string or undefined', typeof c.clientSecret);
    }
    if (c.scopes !== undefined) {
      if (!Array.isArray(c.scopes)) fail(`${at}.scopes`, 'an array of scope names', c.scopes);
      c.scopes.forEach((s, j) => {
        if (typeof s !== 'string' || s === '' || /\s/.test(s))
          fail(`${at}.scopes[${j}]`, 'a scope name without spaces', s);
      });
    }
    if (c.issuerForm !== undefined && c.issuerForm !== 'url' && c.issuerForm !== 'host')
      fail(`${at}.issuerForm`, "'url' or 'host'", c.issuerForm);
    if (c.redirectUris !== undefined) {
      if (!Array.isArray(c.redirectUris))
        fail(`${at}.redirectUris`, 'an array of URLs', c.redirectUris);
      c.redirectUris.forEach((u, j) => {
        if (typeof u !== 'string' || !URL.canParse(u))
          fail(`${at}.redirectUris[${j}]`, 'an absolute URL', u);
      });
    }
    clientMap.set(c.clientId, c);
  });

  const issuerOption: unknown = options.issuer ?? 'self';
  if (
    issuerOption !== 'self' &&
    (typeof issuerOption !== 'string' || !/^https?:\/\/[^/?#]+\/?$/.test(issuerOption))
  )
    fail(
      'issuer',
      "'self' or an http(s) origin such as 'https://login.eveonline.com'",
      options.issuer,
    );
  // Metadata and tokens must spell it identically, and verifiers compare strings.
  const issuer = (issuerOption as string).replace(/\/$/, '');
  // expires_in is reported one second short of the lifetime, like EVE (1199 for 1200).
  const accessTokenTtlSeconds = int(
    'accessTokenTtlSeconds',
    options.accessTokenTtlSeconds,
    1200,
    2,
  );
  const authorizationCodeTtlSeconds = int(
    'authorizationCodeTtlSeconds',
    options.authorizationCodeTtlSeconds,
    300,
    1,
  );
  const rotatedKeyGraceSeconds = int(
    'rotatedKeyGraceSeconds',
    options.rotatedKeyGraceSeconds,
    3600,
    0,
  );
  if (options.seed !== undefined && !Number.isSafeInteger(options.seed)) {
    fail('seed', 'an integer', options.seed);
  }
  let scopes: Set<string> | undefined;
  if (options.scopes !== undefined) {
    if (!Array.isArray(options.scopes)) fail('scopes', 'an array of scope names', options.scopes);
    options.scopes.forEach((s, i) => {
      if (typeof s !== 'string' || s === '' || /\s/.test(s)) {
        fail(`scopes[${i}]`, 'a scope name without spaces', s);
      }
    });
    scopes = new Set(options.scopes);
  }
  return {
    clock,
    characters,
    clients: clientMap,
    issuer,
    accessTokenTtlSeconds,
    seed: options.seed,
    scopes,
    authorizationCodeTtlSeconds,
    rotatedKeyGraceSeconds,
  };
}
