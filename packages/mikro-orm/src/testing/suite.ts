// Test support: the rule for suites that need PostgreSQL — fail under CI, skip loudly elsewhere.
// Not exported.
import { describe, it } from 'vitest';
import { PG_ADMIN_URL, redact } from './postgres.js';

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
