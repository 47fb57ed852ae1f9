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

// pg_advisory_xact_lock key of the gateway's own tables ('esikitgw' in ASCII): two gateways
// starting together on one database would otherwise race on CREATE TABLE IF NOT EXISTS, which
// PostgreSQL does not make atomic (the loser fails on pg_type's unique index).
const TABLES_LOCK = 0x65_73_69_6b_69_74_67_77n;

/** Runs `;`-separated DDL statements (each idempotent) in one transaction, one process at a time. */
export async function ensureTables(db: EsikitDatabase, ddl: string): Promise<void> {
  try {
    await db.orm.em.fork().transactional(async (em) => {
      const connection = em.getConnection();
      await connection.execute(
        'select pg_advisory_xact_lock(?)',
        [TABLES_LOCK.toString()],
        'all',
        em.getTransactionContext(),
      );
      for (const statement of ddl.split(';'))
        if (statement.trim())
          await connection.execute(statement, [], 'run', em.getTransactionContext());
    });
  } catch (error) {
    throw new GatewayStoreError(error);
  }
}
