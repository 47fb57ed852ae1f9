// The committed lock: which compatibility date the workspace builds against and the sha256 of
// that spec, so builds are reproducible without committing CCP's document.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { CodegenError } from './errors.js';
import { writeFileAtomic } from './fs.js';

/** One compatibility date's spec: the date and the sha256 (hex) of its document. */
export interface LockedSpec {
  readonly compatibilityDate: string;
  readonly sha256: string;
}

/** Contents of `esi-spec.lock.json`. */
export interface SpecLock {
  /** The `X-Compatibility-Date` the workspace is built against, `YYYY-MM-DD`. */
  readonly compatibilityDate: string;
  /** sha256 (hex) of the spec document for that date. */
  readonly sha256: string;
  /** Where the spec is downloaded from. */
  readonly url: string;
  /**
   * More dates downloaded beside the locked spec as `.cache/esi/openapi-<date>.json`, never
   * generated from: the simulator loads every such file next to the main one, and its
   * compatibility-date tests need a second date. Empty when the file has no `extraSpecs`.
   */
  readonly extraSpecs: readonly LockedSpec[];
}

/** The lock committed next to this package. */
export const DEFAULT_LOCK_FILE = fileURLToPath(new URL('../esi-spec.lock.json', import.meta.url));

/** Where the spec lives on ESI. */
export const DEFAULT_SPEC_URL = 'https://esi.evetech.net/meta/openapi.json';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const SHA256 = /^[0-9a-f]{64}$/;

/** Whether `value` is a `YYYY-MM-DD` string naming a real calendar day. */
export function isIsoDate(value: unknown): value is string {
  if (typeof value !== 'string' || !DATE.test(value)) return false;
  const time = Date.parse(`${value}T00:00:00Z`);
  return !Number.isNaN(time) && new Date(time).toISOString().startsWith(value);
}

/**
 * Reads and validates a lock file.
 *
 * @throws {CodegenError} `ESIKIT_CODEGEN_BAD_LOCK` naming the file and the field that is wrong.
 */
export async function readLock(file: string): Promise<SpecLock> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (cause) {
    throw new CodegenError(
      'ESIKIT_CODEGEN_BAD_LOCK',
      `Cannot read the ESI spec lock ${file}: ${(cause as Error).message}`,
      { cause },
    );
  }
  const bad = (what: string) =>
    new CodegenError('ESIKIT_CODEGEN_BAD_LOCK', `ESI spec lock ${file}: ${what}`);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw bad('expected a JSON object');
  }
  const { compatibilityDate, sha256, url, extraSpecs } = raw as Record<string, unknown>;
  if (!isIsoDate(compatibilityDate)) {
    throw bad(
      `compatibilityDate must be a YYYY-MM-DD date, got ${JSON.stringify(compatibilityDate)}`,
    );
  }
  if (typeof sha256 !== 'string' || !SHA256.test(sha256)) {
    throw bad(`sha256 must be 64 lower-case hex digits, got ${JSON.stringify(sha256)}`);
  }
  if (typeof url !== 'string' || !URL.canParse(url)) {
    throw bad(`url must be an absolute URL, got ${JSON.stringify(url)}`);
  }
  if (extraSpecs !== undefined && !Array.isArray(extraSpecs)) {
    throw bad(
      `extraSpecs must be a list of { compatibilityDate, sha256 }, got ${JSON.stringify(extraSpecs)}`,
    );
  }
  const extras: LockedSpec[] = [];
  for (const [i, entry] of ((extraSpecs ?? []) as unknown[]).entries()) {
    const { compatibilityDate: date, sha256: hash } = (entry ?? {}) as Record<string, unknown>;
    if (!isIsoDate(date)) {
      throw bad(
        `extraSpecs[${i}].compatibilityDate must be a YYYY-MM-DD date, got ${JSON.stringify(date)}`,
      );
    }
    if (date === compatibilityDate || extras.some((e) => e.compatibilityDate === date)) {
      throw bad(`extraSpecs[${i}].compatibilityDate ${date} is already locked`);
    }
    if (typeof hash !== 'string' || !SHA256.test(hash)) {
      throw bad(
        `extraSpecs[${i}].sha256 must be 64 lower-case hex digits, got ${JSON.stringify(hash)}`,
      );
    }
    extras.push({ compatibilityDate: date, sha256: hash });
  }
  return { compatibilityDate, sha256, url, extraSpecs: extras };
}

/** Writes a lock atomically, keys in a fixed order so diffs stay one line per change. */
export async function writeLock(file: string, lock: SpecLock): Promise<void> {
  const text = JSON.stringify(
    {
      compatibilityDate: lock.compatibilityDate,
      sha256: lock.sha256,
      url: lock.url,
      ...(lock.extraSpecs.length > 0
        ? {
            extraSpecs: lock.extraSpecs.map((e) => ({
              compatibilityDate: e.compatibilityDate,
              sha256: e.sha256,
            })),
          }
        : {}),
    },
    null,
    2,
  );
  await writeFileAtomic(file, `${text}\n`);
}
