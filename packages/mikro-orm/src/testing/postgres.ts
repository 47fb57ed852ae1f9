// Test support: a PostgreSQL database per test file (created, then dropped), and the rule for a
// missing server — fail under CI, skip loudly elsewhere. Not exported.
import { randomBytes } from 'node:crypto';
import { MikroORM, PostgreSqlDriver } from '@mikro-orm/postgresql';
import { describe, it } from 'vitest';

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

/**
 * `describe` for suites that need PostgreSQL: under CI a missing server is a failing test (the
 * suite must not vanish silently); elsewhere the suite is skipped with a warning naming why.
 */
export function describePostgres(title: string, problem: string | undefined, fn: () => void): void {
  if (problem === undefined) {
    describe(title, fn);
  } else if (process.env.CI) {
    describe(title, () => {
      it('needs PostgreSQL in CI', () => {
        throw new Error(
          `PostgreSQL is not reachable at ${redact(PG_ADMIN_URL)} (${problem}); CI is set, so "${title}" must run`,
        );
      });
    });
  } else {
    // eslint-disable-next-line no-console -- the point is to be seen in the test output
    console.warn(
      `WARNING: "${title}" SKIPPED — PostgreSQL is not reachable at ${redact(PG_ADMIN_URL)} (${problem}).`,
    );
    describe(`${title} — SKIPPED: PostgreSQL is not reachable at ${redact(PG_ADMIN_URL)} (${problem})`, () => {
      it.skip(`start PostgreSQL at ${redact(PG_ADMIN_URL)} to run it`, () => {});
    });
  }
}

function redact(url: string): string {
  const u = new URL(url);
  u.password = u.password === '' ? '' : '***';
  return u.toString();
}

/** Empties every esikit table (between contract tests sharing one database). */
export async function truncateEsikitTables(orm: MikroORM): Promise<void> {
  await orm.em
    .getConnection()
    .execute(
      'truncate esikit_token, esikit_callback_redirect, esikit_refresh_lease restart identity',
    );
}
