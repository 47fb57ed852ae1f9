// Atomic file writes: readers never see a half-written spec, lock or generated module.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Writes `data` to `file` through a temporary file in the same directory and a rename, which is
 * atomic on every filesystem Node supports. Returns `false` (and writes nothing) when the file
 * already holds exactly `data`, so unchanged output keeps its mtime.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<boolean> {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data);
  try {
    if (bytes.equals(await readFile(file))) return false;
  } catch {
    // Missing or unreadable: write it.
  }
  await mkdir(dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(temp, bytes);
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  return true;
}
