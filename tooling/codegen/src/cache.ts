// The downloaded spec at `<root>/.cache/esi/openapi.json` and what we know about it in
// `openapi.meta.json` (ETag, sha256, date). The cache is gitignored and only ever written whole.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SPEC_CACHE_DIR, SPEC_CACHE_FILE } from '@esikit/spec';
import { isIsoDate } from './lock.js';
import { writeFileAtomic } from './fs.js';

/** Contents of `openapi.meta.json`. */
export interface CacheMeta {
  /** The compatibility date the cached spec was downloaded for. */
  readonly compatibilityDate: string;
  /** sha256 of `openapi.json` as written. */
  readonly sha256: string;
  /** ESI's ETag for that download, sent back as `If-None-Match`. */
  readonly etag?: string;
  /** Where it was downloaded from. */
  readonly url: string;
  /** When it was downloaded (ISO 8601). */
  readonly downloadedAt: string;
}

/** The cached spec: its bytes and, when readable and consistent, its meta. */
export interface CachedSpec {
  readonly file: string;
  readonly bytes: Buffer;
  readonly sha256: string;
  readonly meta: CacheMeta | undefined;
}

/**
 * Absolute paths of the cache files under a workspace root: the locked spec, or with `date` one
 * of the lock's `extraSpecs` as `openapi-<date>.json`, the name the simulator looks for beside
 * the main spec.
 */
export function cachePaths(
  root: string,
  date?: string,
): { dir: string; spec: string; meta: string } {
  const dir = join(root, SPEC_CACHE_DIR);
  if (date !== undefined) {
    return {
      dir,
      spec: join(dir, `openapi-${date}.json`),
      // Not `openapi-<date>.json`-shaped, so nothing mistakes it for a spec.
      meta: join(dir, `openapi-${date}.meta.json`),
    };
  }
  return { dir, spec: join(dir, SPEC_CACHE_FILE), meta: join(dir, 'openapi.meta.json') };
}

/** Hex sha256 of some bytes. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function parseMeta(text: string): CacheMeta | undefined {
  try {
    const raw = JSON.parse(text) as Record<string, unknown>;
    if (!isIsoDate(raw.compatibilityDate) || typeof raw.sha256 !== 'string') return undefined;
    if (typeof raw.url !== 'string' || typeof raw.downloadedAt !== 'string') return undefined;
    return {
      compatibilityDate: raw.compatibilityDate,
      sha256: raw.sha256,
      ...(typeof raw.etag === 'string' ? { etag: raw.etag } : {}),
      url: raw.url,
      downloadedAt: raw.downloadedAt,
    };
  } catch {
    return undefined;
  }
}

/**
 * Reads the cached spec, or `undefined` when there is none. Meta that does not match the bytes
 * (someone edited the spec by hand) is dropped, so a stale ETag is never sent.
 */
export async function readCache(root: string, date?: string): Promise<CachedSpec | undefined> {
  const paths = cachePaths(root, date);
  let bytes: Buffer;
  try {
    bytes = await readFile(paths.spec);
  } catch {
    return undefined;
  }
  const sha256 = sha256Hex(bytes);
  let meta: CacheMeta | undefined;
  try {
    meta = parseMeta(await readFile(paths.meta, 'utf8'));
  } catch {
    meta = undefined;
  }
  return { file: paths.spec, bytes, sha256, meta: meta?.sha256 === sha256 ? meta : undefined };
}

/** Writes the spec (or with `date`, that extra date's spec), then its meta, each atomically. */
export async function writeCache(
  root: string,
  bytes: Uint8Array,
  meta: Omit<CacheMeta, 'sha256'>,
  date?: string,
): Promise<CachedSpec> {
  const paths = cachePaths(root, date);
  const full: CacheMeta = { ...meta, sha256: sha256Hex(bytes) };
  await writeFileAtomic(paths.spec, bytes);
  await writeFileAtomic(paths.meta, `${JSON.stringify(full, null, 2)}\n`);
  return { file: paths.spec, bytes: Buffer.from(bytes), sha256: full.sha256, meta: full };
}
