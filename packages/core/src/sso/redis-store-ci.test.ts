import { fileURLToPath } from 'node:url';
import { runVitestFile } from '@esikit/config/run-vitest';
import { describe, expect, it } from 'vitest';

const packageDir = fileURLToPath(new URL('../../', import.meta.url));

/** Runs redis-store.test.ts in its own vitest against a Redis that is not there. */
function runWithoutRedis(ci: boolean): Promise<{ code: number | null; output: string }> {
  // Port 1 on loopback: nothing listens, the connection is refused at once.
  return runVitestFile(packageDir, 'src/sso/redis-store.test.ts', {
    env: { ESIKIT_TEST_REDIS_URL: 'redis://127.0.0.1:1' },
    ci,
  });
}

describe('regression: the Redis suite without Redis', () => {
  it('fails (not skips) when CI is set, naming the connection error', async () => {
    const { code, output } = await runWithoutRedis(true);
    expect(code).not.toBe(0);
    expect(output).toMatch(/needs Redis in CI/);
    expect(output).toMatch(/Redis is not reachable at redis:\/\/127\.0\.0\.1:1 \(.*ECONNREFUSED/);
  }, 60_000);

  it('skips with a visible warning naming the connection error on a developer machine', async () => {
    const { code, output } = await runWithoutRedis(false);
    expect(code).toBe(0);
    expect(output).toMatch(
      /WARNING: RedisTokenStore tests SKIPPED — Redis is not reachable at redis:\/\/127\.0\.0\.1:1 \(.*ECONNREFUSED/,
    );
  }, 60_000);
});
