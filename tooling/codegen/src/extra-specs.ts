// The lock's `extraSpecs`: more compatibility dates downloaded beside the locked spec, so the
// simulator (which loads every `openapi-<date>.json` next to the main spec) and its
// compatibility-date tests have a second version on a machine that only has the network.
import { readCache, sha256Hex, writeCache } from './cache.js';
import { CodegenError } from './errors.js';
import { readLock, writeLock } from './lock.js';
import type { LockedSpec } from './lock.js';
import type { Pipeline } from './pipeline.js';
import { downloadSpec, specUrl } from './download.js';

/** An extra date's spec after a run: where it is and how it got there. */
export interface ResolvedExtraSpec {
  readonly compatibilityDate: string;
  /** `.cache/esi/openapi-<date>.json`. */
  readonly file: string;
  /** Downloaded now, revalidated (304), or the copy already cached when ESI was not asked. */
  readonly source: 'downloaded' | 'not-modified' | 'cache';
}

/** The extra dates already in the cache, without asking ESI (it is unreachable or limited). */
export async function cachedExtraSpecs(
  pipeline: Pipeline,
  extras: readonly LockedSpec[],
): Promise<ResolvedExtraSpec[]> {
  const found: ResolvedExtraSpec[] = [];
  for (const { compatibilityDate } of extras) {
    const cached = await readCache(pipeline.root, compatibilityDate);
    if (cached !== undefined) found.push({ compatibilityDate, file: cached.file, source: 'cache' });
  }
  return found;
}

/**
 * Downloads (or revalidates with `If-None-Match`) each of the lock's `extraSpecs` into
 * `.cache/esi/openapi-<date>.json`, written atomically like the main spec. Called only after
 * the main spec came from ESI, so an unreachable ESI costs one timeout, not one per date.
 *
 * A failure here never fails the run — generation needs only the main spec — but is logged;
 * the cached copy, if any, stays. A 420/429 stops the remaining dates at once. When ESI sends
 * other bytes for a locked date, a warning says so and the new sha256 is recorded, as for the
 * main spec. A document whose `info.version` is not the date asked for is not written.
 */
export async function fetchExtraSpecs(pipeline: Pipeline): Promise<ResolvedExtraSpec[]> {
  // Re-read: resolving the main spec may just have recorded a new sha256.
  let lock = await readLock(pipeline.lockFile);
  const results: ResolvedExtraSpec[] = [];
  for (const [i, extra] of lock.extraSpecs.entries()) {
    const date = extra.compatibilityDate;
    const cached = await readCache(pipeline.root, date);
    let download: Awaited<ReturnType<typeof downloadSpec>>;
    try {
      download = await downloadSpec(pipeline, date, cached);
    } catch (error) {
      if (pipeline.signal?.aborted) throw pipeline.signal.reason;
      const reason = error instanceof Error ? error.message : String(error);
      const fallback = cached !== undefined ? `using the cached ${cached.file}` : 'none is cached';
      pipeline.log(`esikit-codegen: could not get the ${date} spec (${reason}); ${fallback}`);
      if (cached !== undefined)
        results.push({ compatibilityDate: date, file: cached.file, source: 'cache' });
      // Asking ESI again right after a 420/429 is exactly what it forbids.
      if (error instanceof CodegenError && error.code === 'ESIKIT_CODEGEN_RATE_LIMITED') {
        results.push(...(await cachedExtraSpecs(pipeline, lock.extraSpecs.slice(i + 1))));
        break;
      }
      continue;
    }
    if (download.kind === 'not-modified') {
      results.push({ compatibilityDate: date, file: cached!.file, source: 'not-modified' });
      continue;
    }
    if (download.version !== date) {
      pipeline.log(
        `esikit-codegen: warning: ESI sent the spec for ${download.version} when asked for ${date}; not cached as openapi-${date}.json`,
      );
      if (cached !== undefined)
        results.push({ compatibilityDate: date, file: cached.file, source: 'cache' });
      continue;
    }
    const sha256 = sha256Hex(download.bytes);
    if (sha256 !== extra.sha256) {
      pipeline.log(
        `esikit-codegen: warning: ESI changed the spec for ${date} without a new compatibility date (sha256 ${extra.sha256} → ${sha256}); recorded in ${pipeline.lockFile}`,
      );
      lock = {
        ...lock,
        extraSpecs: lock.extraSpecs.map((e) =>
          e.compatibilityDate === date ? { ...e, sha256 } : e,
        ),
      };
      await writeLock(pipeline.lockFile, lock);
    }
    const written = await writeCache(
      pipeline.root,
      download.bytes,
      {
        compatibilityDate: date,
        ...(download.etag !== undefined ? { etag: download.etag } : {}),
        url: specUrl(pipeline),
        downloadedAt: new Date().toISOString(),
      },
      date,
    );
    results.push({ compatibilityDate: date, file: written.file, source: 'downloaded' });
  }
  return results;
}
