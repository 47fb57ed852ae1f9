// A throwaway workspace root with its own lock, so tests never touch the real lock or cache.
import { readFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256Hex } from '../src/cache.js';

/** A temp workspace: `root`, its `lockFile`, and a log/print capture. */
export interface TempWorkspace {
  readonly root: string;
  readonly lockFile: string;
  readonly logs: string[];
  readonly printed: string[];
  readonly log: (line: string) => void;
  readonly print: (text: string) => void;
  readLock(): Promise<{
    compatibilityDate: string;
    sha256: string;
    url: string;
    extraSpecs?: { compatibilityDate: string; sha256: string }[];
  }>;
  remove(): Promise<void>;
}

/**
 * Creates a workspace whose lock pins `date` to the sha256 of `specBytes`, and each of `extras`
 * (the lock's `extraSpecs`) to the sha256 of its bytes.
 */
export async function tempWorkspace(
  date: string,
  specBytes: Buffer,
  extras: readonly { date: string; bytes: Buffer }[] = [],
): Promise<TempWorkspace> {
  const root = await mkdtemp(join(tmpdir(), 'esikit-ws-'));
  const lockFile = join(root, 'esi-spec.lock.json');
  const lock = {
    compatibilityDate: date,
    sha256: sha256Hex(specBytes),
    url: 'https://esi.evetech.net/meta/openapi.json',
    ...(extras.length > 0
      ? {
          extraSpecs: extras.map((e) => ({
            compatibilityDate: e.date,
            sha256: sha256Hex(e.bytes),
          })),
        }
      : {}),
  };
  await writeFile(lockFile, `${JSON.stringify(lock, null, 2)}\n`);
  const logs: string[] = [];
  const printed: string[] = [];
  return {
    root,
    lockFile,
    logs,
    printed,
    log: (line) => logs.push(line),
    print: (text) => printed.push(text),
    readLock: async () => JSON.parse(await readFile(lockFile, 'utf8')) as never,
    remove: () => rm(root, { recursive: true, force: true }),
  };
}
