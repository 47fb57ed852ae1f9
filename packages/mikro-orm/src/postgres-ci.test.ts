import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const packageDir = fileURLToPath(new URL('../', import.meta.url));
const vitestBin = join(
  dirname(createRequire(import.meta.url).resolve('vitest/package.json')),
  'vitest.mjs',
);

/** Runs store-postgres.test.ts in its own vitest against a PostgreSQL that is not there. */
function runWithoutPostgres(ci: boolean): Promise<{ code: number | null; output: string }> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    // Port 1 on loopback: nothing listens, the connection is refused at once.
    ESIKIT_TEST_PG_URL: 'postgresql://postgres@127.0.0.1:1/postgres',
    NO_COLOR: '1',
  };
  delete env.FORCE_COLOR;
  delete env.CI;
  delete env.VITEST;
  delete env.VITEST_WORKER_ID;
  delete env.VITEST_POOL_ID;
  if (ci) env.CI = 'true';
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [vitestBin, 'run', 'src/store-postgres.test.ts', '--reporter=verbose'],
      { cwd: packageDir, env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
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
