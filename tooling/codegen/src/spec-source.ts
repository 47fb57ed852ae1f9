// Finds the spec to generate from: ESI_SPEC_FILE, else a (conditional) download from ESI for the
// locked compatibility date, else the cache when ESI is unreachable, else one clear error.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { diffSpecDocuments, formatSpecDiff, NO_SPEC_HINT } from '@esikit/spec';
import { cachePaths, readCache, sha256Hex, writeCache } from './cache.js';
import type { CachedSpec } from './cache.js';
import { CodegenError } from './errors.js';
import { downloadSpec, parseSpecBytes, specUrl } from './download.js';
import type { Download } from './download.js';
import { cachedExtraSpecs, fetchExtraSpecs } from './extra-specs.js';
import type { ResolvedExtraSpec } from './extra-specs.js';
import { readLock, writeLock } from './lock.js';
import type { SpecLock } from './lock.js';
import { normalizePipeline } from './pipeline.js';
import type { Pipeline, PipelineOptions } from './pipeline.js';

/** Where a resolved spec came from. */
export type SpecSource =
  /** `ESI_SPEC_FILE`. */
  | 'file'
  /** Downloaded now (200). */
  | 'downloaded'
  /** ESI answered 304 to `If-None-Match`: the cache is current. */
  | 'not-modified'
  /** ESI was unreachable; the cache was used. */
  | 'cache';

/** The spec to generate from. */
export interface ResolvedSpec {
  readonly source: SpecSource;
  /** The file it was read from (the cache file for downloads). */
  readonly file: string;
  readonly document: unknown;
  /** sha256 of the document's bytes. */
  readonly sha256: string;
  /** The document's `info.version`. */
  readonly compatibilityDate: string;
  /**
   * The lock's `extraSpecs` now in `.cache/esi/` (`openapi-<date>.json`), those missing left
   * out. Always empty with `ESI_SPEC_FILE`: then nothing is downloaded.
   */
  readonly extraSpecs: readonly ResolvedExtraSpec[];
}

export { downloadSpec, parseSpecBytes, specUrl } from './download.js';
export type { Download } from './download.js';

