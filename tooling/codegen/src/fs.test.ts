import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeFileAtomic } from './fs.js';

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('writeFileAtomic', () => {
  it('creates directories, writes, and skips identical content', async () => {
    dir = await mkdtemp(join(tmpdir(), 'esikit-fs-'));
    const file = join(dir, 'a', 'b.txt');
    expect(await writeFileAtomic(file, 'one')).toBe(true);
    expect(await writeFileAtomic(file, 'one')).toBe(false);
    expect(await writeFileAtomic(file, Buffer.from('two'))).toBe(true);
    expect(await readFile(file, 'utf8')).toBe('two');
    expect(await readdir(join(dir, 'a'))).toEqual(['b.txt']);
  });

  it('leaves no temp file behind when the final rename fails', async () => {
    dir = await mkdtemp(join(tmpdir(), 'esikit-fs-'));
    const target = join(dir, 'target');
    await mkdir(target);
    await writeFile(join(target, 'keep'), 'x');
    await expect(writeFileAtomic(target, 'data')).rejects.toThrow();
    expect(await readdir(dir)).toEqual(['target']);
  });
});
