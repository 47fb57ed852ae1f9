import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { SpecError } from './errors.js';

/** Where the spec pipeline keeps the downloaded spec, relative to the workspace root. */
export const SPEC_CACHE_DIR = join('.cache', 'esi');
/** The file name of the current (locked) spec inside {@link SPEC_CACHE_DIR}. */
export const SPEC_CACHE_FILE = 'openapi.json';

/** What to tell a person who has no spec. */
export const NO_SPEC_HINT =
  'Set ESI_SPEC_FILE to a local copy of https://esi.evetech.net/meta/openapi.json, ' +
  'or run `pnpm codegen` with network access to download it.';

/**
 * Finds the spec file to use: `ESI_SPEC_FILE` when set (it must exist), otherwise the pipeline's
 * cache (`.cache/esi/openapi.json`) in `from` or the nearest directory above it.
 *
 * @returns an absolute path, or `undefined` when neither exists.
 * @throws {SpecError} `ESIKIT_SPEC_NOT_FOUND` when `ESI_SPEC_FILE` names a missing file.
 */
export function findSpecFile(
  from: string = process.cwd(),
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  const fromEnv = env.ESI_SPEC_FILE;
  if (fromEnv) {
    // A relative path may be meant from the workspace root (CI sets `../shared/esi/openapi.json`
    // there) while turbo runs each task inside its package directory.
    const root = workspaceRoot(from);
    const candidates = [resolve(from, fromEnv), ...(root ? [resolve(root, fromEnv)] : [])];
    const file = candidates.find((c) => existsSync(c));
    if (!file) {
      throw new SpecError(
        'ESIKIT_SPEC_NOT_FOUND',
        `ESI_SPEC_FILE=${fromEnv} does not exist (looked at ${candidates.join(' and ')})`,
      );
    }
    return file;
  }
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    const candidate = join(dir, SPEC_CACHE_DIR, SPEC_CACHE_FILE);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

/** The nearest directory at or above `from` holding `pnpm-workspace.yaml`. */
function workspaceRoot(from: string): string | undefined {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * Reads and parses a spec file.
 *
 * @throws {SpecError} naming the file when it is missing or not JSON.
 */
export async function readSpecFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new SpecError('ESIKIT_SPEC_NOT_FOUND', `Cannot read ESI spec ${file}`, { cause });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new SpecError('ESIKIT_SPEC_UNREADABLE', `ESI spec ${file} is not valid JSON`, { cause });
  }
}

/**
 * Reads the spec that {@link findSpecFile} finds.
 *
 * @throws {SpecError} `ESIKIT_SPEC_NOT_FOUND` with {@link NO_SPEC_HINT} when there is none.
 */
export async function loadSpec(from?: string): Promise<{ file: string; document: unknown }> {
  const file = findSpecFile(from);
  if (!file) throw new SpecError('ESIKIT_SPEC_NOT_FOUND', `No ESI spec found. ${NO_SPEC_HINT}`);
  return { file, document: await readSpecFile(file) };
}
