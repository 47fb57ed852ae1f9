import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { Migrator } from '@mikro-orm/migrations';
import { MikroORM, PostgreSqlDriver, type Options } from '@mikro-orm/postgresql';
import { esikitEntities } from './entities.js';
import { EsikitDatabaseError, redactUrl } from './errors.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './internal/embedded.js';
import { assertMigrated, describeDbError, MIGRATIONS_TABLE } from './internal/schema.js';
import { esikitMigrations } from './migrations/index.js';
import { MikroOrmTokenStore } from './store.js';

/**
 * Options of {@link openEsikitDatabase}.
 *
 * @example
 * const options: EsikitDatabaseOptions = { dataDir: '/var/lib/my-app/esikit' };
 */
export interface EsikitDatabaseOptions {
  /**
   * PostgreSQL URL (`postgresql://user:pass@host:5432/db`). Use a database of its own: schema
   * diffs on a shared database can propose dropping what belongs to others.
   * @default process.env.DATABASE_URL, else the embedded database
   */
  url?: string;
  /**
   * Where the embedded database (PGlite) keeps its files, when no URL is given; `':memory:'`
   * keeps nothing (tests). One process per directory: a second opener gets `ESIKIT_DB_LOCKED`.
   * @default '.esikit/db' in the current working directory
   */
  dataDir?: string;
  /**
   * Apply pending esikit migrations at open. Otherwise a database that lacks them fails with
   * `ESIKIT_DB_NOT_MIGRATED`, naming the command to run.
   * @default true for the embedded database, false for a URL
   */
  migrate?: boolean;
  /**
   * Connections in the pool (PostgreSQL only; the embedded database has one backend, so one).
   * @default 10
   */
  poolSize?: number;
  /**
   * How long to wait for a connection to PostgreSQL before failing.
   * @default 5000
   */
  connectTimeoutMs?: number;
  /**
   * Where a new embedded database's starting point is kept. A new database (in memory, or a
   * `dataDir` without one) is PGlite's `initdb`, about 5 s; the first one is saved there
   * (≈ 4.5 MB per PGlite version) and every later one starts as a copy, about 1.5 s. Used only
   * when the directory is the user's and no one else can write to it. `false` keeps none.
   * @default `$XDG_CACHE_HOME/esikit`, else `~/.cache/esikit`
   */
  templateDir?: string | false;
  /** Environment to read `DATABASE_URL` (and `XDG_CACHE_HOME`) from. @default process.env */
  env?: Readonly<Record<string, string | undefined>>;
  /** Cancels opening (the embedded start-up, the connection). */
  signal?: AbortSignal;
}

/**
 * An open esikit database: the MikroORM, the token store on it, and `close()`.
 *
 * @example
 * const db: EsikitDatabase = await openEsikitDatabase();
 * if (db.kind === 'embedded') console.log(`tokens kept in ${db.dataDir ?? 'memory'}`);
 */
export interface EsikitDatabase {
  /** `'postgresql'` for a URL, `'embedded'` for PGlite. */
  readonly kind: 'postgresql' | 'embedded';
  /** The embedded data directory (`undefined` for PostgreSQL or in memory). */
  readonly dataDir: string | undefined;
  /** The MikroORM instance (its `em` is the global context: fork it per request or job). */
  readonly orm: MikroORM;
  /** Core's `TokenStore` on this database. */
  readonly store: MikroOrmTokenStore;
  /** Closes the connections, and for the embedded database its socket, worker and lockfile. */
  close(): Promise<void>;
}

const DEFAULT_DATA_DIR = '.esikit/db';

/**
 * Opens the esikit database: real PostgreSQL when a URL is given (`url` or `DATABASE_URL`), an
 * embedded PostgreSQL (PGlite, in a worker thread, on a private unix socket) otherwise — the
 * same SQL and migrations in both. Checks (or applies) the migrations before returning.
 *
 * @example
 * const db = await openEsikitDatabase(); // DATABASE_URL, or ./.esikit/db embedded
 * const tokens = new TokenManager({ sso, store: db.store });
 * process.once('SIGTERM', () => void db.close());
 */
