import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from './cache.js';
import { startFakeEsi, unreachableUrl } from '../test/fake-esi.js';
import { OLD_SPEC_FILE, SPEC_FILE } from '../test/spec-files.js';
import { tempWorkspace } from '../test/workspace.js';
import type { TempWorkspace } from '../test/workspace.js';

const BIN = fileURLToPath(new URL('../bin/esikit-codegen.js', import.meta.url));
let spec: Buffer;
let ws: TempWorkspace | undefined;

beforeAll(async () => {
  spec = await readFile(SPEC_FILE);
});
afterEach(async () => {
  await ws?.remove();
  ws = undefined;
});

function run(args: string[], env: Record<string, string>, cwd: string) {
  const { ESI_SPEC_FILE: _file, ESI_BASE_URL: _base, ...inherited } = process.env;
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...inherited, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('esikit-codegen CLI', () => {
  it('generates from ESI_SPEC_FILE into --out', async () => {
    ws = await tempWorkspace('2026-08-04', spec);
    const result = await run(
      ['generate', '--out', 'out', '--root', ws.root, '--lock', ws.lockFile],
      { ESI_SPEC_FILE: SPEC_FILE },
      ws.root,
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /225 operations from ESI spec 2026-08-04 \(file: .*\) → out \(4 of 4 files changed\)/,
    );
    const operations = await readFile(join(ws.root, 'out', 'operations.ts'), 'utf8');
    expect(operations).toContain(`export const SPEC_SHA256 = '${sha256Hex(spec)}';`);
  });

  it('with --if-stale, regenerates only when stale', async () => {
    ws = await tempWorkspace('2026-08-04', spec);
    const args = [
      'generate',
      '--out',
      'out',
      '--root',
      ws.root,
      '--lock',
      ws.lockFile,
      '--if-stale',
    ];
    const first = await run(args, { ESI_SPEC_FILE: SPEC_FILE }, ws.root);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/\(4 of 4 files changed\)/);
    const second = await run(args, { ESI_SPEC_FILE: SPEC_FILE }, ws.root);
    expect(second).toMatchObject({ code: 0, stdout: 'esikit-codegen: out is up to date\n' });
  });

  it('with --soft, warns and exits 0 when there is no spec, writing nothing', async () => {
    ws = await tempWorkspace('2026-08-04', spec);
    const result = await run(
      ['generate', '--out', 'out', '--root', ws.root, '--lock', ws.lockFile, '--soft'],
      { ESI_BASE_URL: await unreachableUrl() },
      ws.root,
    );
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/^esikit-codegen: warning: out was not generated: No ESI spec/);
    expect(result.stderr).toMatch(/Set ESI_SPEC_FILE/);
    await expect(readFile(join(ws.root, 'out', 'index.ts'))).rejects.toThrow();
  });

  it('exits non-zero with one line telling to set ESI_SPEC_FILE when there is no spec at all', async () => {
    ws = await tempWorkspace('2026-08-04', spec);
    const result = await run(
      ['generate', '--out', 'out', '--root', ws.root, '--lock', ws.lockFile],
      { ESI_BASE_URL: await unreachableUrl() },
      ws.root,
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^esikit-codegen: No ESI spec: .* Set ESI_SPEC_FILE to a local copy/);
  });

  it('fetch downloads the locked spec and the extra dates into .cache/esi, one line each', async () => {
    const oldSpec = await readFile(OLD_SPEC_FILE);
    ws = await tempWorkspace('2026-08-04', spec, [{ date: '2025-12-16', bytes: oldSpec }]);
    const esi = await startFakeEsi();
    try {
      esi.specs.set('2026-08-04', spec);
      esi.specs.set('2025-12-16', oldSpec);
      const result = await run(
        ['fetch', '--root', ws.root, '--lock', ws.lockFile],
        { ESI_BASE_URL: esi.url },
        ws.root,
      );
      expect(result).toMatchObject({ code: 0, stderr: '' });
      expect(result.stdout.trimEnd().split('\n')).toEqual([
        `esikit-codegen: ESI spec 2026-08-04 (downloaded) at ${join(ws.root, '.cache', 'esi', 'openapi.json')}`,
        `esikit-codegen: ESI spec 2025-12-16 (downloaded) at ${join(ws.root, '.cache', 'esi', 'openapi-2025-12-16.json')}`,
      ]);
    } finally {
      await esi.close();
    }
  });

  it('rejects a bad command line with usage and exit code 2', async () => {
    ws = await tempWorkspace('2026-08-04', spec);
    const missingOut = await run(['generate', '--lock', ws.lockFile], {}, ws.root);
    expect(missingOut.code).toBe(2);
    expect(missingOut.stderr).toBe('esikit-codegen: generate needs --out <dir>\n');
    const unknown = await run(['frobnicate'], {}, ws.root);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command "frobnicate"[\s\S]*Usage: esikit-codegen/);
  });
});
