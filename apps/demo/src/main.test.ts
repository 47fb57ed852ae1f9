import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

describe('demo', () => {
  it('runs end to end against the simulator with zero citizenship violations', () => {
    const main = fileURLToPath(new URL('./main.ts', import.meta.url));
    const run = spawnSync(
      process.execPath,
      ['--conditions=@esikit/source', '--import', 'tsx', main],
      {
        encoding: 'utf8',
        timeout: 60_000,
        // CI passes ESI_SPEC_FILE; elsewhere use the copy beside the repository.
        env: {
          ...process.env,
          ESI_SPEC_FILE:
            process.env.ESI_SPEC_FILE ??
            fileURLToPath(new URL('../../../../shared/esi/openapi.json', import.meta.url)),
        },
      },
    );
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/players\s+\d+/);
    expect(run.stdout).toMatch(/second call from cache\s+true/);
    expect(run.stdout).toMatch(/pages\s+[1-9]\d*/);
    expect(run.stdout).toMatch(/logged in as\s+.+ \(\d+\)/);
    expect(run.stdout).toMatch(/wallet balance \(ISK\)\s+-?\d/);
    expect(run.stdout).toMatch(
      /violations\s+\{"cacheWindow":0,"afterErrorLimit":0,"duringRetryAfter":0,"missingUserAgent":0\}/,
    );
  });
});