export async function openEsikitDatabase(
  options: EsikitDatabaseOptions = {},
): Promise<EsikitDatabase> {
  const o = validate(options);
  o.signal?.throwIfAborted();
  let embedded: EmbeddedPostgres | undefined;
  if (o.url === undefined)
    embedded = await startEmbeddedPostgres(o.dataDir, o.signal, o.templateDir);
  let orm: MikroORM | undefined;
  try {
    orm = await initOrm(
      o.url === undefined
        ? { host: embedded!.socketDir, port: embedded!.port, user: 'postgres', dbName: 'postgres' }
        : { clientUrl: o.url },
      embedded === undefined ? o.poolSize : 1,
      o.connectTimeoutMs,
    );
    const where =
      o.url === undefined
        ? `the embedded database (${o.dataDir ?? 'in memory'})`
        : redactUrl(o.url);
    const check = await orm.checkConnection();
    if (!check.ok)
      throw new EsikitDatabaseError(
        'ESIKIT_DB_UNAVAILABLE',
        `cannot connect to ${where}: ${describeDbError(check.error)}`,
      );
    o.signal?.throwIfAborted();
    const execute = (sql: string) =>
      orm!.em.getConnection().execute<Record<string, unknown>[]>(sql, [], 'all');
    try {
      await assertMigrated(execute);
    } catch (error) {
      // The check is one small query; the migrator (which the check spares an up-to-date
      // database) runs only when something is missing.
      if (
        !o.migrate ||
        !(error instanceof EsikitDatabaseError) ||
        error.code !== 'ESIKIT_DB_NOT_MIGRATED'
      )
        throw error;
      if (o.url === undefined) await runMigrations(orm);
      else await migrateUrl(o.url, o.connectTimeoutMs);
      await assertMigrated(execute);
    }
    const store = new MikroOrmTokenStore({ em: orm.em, checkMigrations: false });
    let closing: Promise<void> | undefined;
    const opened = orm;
    return {
      kind: embedded === undefined ? 'postgresql' : 'embedded',
      dataDir: o.dataDir,
      orm: opened,
      store,
      close: () =>
        (closing ??= (async () => {
          await opened.close(true);
          await embedded?.close();
        })()),
    };
  } catch (error) {
    await orm?.close(true).catch(() => undefined);
    await embedded?.close();
    throw error;
  }
}

/**
 * Options of {@link migrateEsikitDatabase}.
 *
 * @example
 * const options: MigrateOptions = { url: process.env.DATABASE_URL, signal: AbortSignal.timeout(60_000) };
 */
export interface MigrateOptions {
  /** PostgreSQL URL of the database to migrate. @default process.env.DATABASE_URL */
  url?: string;
  /** Environment to read `DATABASE_URL` from. @default process.env */
  env?: Readonly<Record<string, string | undefined>>;
  /** Cancels before the migrations start (a running migration is one transaction). */
  signal?: AbortSignal;
}

/**
 * Applies pending esikit migrations to a PostgreSQL database, in one transaction; returns the
 * names applied. What `npx esikit-mikro-orm migrate` runs. (The embedded database migrates
 * itself at open.)
 *
 * @example
 * const applied = await migrateEsikitDatabase({ url: process.env.DATABASE_URL });
 */
export async function migrateEsikitDatabase(options: MigrateOptions = {}): Promise<string[]> {
  if (options === null || typeof options !== 'object')
    throw optionError(
      `migrateEsikitDatabase options must be an object, got ${options === null ? 'null' : typeof options}`,
    );
  const url = options.url ?? (options.env ?? process.env).DATABASE_URL;
  if (url === undefined || url === '')
    throw optionError(
      'url is required (or set DATABASE_URL): which PostgreSQL database to migrate',
    );
  checkUrl(url);
  options.signal?.throwIfAborted();
  return migrateUrl(url, 5000, options.signal);
}

