import { EsikitDatabaseError } from '../errors.js';
import { esikitMigrations } from '../migrations/index.js';
import type { Execute } from './cas.js';

/** Table MikroORM records this package's applied migrations in (apart from an app's own). */
export const MIGRATIONS_TABLE = 'esikit_migrations';

/** How to bring a database up to date, for error messages. */
export const MIGRATE_HINT =
  'run `npx esikit-mikro-orm migrate --url <DATABASE_URL>` (or call migrateEsikitDatabase, or open it with openEsikitDatabase({ migrate: true }))';

/**
 * Throws a clear error if the database lacks a migration this version needs, or has one it
 * does not know (migrated by a newer version). Cheap: one small query.
 */
export async function assertMigrated(execute: Execute): Promise<void> {
  let applied: Set<string>;
  try {
    const rows = await execute(`select name from ${MIGRATIONS_TABLE}`, []);
    applied = new Set(rows.map((r) => String(r.name)));
  } catch (error) {
    // 42P01 undefined_table: never migrated at all.
    if (sqlState(error) !== '42P01') throw error;
    applied = new Set();
  }
  const known = new Set(esikitMigrations.map((m) => m.name));
  const missing = [...known].filter((name) => !applied.has(name));
  if (missing.length > 0)
    throw new EsikitDatabaseError(
      'ESIKIT_DB_NOT_MIGRATED',
      applied.size === 0
        ? `the database has no esikit tables yet (migration table ${MIGRATIONS_TABLE} is empty or missing): ${MIGRATE_HINT}`
        : `the database is out of date: ${missing.length} esikit migration(s) not applied (${missing.join(', ')}): ${MIGRATE_HINT}`,
    );
  const unknown = [...applied].filter((name) => !known.has(name));
  if (unknown.length > 0)
    throw new EsikitDatabaseError(
      'ESIKIT_DB_TOO_NEW',
      `the database was migrated by a newer @esikit/mikro-orm (unknown migrations: ${unknown.join(', ')}); upgrade this app's @esikit/mikro-orm`,
    );
}

/** SQLSTATE of a PostgreSQL error, wherever MikroORM or knex put it. */
export function sqlState(error: unknown): string | undefined {
  for (let e = error; e !== null && typeof e === 'object'; e = (e as { cause?: unknown }).cause) {
    const o = e as { sqlState?: unknown; code?: unknown };
    if (typeof o.sqlState === 'string' && /^[0-9A-Z]{5}$/.test(o.sqlState)) return o.sqlState;
    if (typeof o.code === 'string' && /^[0-9A-Z]{5}$/.test(o.code)) return o.code;
    if ((e as { cause?: unknown }).cause === e) break;
  }
  return undefined;
}

/**
 * A secret-free reason for a database failure. MikroORM and knex put the SQL with its bound
 * values (access and refresh tokens) into their messages, so those are never repeated; only
 * the SQLSTATE or the system error (code and address) is.
 */
export function describeDbError(error: unknown): string {
  const state = sqlState(error);
  if (state !== undefined) return `PostgreSQL error ${state}${SQLSTATE_NAMES[state] ?? ''}`;
  for (let e = error; e !== null && typeof e === 'object'; e = (e as { cause?: unknown }).cause) {
    const o = e as { code?: unknown; syscall?: unknown; address?: unknown; port?: unknown };
    if (typeof o.code === 'string' && /^E[A-Z]+$/.test(o.code)) {
      const where =
        typeof o.address === 'string'
          ? ` ${o.address}${typeof o.port === 'number' ? `:${o.port}` : ''}`
          : '';
      return `${typeof o.syscall === 'string' ? o.syscall + ' ' : ''}${o.code}${where}`;
    }
    if ((e as { cause?: unknown }).cause === e) break;
  }
  if (error instanceof Error && /timeout|timed out/i.test(error.message))
    return 'timed out waiting for a database connection';
  if (error instanceof Error && /Connection terminated/i.test(error.message))
    return 'the connection was closed by the server';
  return error instanceof Error ? `${error.name}` : 'unknown failure';
}

const SQLSTATE_NAMES: Record<string, string> = {
  '42P01': ' (undefined table: is the database migrated?)',
  '3D000': ' (the database does not exist)',
  '57P01': ' (the server is shutting down)',
  '53300': ' (too many connections)',
  '08006': ' (connection failure)',
  '28P01': ' (password authentication failed)',
  '28000': ' (authorization rejected)',
};
