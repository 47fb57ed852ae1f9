// Runs one test file in a vitest of its own, with a clean environment: for tests of how a suite
// behaves without the service it needs (fails under CI, skips with a warning elsewhere).
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const vitestBin = join(
  dirname(createRequire(import.meta.url).resolve('vitest/package.json')),
  'vitest.mjs',
);

/** @type {import('./run-vitest.d.ts').runVitestFile} */
export function runVitestFile(packageDir, file, { env: extra = {}, ci = false } = {}) {
  const env = { ...process.env, ...extra, NO_COLOR: '1' };
  // The outer vitest's own variables would make the inner one think it is a worker.
  for (const name of ['FORCE_COLOR', 'CI', 'VITEST', 'VITEST_WORKER_ID', 'VITEST_POOL_ID'])
    delete env[name];
  if (ci) env.CI = 'true';
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [vitestBin, 'run', file, '--reporter=verbose'], {
      cwd: packageDir,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d.toString()));
    child.stderr.on('data', (d) => (output += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
  });
}
