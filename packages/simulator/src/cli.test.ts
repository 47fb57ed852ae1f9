import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { oldSpecFile, SPEC_FILE, UA } from '../test/helpers.js';

const CLI = fileURLToPath(new URL('./cli.ts', import.meta.url));

function run(args: string[]): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, ['--conditions=@esikit/source', '--import', 'tsx', CLI, ...args], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
  });
}

function collect(child: ChildProcessWithoutNullStreams): {
  out: () => string;
  exit: Promise<number | null>;
} {
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { out: () => out, exit };
}

describe('esikit-simulator CLI', () => {
  it('starts, prints the URLs, clients and a token, serves ESI, and stops on SIGTERM', async () => {
    const child = run([
      ...['--spec', SPEC_FILE, '--spec', oldSpecFile()],
      ...['--esi-port', '0', '--sso-port', '0', '--seed', '3'],
    ]);
    const { out, exit } = collect(child);
    try {
      const started = Date.now();
      while (!out().includes('Ctrl-C stops.')) {
        if (Date.now() - started > 20_000) throw new Error(`CLI did not start:\n${out()}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      const esi = /^ESI: (http:\/\/\S+)$/m.exec(out())![1]!;
      expect(out()).toMatch(/^SSO: http:\/\/127\.0\.0\.1:\d+/m);
      expect(out()).toContain('esikit-simulator  secret: esikit-simulator-secret');
      expect(out()).toContain('esikit-simulator-public  (public, PKCE)');
      const token = /access token: {2}(\S+)/.exec(out())![1]!;
      const pilot = /^ {2}(\d+) {2}/m.exec(out().split('Characters:')[1]!)![1]!;
      const res = await request(`${esi}/characters/${pilot}/wallet`, {
        headers: { 'user-agent': UA, authorization: `Bearer ${token}` },
      });
      expect(res.statusCode).toBe(200);
      await res.body.text();
      // Both dates are served: a route only the older spec has answers without a date.
      expect(out()).toContain('spec 2025-12-16: 208 operations; spec 2026-08-04: 225 operations');
      const old = await request(`${esi}/sovereignty/map`, { headers: { 'user-agent': UA } });
      expect(old.statusCode).toBe(200);
      await old.body.text();
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exit).toBe(0);
  });

  it('runs through the bin from any directory', async () => {
    const bin = fileURLToPath(new URL('../bin/esikit-simulator.js', import.meta.url));
    const child = spawn(process.execPath, [bin, '--help'], { cwd: tmpdir() });
    const { out, exit } = collect(child);
    expect(await exit).toBe(0);
    expect(out()).toContain('Usage: esikit-simulator');
  });

  it('prints help, and rejects bad options with exit code 2', async () => {
    const help = collect(run(['--help']));
    expect(await help.exit).toBe(0);
    expect(help.out()).toContain('Usage: esikit-simulator');
    const bad = collect(run(['--esi-port', 'eighty']));
    expect(await bad.exit).toBe(2);
    expect(bad.out()).toContain('--esi-port must be a non-negative integer, got "eighty"');
  });
});
