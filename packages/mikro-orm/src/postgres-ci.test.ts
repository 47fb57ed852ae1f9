import { fileURLToPath } from 'node:url';
import { runVitestFile } from '@esikit/config/run-vitest';
import { describe, expect, it } from 'vitest';

const packageDir = fileURLToPath(new URL('../', import.meta.url));

/** Runs store-postgres.test.ts in its own vitest against a PostgreSQL that is not there. */
function runWithoutPostgres(ci: boolean): Promise<{ code: number | null; output: string }> {
  // Port 1 on loopback: nothing listens, the connection is refused at once.
  return runVitestFile(packageDir, 'src/store-postgres.test.ts', {
    env: { ESIKIT_TEST_PG_URL: 'postgresql://postgres@127.0.0.1:1/postgres' },
    ci,
  });
}

describe('the PostgreSQL suites without PostgreSQL', () => {
  it('fail (not skip) when CI is set, naming the connection error', async () => {
    const { code, output } = await runWithoutPostgres(true);
    expect(code).not.toBe(0);
    expect(output).toMatch(/needs PostgreSQL in CI/);
    expect(output).toMatch(
      /PostgreSQL is not reachable at postgresql:\/\/postgres@127\.0\.0\.1:1\/postgres \(.*ECONNREFUSED/,
    );
  }, 60_000);

  it('skip with a visible warning naming the connection error on a developer machine', async () => {
    const { code, output } = await runWithoutPostgres(false);
    expect(code).toBe(0);
    expect(output).toMatch(
      /WARNING: "MikroOrmTokenStore on PostgreSQL" SKIPPED — PostgreSQL is not reachable at postgresql:\/\/postgres@127\.0\.0\.1:1\/postgres \(.*ECONNREFUSED/,
    );
  }, 60_000);
});
