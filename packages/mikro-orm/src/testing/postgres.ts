// Test and bench support: a PostgreSQL database of its own per test file or bench run (created,
// then dropped). Not exported.
import { randomBytes } from 'node:crypto';
import { MikroORM, PostgreSqlDriver } from '@mikro-orm/postgresql';

/** Where the tests find PostgreSQL: any database there (used to create and drop their own). */
export const PG_ADMIN_URL =
  process.env.ESIKIT_TEST_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

async function admin<T>(fn: (orm: MikroORM) => Promise<T>): Promise<T> {
  const orm = await MikroORM.init({
    driver: PostgreSqlDriver,
    clientUrl: PG_ADMIN_URL,
    entities: [],
    connect: false,
    pool: { min: 0, max: 1 },
    driverOptions: { connection: { connectionTimeoutMillis: 3000 } },
    discovery: { warnWhenNoEntities: false },
  });
  try {
    return await fn(orm);
  } finally {
    await orm.close(true);
  }
}

/** Why PostgreSQL cannot be used, or `undefined` when it can. */
export async function postgresProblem(): Promise<string | undefined> {
  try {
    return await admin(async (orm) => {
      const check = await orm.checkConnection();
      if (check.ok) return undefined;
      const cause = check.error as { code?: unknown; message?: unknown } | undefined;
      return `${typeof cause?.code === 'string' ? cause.code + ': ' : ''}${check.reason}`;
    });
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** A fresh, empty database for one test file; `drop` removes it (and its connections). */
export async function createTestDatabase(
  label: string,
): Promise<{ url: string; name: string; drop: () => Promise<void> }> {
  const name = `esikit_test_${label}_${randomBytes(4).toString('hex')}`;
  await admin((orm) => orm.em.getConnection().execute(`create database "${name}"`));
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () =>
      admin((orm) =>
        orm.em.getConnection().execute(`drop database if exists "${name}" with (force)`),
      ).then(() => undefined),
  };
}

/** Empties every esikit table (between contract tests sharing one database). */
export async function truncateEsikitTables(orm: MikroORM): Promise<void> {
  await orm.em
    .getConnection()
    .execute(
      'truncate esikit_token, esikit_callback_redirect, esikit_refresh_lease restart identity',
    );
}

/** The URL with its password masked, for messages. */
export function redact(url: string): string {
  const u = new URL(url);
  u.password = u.password === '' ? '' : '***';
  return u.toString();
}
