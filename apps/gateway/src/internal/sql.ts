// The gateway's own tables (sessions, characters needing a new login) on the database of
// @esikit/mikro-orm. They are made with `CREATE TABLE IF NOT EXISTS` at start, through the
// MikroORM connection, not as entities with migrations: that ORM is opened by the package with
// its own entity list and migration set, which an app cannot extend without changing the
// package. Plain SQL keeps the gateway's two small tables its own and idempotent on every start.
import type { EsikitDatabase } from '@esikit/mikro-orm';

/**
 * The gateway's own tables could not be read or written (the database is down). A 503; the
 * message is fixed because the driver's would quote the statement and its parameters.
 */
export class GatewayStoreError extends Error {
  override readonly name = 'GatewayStoreError';
  readonly code = 'ESIKIT_GATEWAY_STORE_FAILED';
  readonly statusCode = 503;
  constructor(cause: unknown) {
    super('gateway store failed: the database is unavailable', { cause });
  }
}

/** One statement on the database's MikroORM connection (a fork: no shared identity map). */
export async function execute<T = unknown>(
  db: EsikitDatabase,
  sql: string,
  params: unknown[] = [],
): Promise<T> {
  try {
    return (await db.orm.em.fork().getConnection().execute(sql, params)) as T;
  } catch (error) {
    throw new GatewayStoreError(error);
  }
}

/** Runs `;`-separated DDL statements (each idempotent). */
export async function ensureTables(db: EsikitDatabase, ddl: string): Promise<void> {
  for (const statement of ddl.split(';')) if (statement.trim()) await execute(db, statement);
}