/** The diff between two spec documents as printable text. */
export function describeSpecChange(before: unknown, after: unknown): string {
  return formatSpecDiff(diffSpecDocuments(before, after));
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function fromSpecFile(
  pipeline: Pipeline,
  lock: SpecLock,
  name: string,
): Promise<ResolvedSpec> {
  // CI passes a path relative to the repository root; people pass one relative to where they are.
  const candidates = [resolve(pipeline.cwd, name), resolve(pipeline.root, name)];
  const file = candidates.find((candidate) => existsSync(candidate));
  if (file === undefined) {
    throw new CodegenError(
      'ESIKIT_CODEGEN_NO_SPEC',
      `ESI_SPEC_FILE is ${JSON.stringify(name)}, but neither ${candidates.join(' nor ')} exists`,
    );
  }
  const bytes = await readFile(file);
  const { document, version } = parseSpecBytes(bytes, file);
  const sha256 = sha256Hex(bytes);
  if (version !== lock.compatibilityDate) {
    pipeline.log(
      `esikit-codegen: warning: ESI_SPEC_FILE ${file} is the spec for ${version}, but the lock says ${lock.compatibilityDate}`,
    );
  } else if (sha256 !== lock.sha256) {
    pipeline.log(
      `esikit-codegen: warning: ESI_SPEC_FILE ${file} has sha256 ${sha256}, but the lock says ${lock.sha256}`,
    );
  }
  return { source: 'file', file, document, sha256, compatibilityDate: version, extraSpecs: [] };
}

async function fromCache(
  pipeline: Pipeline,
  lock: SpecLock,
  cached: CachedSpec,
  source: SpecSource,
): Promise<Omit<ResolvedSpec, 'extraSpecs'>> {
  const { document, version } = parseSpecBytes(cached.bytes, cached.file);
  if (version !== lock.compatibilityDate || cached.sha256 !== lock.sha256) {
    pipeline.log(
      `esikit-codegen: warning: the cached spec (${version}, sha256 ${cached.sha256}) is not the locked one (${lock.compatibilityDate}, sha256 ${lock.sha256})`,
    );
  }
  return { source, file: cached.file, document, sha256: cached.sha256, compatibilityDate: version };
}

async function fromDownload(
  pipeline: Pipeline,
  lock: SpecLock,
  cached: CachedSpec | undefined,
  download: Extract<Download, { kind: 'downloaded' }>,
): Promise<Omit<ResolvedSpec, 'extraSpecs'>> {
  const sha256 = sha256Hex(download.bytes);
  if (download.version !== lock.compatibilityDate) {
    pipeline.log(
      `esikit-codegen: warning: ESI sent the spec for ${download.version} when asked for ${lock.compatibilityDate}; the lock is unchanged`,
    );
  } else if (sha256 !== lock.sha256) {
    // CCP changed the document without a new compatibility date: say what moved, then lock it.
    pipeline.log(
      `esikit-codegen: warning: ESI changed the spec for ${lock.compatibilityDate} without a new compatibility date (sha256 ${lock.sha256} → ${sha256})`,
    );
    // Only a cached copy of the same date is the "before" of this change.
    const before =
      cached !== undefined && cached.sha256 !== sha256
        ? parseSpecBytes(cached.bytes, cached.file)
        : undefined;
    if (before !== undefined && before.version === lock.compatibilityDate) {
      pipeline.print(describeSpecChange(before.document, download.document));
    } else {
      pipeline.log(
        'esikit-codegen: no copy of the previous spec is cached, so the change cannot be listed',
      );
    }
    await writeLock(pipeline.lockFile, { ...lock, sha256 });
    pipeline.log(`esikit-codegen: recorded sha256 ${sha256} in ${pipeline.lockFile}`);
  }
  const written = await writeCache(pipeline.root, download.bytes, {
    compatibilityDate: download.version,
    ...(download.etag !== undefined ? { etag: download.etag } : {}),
    url: specUrl(pipeline),
    downloadedAt: new Date().toISOString(),
  });
  return {
    source: 'downloaded',
    file: written.file,
    document: download.document,
    sha256,
    compatibilityDate: download.version,
  };
}

/**
 * Resolves the spec to generate from, in this order: `ESI_SPEC_FILE` (warns when it is not the
 * locked spec); a download for the locked date, conditional on the cached ETag, that refreshes
 * the cache; the cache when ESI cannot be reached (with a one-line notice). After a download
 * (or a 304) the lock's `extraSpecs` are fetched the same way beside it.
 *
 * @throws {CodegenError} `ESIKIT_CODEGEN_NO_SPEC` when there is no spec anywhere, saying to set
 * ESI_SPEC_FILE; `ESIKIT_CODEGEN_BAD_LOCK` when the lock is unreadable.
 * @example
 * const spec = await resolveSpec({ root, lockFile: DEFAULT_LOCK_FILE });
 */
export async function resolveSpec(options: PipelineOptions): Promise<ResolvedSpec> {
  const pipeline = normalizePipeline(options);
  const lock = await readLock(pipeline.lockFile);
  if (pipeline.specFile !== undefined) return fromSpecFile(pipeline, lock, pipeline.specFile);

  const cached = await readCache(pipeline.root);
  let download: Download;
  try {
    download = await downloadSpec(pipeline, lock.compatibilityDate, cached);
  } catch (error) {
    if (pipeline.signal?.aborted) throw pipeline.signal.reason;
    const reason = reasonOf(error);
    if (cached !== undefined) {
      pipeline.log(
        `esikit-codegen: ESI is unreachable (${reason}); using the cached spec ${cached.file}`,
      );
      // No more requests: a limited ESI must not be asked again, an unreachable one would time
      // out once more per date.
      const extraSpecs = await cachedExtraSpecs(pipeline, lock.extraSpecs);
      return { ...(await fromCache(pipeline, lock, cached, 'cache')), extraSpecs };
    }
    throw new CodegenError(
      'ESIKIT_CODEGEN_NO_SPEC',
      `No ESI spec: ${reason}, and nothing is cached in ${cachePaths(pipeline.root).dir}. ${NO_SPEC_HINT}`,
      { cause: error },
    );
  }
  let main: Omit<ResolvedSpec, 'extraSpecs'>;
  if (download.kind === 'not-modified') {
    if (cached === undefined) throw new Error('unreachable: 304 without a cached spec');
    main = await fromCache(pipeline, lock, cached, 'not-modified');
  } else {
    main = await fromDownload(pipeline, lock, cached, download);
  }
  return { ...main, extraSpecs: await fetchExtraSpecs(pipeline) };
}
