// generate --if-stale / ensureGenerated: regenerate only when the spec or the generator changed.
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureGenerated } from './ensure.js';
import { GENERATED_FILES, isFresh, readStamp, STAMP_FILE } from './freshness.js';
import { renderModules } from './generate.js';
import { OLD_SPEC_FILE, SPEC_FILE } from '../test/spec-files.js';
import { tempWorkspace, type TempWorkspace } from '../test/workspace.js';
import { sha256Hex } from './cache.js';

let spec: Buffer;
let ws: TempWorkspace | undefined;
beforeAll(async () => {
  spec = await readFile(SPEC_FILE);
});
afterEach(async () => {
  await ws?.remove();
  ws = undefined;
});

function options(w: TempWorkspace, specFile: string = SPEC_FILE) {
  return {
    outDir: join(w.root, 'out'),
    root: w.root,
    lockFile: w.lockFile,
    cwd: w.root,
    env: { ESI_SPEC_FILE: specFile },
    log: w.log,
  };
}

describe('ensureGenerated', () => {
  it('generates once, then finds the output fresh', async () => {
    ws = await tempWorkspace('2026-08-04', spec);
    const first = await ensureGenerated(options(ws));
    expect(first.kind).toBe('generated');
    expect(await readStamp(join(ws.root, 'out'))).toEqual({
      specSha256: sha256Hex(spec),
      generator: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect((await ensureGenerated(options(ws))).kind).toBe('fresh');
  });

  it('lists exactly the files generate writes', () => {
    expect([...renderModules(JSON.parse(spec.toString('utf8')), 'x').keys()].sort()).toEqual(
      [...GENERATED_FILES].sort(),
    );
  });

  it('regenerates when the spec changes, a file is missing, or the generator changed', async () => {
    ws = await tempWorkspace('2026-08-04', spec);
    const o = options(ws);
    await ensureGenerated(o);
    const other = options(ws, OLD_SPEC_FILE);
    expect(await isFresh(o.outDir, other)).toBe(false);
    expect((await ensureGenerated(other)).kind).toBe('generated');
    expect(await readFile(join(o.outDir, 'operations.ts'), 'utf8')).toContain('2025-12-16');

    await ensureGenerated(o);
    expect(await isFresh(o.outDir, o)).toBe(true);
    await rm(join(o.outDir, 'docs.ts'));
    expect(await isFresh(o.outDir, o)).toBe(false);
    await ensureGenerated(o);

    const stamp = JSON.parse(await readFile(join(o.outDir, STAMP_FILE), 'utf8')) as object;
    await writeFile(join(o.outDir, STAMP_FILE), JSON.stringify({ ...stamp, generator: 'older' }));
    expect(await isFresh(o.outDir, o)).toBe(false);
    expect((await ensureGenerated(o)).kind).toBe('generated');
  });

  it('without ESI_SPEC_FILE, compares with the lock when nothing is cached', async () => {
    ws = await tempWorkspace('2026-08-04', spec);
    const o = options(ws);
    await ensureGenerated(o);
    const { env: _env, ...noFile } = o;
    expect(await isFresh(o.outDir, { ...noFile, env: {} })).toBe(true);
    await writeFile(
      ws.lockFile,
      JSON.stringify({ ...(await ws.readLock()), sha256: 'f'.repeat(64) }),
    );
    expect(await isFresh(o.outDir, { ...noFile, env: {} })).toBe(false);
  });
});
