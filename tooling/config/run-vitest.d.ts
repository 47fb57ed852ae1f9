/**
 * Runs one test file of `packageDir` in a vitest of its own (verbose reporter, no colours), with
 * `env` added to a clean copy of this process's environment and `CI=true` only when `ci` is set.
 *
 * @example
 * const { code, output } = await runVitestFile(dir, 'src/redis.test.ts', { env: { ESIKIT_TEST_REDIS_URL: 'redis://127.0.0.1:1' }, ci: true });
 */
export function runVitestFile(
  packageDir: string,
  file: string,
  options?: { env?: Readonly<Record<string, string>>; ci?: boolean },
): Promise<{ code: number | null; output: string }>;