// pg_advisory_lock key of esikit's migrations ('esikit' in ASCII): every process that migrates
// a database takes it first, so two gateways starting together on an empty database take turns
// instead of both creating the same tables.
const MIGRATION_LOCK = 0x65_73_69_6b_69_74;

/**
 * Applies pending migrations to a PostgreSQL database under the migration lock, on an ORM of
 * its own: one connection holds the session lock while the migrator works on the other.
 */
async function migrateUrl(
  url: string,
  connectTimeoutMs: number,
  signal?: AbortSignal,
): Promise<string[]> {
  const orm = await initOrm({ clientUrl: url }, 2, connectTimeoutMs);
  try {
    const check = await orm.checkConnection();
    if (!check.ok)
      throw new EsikitDatabaseError(
        'ESIKIT_DB_UNAVAILABLE',
        `cannot connect to ${redactUrl(url)}: ${describeDbError(check.error)}`,
      );
    signal?.throwIfAborted();
    const knex = orm.em.getConnection().getKnex();
    const client = knex.client as {
      acquireConnection(): Promise<unknown>;
      releaseConnection(connection: unknown): Promise<void>;
    };
    const connection = await client.acquireConnection();
    try {
      await knex.raw('select pg_advisory_lock(?)', [MIGRATION_LOCK]).connection(connection);
      try {
        // Whoever held the lock before may have applied everything: up() then does nothing.
        return await runMigrations(orm);
      } finally {
        await knex
          .raw('select pg_advisory_unlock(?)', [MIGRATION_LOCK])
          .connection(connection)
          .catch(() => undefined);
      }
    } finally {
      await client.releaseConnection(connection);
    }
  } finally {
    await orm.close(true);
  }
}

async function runMigrations(orm: MikroORM): Promise<string[]> {
  const applied = await orm.getMigrator().up();
  return applied.map((m) => m.name);
}

function initOrm(
  connection: Pick<Options, 'clientUrl' | 'host' | 'port' | 'user' | 'dbName'>,
  poolSize: number,
  connectTimeoutMs: number,
): Promise<MikroORM> {
  return MikroORM.init({
    driver: PostgreSqlDriver,
    ...connection,
    entities: [...esikitEntities],
    extensions: [Migrator],
    migrations: {
      tableName: MIGRATIONS_TABLE,
      migrationsList: [...esikitMigrations],
      // Generated migrations must be TypeScript: the JS emitter writes CommonJS.
      emit: 'ts',
      snapshot: false,
      silent: true,
      transactional: true,
      allOrNothing: true,
      path: 'src/migrations',
    },
    pool: { min: 0, max: poolSize },
    driverOptions: {
      connection: { connectionTimeoutMillis: connectTimeoutMs },
      acquireConnectionTimeout: Math.max(connectTimeoutMs, 10_000),
      // knex warns on the console when a pooled connection drops; the next query reports it
      // as a typed error instead.
      log: { warn: noop, error: noop, deprecate: noop, debug: noop },
    },
    // Connect lazily: the caller checks the connection and reports it as a typed error.
    connect: false,
    debug: false,
    allowGlobalContext: false,
    discovery: { warnWhenNoEntities: false },
  });
}

interface Normalized {
  url: string | undefined;
  dataDir: string | undefined;
  templateDir: string | undefined;
  migrate: boolean;
  poolSize: number;
  connectTimeoutMs: number;
  signal: AbortSignal | undefined;
}

