// The gateway's configuration: read from the environment once at start and validated there, so
// a bad deployment fails with every problem listed instead of one at a time at run time.
import { randomBytes } from 'node:crypto';
import { isAbsolute } from 'node:path';

/**
 * Default scopes asked at login: what the page and the examples use.
 *
 * @example
 * loadConfig({ ESIKIT_SCOPES: [...DEFAULT_SCOPES, 'esi-mail.read_mail.v1'].join(' ') });
 */
export const DEFAULT_SCOPES: readonly string[] = [
  'publicData',
  'esi-wallet.read_character_wallet.v1',
  'esi-skills.read_skills.v1',
  'esi-location.read_location.v1',
];

/**
 * The EVE application the gateway logs users in with.
 *
 * @example
 * const eve: EveAppConfig | undefined = loadConfig(process.env).eve; // undefined: simulated
 */
export interface EveAppConfig {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly callbackUrl: string;
  /** Contact e-mail for ESI's User-Agent (CCP asks for one). */
  readonly contactEmail: string;
}

/**
 * Validated configuration. Build it with {@link loadConfig}.
 *
 * @example
 * const config: GatewayConfig = { ...loadConfig(process.env), port: 0 };
 */
export interface GatewayConfig {
  /** Interface to listen on. @default '127.0.0.1' */
  readonly host: string;
  /** Port; 0 picks a free one. @default 8080 */
  readonly port: number;
  /**
   * The site's public origin (scheme, host, port): Origin checks, `returnUrl` checks and the
   * cookie's `Secure` flag follow it. @default the callback URL's origin, else http://host:port
   */
  readonly publicUrl: string | undefined;
  /** `undefined` → the simulator runs in-process ("SIMULATED ESI"). */
  readonly eve: EveAppConfig | undefined;
  /** Signs the session cookie. Required with a real EVE application; random per process otherwise. */
  readonly sessionSecret: string;
  /** PostgreSQL URL; `undefined` → embedded PGlite in `dataDir`. */
  readonly databaseUrl: string | undefined;
  /** Embedded database directory, or `':memory:'`. @default '.esikit/db' */
  readonly dataDir: string | undefined;
  /**
   * Where a new embedded database's template (its initdb, kept once) lives; `false` keeps none.
   * @default `@esikit/mikro-orm`'s: `$XDG_CACHE_HOME/esikit`, else `~/.cache/esikit`
   */
  readonly dbTemplateDir: string | false | undefined;
  /** `XDG_CACHE_HOME`, which `@esikit/mikro-orm` places the template under by default. */
  readonly cacheHome: string | undefined;
  /** Apply pending migrations at start (always true for the embedded database). @default false */
  readonly migrate: boolean;
  /** Scopes asked at login. @default DEFAULT_SCOPES */
  readonly scopes: readonly string[];
  /** Seconds between housekeeping runs; 0 turns the schedule off. @default 300 */
  readonly housekeepingIntervalS: number;
  /** pino level. @default 'info' */
  readonly logLevel: string;
  /**
   * Megabytes of memory for the gateway's shared cache of public tRPC answers (those the adapter
   * marks `Cache-Control: public`); 0 turns it off. @default 16
   */
  readonly answerCacheMb: number;
}

/**
 * Every problem found in the environment, one line each (`problems`); `code` is
 * `ESIKIT_GATEWAY_CONFIG`.
 *
 * @example
 * try { loadConfig(process.env); } catch (e) { if (e instanceof GatewayConfigError) console.error(e.problems.join('\n')); }
 */
