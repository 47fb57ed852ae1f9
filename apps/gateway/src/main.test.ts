// The command line as `pnpm demo` and CI run it: the smoke tour end to end in a child process,
// and a bad configuration refused at start with every problem named.
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { specFile } from '../test/fixture.js';

const main = fileURLToPath(new URL('./main.ts', import.meta.url));
const run = (args: string[], env: Record<string, string | undefined>) =>
  spawnSync(process.execPath, ['--conditions=@esikit/source', '--import', 'tsx', main, ...args], {
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, DATABASE_URL: undefined, ESI_SPEC_FILE: specFile(), ...env },
  });

describe('main', () => {
  it('--smoke: logs in, calls tRPC and GraphQL, prints zero citizenship violations, exits 0', () => {
    const r = run(['--smoke'], {});
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('SIMULATED ESI');
    expect(r.stdout).toMatch(/page shows the character\s+\S+ \S+/);
    expect(r.stdout).toMatch(/wallet balance \(ISK\)\s+-?\d/);
    expect(r.stdout).toMatch(/corporation\s+.+ \[.+\]/);
    expect(r.stdout).toMatch(
      /violations\s+\{"cacheWindow":0,"afterErrorLimit":0,"duringRetryAfter":0,"missingUserAgent":0\}/,
    );
    expect(r.stdout).toMatch(/smoke tour: ok/);
  });

  it('refuses a bad configuration with one line per problem and exit code 2', () => {
    const r = run([], { EVE_CLIENT_ID: 'abc', PORT: 'eighty' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('invalid gateway configuration');
    expect(r.stderr).toContain('PORT must be an integer from 0 to 65535, got "eighty"');
    expect(r.stderr).toContain('EVE_CLIENT_SECRET is missing');
  });

  it('serves until SIGTERM, prints the URL and what to click, then shuts down cleanly', async () => {
    const child = spawn(
      process.execPath,
      ['--conditions=@esikit/source', '--import', 'tsx', main],
      {
        env: {
          ...process.env,
          DATABASE_URL: undefined,
          ESI_SPEC_FILE: specFile(),
          PORT: '0',
          ESIKIT_DB_DIR: ':memory:',
          LOG_LEVEL: 'warn',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const exited = new Promise<number | null>((resolve) =>
      child.once('exit', (code) => resolve(code)),
    );
    await expect
      .poll(() => /esikit gateway is up: (http:\/\/\S+)/.exec(stdout)?.[1], {
        timeout: 90_000,
        interval: 200,
      })
      .toBeTruthy();
    const url = /esikit gateway is up: (http:\/\/\S+)/.exec(stdout)![1]!;
    expect(stdout).toContain('Log in with EVE Online');
    expect(stdout).toContain('SIMULATED ESI');
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    // A browser with the page open holds a tRPC subscription (SSE) that never ends by itself.
    const sse = await fetch(`${url}/trpc/esi.live.status.getStatus`, {
      headers: { accept: 'text/event-stream' },
    });
    expect(sse.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = sse.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toMatch(/\w/);
    const sseDone = (async () => {
      try {
        while (!(await reader.read()).done);
      } catch {
        // cut by the server: fine
      }
    })();
    child.kill('SIGTERM');
    await sseDone;
    expect(await exited).toBe(0);
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });
});