function validate(options: EsikitDatabaseOptions): Normalized {
  if (options === null || typeof options !== 'object')
    throw optionError(
      `openEsikitDatabase options must be an object, got ${options === null ? 'null' : typeof options}`,
    );
  const env = options.env ?? process.env;
  if (options.url !== undefined && options.dataDir !== undefined)
    throw optionError(
      'give url (PostgreSQL) or dataDir (embedded), not both: they open different databases',
    );
  if (options.url !== undefined) checkUrl(options.url);
  if (
    options.dataDir !== undefined &&
    (typeof options.dataDir !== 'string' || options.dataDir === '')
  )
    throw optionError(
      `dataDir must be a directory path or ':memory:', got ${describeValue(options.dataDir)}`,
    );
  if (
    options.templateDir !== undefined &&
    options.templateDir !== false &&
    (typeof options.templateDir !== 'string' || options.templateDir === '')
  )
    throw optionError(
      `templateDir must be a directory path or false, got ${describeValue(options.templateDir)}`,
    );
  if (options.migrate !== undefined && typeof options.migrate !== 'boolean')
    throw optionError(`migrate must be a boolean, got ${describeValue(options.migrate)}`);
  const poolSize = options.poolSize ?? 10;
  if (!Number.isInteger(poolSize) || poolSize < 1 || poolSize > 1000)
    throw optionError(`poolSize must be an integer from 1 to 1000, got ${describeValue(poolSize)}`);
  const connectTimeoutMs = options.connectTimeoutMs ?? 5000;
  if (!Number.isFinite(connectTimeoutMs) || connectTimeoutMs <= 0)
    throw optionError(
      `connectTimeoutMs must be a positive number of milliseconds, got ${describeValue(connectTimeoutMs)}`,
    );
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal))
    throw optionError(`signal must be an AbortSignal, got ${describeValue(options.signal)}`);
  // DATABASE_URL applies only when no dataDir asks for the embedded database explicitly.
  const envUrl = options.dataDir === undefined ? env.DATABASE_URL : undefined;
  const url = options.url ?? (envUrl === '' ? undefined : envUrl);
  if (url !== undefined && options.url === undefined) checkUrl(url, 'DATABASE_URL');
  const dataDir =
    url !== undefined
      ? undefined
      : options.dataDir === ':memory:'
        ? undefined
        : resolve(options.dataDir ?? DEFAULT_DATA_DIR);
  const templateDir =
    url !== undefined || options.templateDir === false
      ? undefined
      : options.templateDir !== undefined
        ? resolve(options.templateDir)
        : defaultTemplateDir(env);
  return {
    url,
    dataDir,
    templateDir,
    migrate: options.migrate ?? url === undefined,
    poolSize,
    connectTimeoutMs,
    signal: options.signal,
  };
}

/** `$XDG_CACHE_HOME/esikit` (an absolute one, as XDG says), else `~/.cache/esikit`; none without a home. */
function defaultTemplateDir(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const xdg = env.XDG_CACHE_HOME;
  if (xdg && isAbsolute(xdg)) return join(xdg, 'esikit');
  try {
    return join(homedir(), '.cache', 'esikit');
  } catch {
    return undefined;
  }
}

function checkUrl(url: unknown, name = 'url'): void {
  let ok = false;
  if (typeof url === 'string') {
    try {
      ok = /^postgres(ql)?:$/.test(new URL(url).protocol);
    } catch {
      ok = false;
    }
  }
  if (!ok)
    throw optionError(
      `${name} must be a postgresql:// URL, got ${typeof url === 'string' ? (URL.canParse(url) ? redactUrl(url) : `a string of ${url.length} characters that is not a URL`) : describeValue(url)}`,
    );
}

function describeValue(value: unknown): string {
  if (typeof value === 'string')
    return JSON.stringify(value.length > 60 ? value.slice(0, 60) + '…' : value);
  if (value === null || typeof value !== 'object') return String(value);
  return Array.isArray(value)
    ? `an array of ${value.length}`
    : `an object (${value.constructor?.name ?? 'Object'})`;
}

function optionError(message: string): EsikitDatabaseError {
  return new EsikitDatabaseError('ESIKIT_DB_INVALID_OPTION', message);
}

function noop(): void {}