export class GatewayConfigError extends Error {
  readonly code = 'ESIKIT_GATEWAY_CONFIG';
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`invalid gateway configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'GatewayConfigError';
    this.problems = problems;
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/**
 * Reads and validates the gateway's environment variables: `HOST`, `PORT`, `PUBLIC_URL`,
 * `EVE_CLIENT_ID`, `EVE_CLIENT_SECRET`, `EVE_CALLBACK_URL`, `ESIKIT_CONTACT_EMAIL`,
 * `SESSION_SECRET`, `DATABASE_URL`, `ESIKIT_DB_DIR`, `ESIKIT_DB_MIGRATE`, `ESIKIT_SCOPES`,
 * `ESIKIT_HOUSEKEEPING_INTERVAL_S`, `ESIKIT_ANSWER_CACHE_MB`, `LOG_LEVEL`. Secrets are never echoed in the messages.
 *
 * @example
 * const config = loadConfig(process.env); // throws GatewayConfigError listing every problem
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): GatewayConfig {
  const problems: string[] = [];
  const get = (name: string): string | undefined => {
    const v = env[name]?.trim();
    return v === '' ? undefined : v;
  };

  const host = get('HOST') ?? '127.0.0.1';
  const portText = get('PORT') ?? '8080';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535)
    problems.push(`PORT must be an integer from 0 to 65535, got "${portText}"`);

  const publicUrl = get('PUBLIC_URL');
  if (publicUrl !== undefined && !isHttpOrigin(publicUrl))
    problems.push(
      `PUBLIC_URL must be an http(s) origin such as https://esi.example.com, got "${publicUrl}"`,
    );

  const clientId = get('EVE_CLIENT_ID');
  const clientSecret = get('EVE_CLIENT_SECRET');
  const callbackUrl = get('EVE_CALLBACK_URL');
  const contactEmail = get('ESIKIT_CONTACT_EMAIL');
  let eve: EveAppConfig | undefined;
  const given = [clientId, clientSecret, callbackUrl].filter((v) => v !== undefined).length;
  if (given > 0) {
    if (clientId === undefined)
      problems.push('EVE_CLIENT_ID is missing (EVE_CLIENT_SECRET or EVE_CALLBACK_URL is set)');
    if (clientSecret === undefined)
      problems.push('EVE_CLIENT_SECRET is missing (EVE_CLIENT_ID or EVE_CALLBACK_URL is set)');
    if (callbackUrl === undefined)
      problems.push('EVE_CALLBACK_URL is missing (EVE_CLIENT_ID or EVE_CLIENT_SECRET is set)');
    else if (!isHttpUrl(callbackUrl) || new URL(callbackUrl).pathname !== '/sso/callback')
      problems.push(
        `EVE_CALLBACK_URL must be an http(s) URL ending in /sso/callback, got "${callbackUrl}"`,
      );
    if (contactEmail === undefined)
      problems.push(
        'ESIKIT_CONTACT_EMAIL is missing: ESI needs a contact e-mail in the User-Agent',
      );
    else if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(contactEmail))
      problems.push(`ESIKIT_CONTACT_EMAIL must be an e-mail address, got "${contactEmail}"`);
    if (clientId && clientSecret && callbackUrl && contactEmail)
      eve = { clientId, clientSecret, callbackUrl, contactEmail };
  }

  let sessionSecret = get('SESSION_SECRET');
  if (sessionSecret !== undefined && sessionSecret.length < 32)
    problems.push(`SESSION_SECRET must be at least 32 characters, got ${sessionSecret.length}`);
  if (sessionSecret === undefined) {
    if (given > 0)
      problems.push(
        'SESSION_SECRET is missing: a real EVE application needs a stable cookie secret',
      );
    // Simulated: sessions only live as long as the process anyway.
    sessionSecret = randomBytes(32).toString('base64url');
  }

  const databaseUrl = get('DATABASE_URL');
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl))
    problems.push('DATABASE_URL must be a postgresql:// URL');
  const dataDir = get('ESIKIT_DB_DIR');
  if (dataDir !== undefined && databaseUrl !== undefined)
    problems.push('ESIKIT_DB_DIR and DATABASE_URL are both set: give one of them');

  const templateText = get('ESIKIT_DB_TEMPLATE_DIR');
  let dbTemplateDir: string | false | undefined;
  if (templateText === 'off') dbTemplateDir = false;
  else if (templateText !== undefined) {
    if (!isAbsolute(templateText))
      problems.push(
        `ESIKIT_DB_TEMPLATE_DIR must be an absolute directory path or off, got "${templateText}"`,
      );
    if (databaseUrl !== undefined)
      problems.push(
        'ESIKIT_DB_TEMPLATE_DIR is for the embedded database, and DATABASE_URL is set: give one of them',
      );
    dbTemplateDir = templateText;
  }

  const migrate = flag('ESIKIT_DB_MIGRATE', get('ESIKIT_DB_MIGRATE'), problems);

  const scopesText = get('ESIKIT_SCOPES');
  const scopes =
    scopesText === undefined ? DEFAULT_SCOPES : scopesText.split(/[\s,]+/).filter(Boolean);
  for (const s of scopes)
    if (!/^(publicData|esi-[a-z_]+\.[a-z_]+\.v\d+)$/.test(s))
      problems.push(
        `ESIKIT_SCOPES: "${s}" is not an EVE SSO scope (e.g. esi-skills.read_skills.v1)`,
      );

  const intervalText = get('ESIKIT_HOUSEKEEPING_INTERVAL_S') ?? '300';
  const housekeepingIntervalS = Number(intervalText);
  if (!/^\d+$/.test(intervalText))
    problems.push(
      `ESIKIT_HOUSEKEEPING_INTERVAL_S must be a whole number of seconds, got "${intervalText}"`,
    );

  const cacheText = get('ESIKIT_ANSWER_CACHE_MB') ?? '16';
  const answerCacheMb = Number(cacheText);
  if (!/^\d+$/.test(cacheText) || answerCacheMb > 4096)
    problems.push(
      `ESIKIT_ANSWER_CACHE_MB must be a whole number of megabytes from 0 to 4096, got "${cacheText}"`,
    );

  const logLevel = get('LOG_LEVEL') ?? 'info';
  if (!LOG_LEVELS.includes(logLevel))
    problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);

  if (problems.length > 0) throw new GatewayConfigError(problems);
  return {
    host,
    port,
    publicUrl: publicUrl ?? (eve ? new URL(eve.callbackUrl).origin : undefined),
    eve,
    sessionSecret,
    databaseUrl,
    dataDir,
    dbTemplateDir,
    cacheHome: get('XDG_CACHE_HOME'),
    migrate,
    scopes,
    housekeepingIntervalS,
    logLevel,
    answerCacheMb,
  };
}

function flag(name: string, value: string | undefined, problems: string[]): boolean {
  if (value === undefined) return false;
  if (['1', 'true', 'yes'].includes(value)) return true;
  if (['0', 'false', 'no'].includes(value)) return false;
  problems.push(`${name} must be 1 or 0, got "${value}"`);
  return false;
}

function isHttpUrl(text: string): boolean {
  try {
    const u = new URL(text);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

function isHttpOrigin(text: string): boolean {
  return isHttpUrl(text) && new URL(text).origin === text.replace(/\/$/, '');
}
