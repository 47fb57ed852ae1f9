// `esikit-codegen update`: move the lock to the newest compatibility date ESI offers today.
import { readCache, sha256Hex, writeCache } from './cache.js';
import type { CachedSpec } from './cache.js';
import { CodegenError } from './errors.js';
import { httpGet } from './http.js';
import { isIsoDate, readLock, writeLock } from './lock.js';
import type { SpecLock } from './lock.js';
import { normalizePipeline } from './pipeline.js';
import type { Pipeline, PipelineOptions } from './pipeline.js';
import { describeSpecChange, downloadSpec, parseSpecBytes, specUrl } from './spec-source.js';

/** Options of {@link updateSpec}. */
export interface UpdateOptions extends PipelineOptions {
  /**
   * The clock, injectable for tests.
   * @default () => new Date()
   */
  readonly now?: () => Date;
}

/** What {@link updateSpec} did. */
export interface UpdateResult {
  readonly previousDate: string;
  readonly date: string;
  readonly sha256: string;
  /** Whether the lock changed. */
  readonly changed: boolean;
  /** The printed operation diff, when the previous spec was available to compare. */
  readonly diff: string | undefined;
}

const ELEVEN_HOURS_MS = 11 * 3_600_000;

/**
 * Today's date as ESI counts it: the UTC date of `now` minus 11 hours, because ESI's day turns
 * at the 11:00 UTC downtime.
 */
export function esiToday(now: Date): string {
  return new Date(now.getTime() - ELEVEN_HOURS_MS).toISOString().slice(0, 10);
}

/**
 * Reads `GET /meta/compatibility-dates` (schema `MetaCompatibilityDates`:
 * `{ compatibility_dates: string[] }`, each a `date`).
 */
export async function fetchCompatibilityDates(
  pipeline: Pipeline,
  lock: SpecLock,
): Promise<string[]> {
  const url = `${pipeline.baseUrl}/meta/compatibility-dates`;
  const response = await httpGet(url, {
    headers: {
      accept: 'application/json',
      'user-agent': pipeline.userAgent,
      'x-compatibility-date': lock.compatibilityDate,
    },
    timeoutMs: pipeline.timeoutMs,
    signal: pipeline.signal,
  });
  if (response.status !== 200) {
    throw new CodegenError(
      'ESIKIT_CODEGEN_FETCH_FAILED',
      `GET ${url} answered HTTP ${response.status}`,
    );
  }
  let body: unknown;
  try {
    body = JSON.parse(response.body.toString('utf8'));
  } catch (cause) {
    throw new CodegenError('ESIKIT_CODEGEN_FETCH_FAILED', `GET ${url} did not answer JSON`, {
      cause,
    });
  }
  const dates = (body as { compatibility_dates?: unknown } | null)?.compatibility_dates;
  if (!Array.isArray(dates) || !dates.every(isIsoDate)) {
    throw new CodegenError(
      'ESIKIT_CODEGEN_FETCH_FAILED',
      `GET ${url} did not answer { "compatibility_dates": ["YYYY-MM-DD", …] }: ${response.body.toString('utf8').slice(0, 200)}`,
    );
  }
  return dates;
}

/** The spec the lock describes, from the cache or else downloaded, to diff against. */
async function lockedSpec(
  pipeline: Pipeline,
  lock: SpecLock,
  cached: CachedSpec | undefined,
): Promise<unknown> {
  if (cached !== undefined && cached.sha256 === lock.sha256) {
    return parseSpecBytes(cached.bytes, cached.file).document;
  }
  try {
    const download = await downloadSpec(pipeline, lock.compatibilityDate, undefined);
    if (download.kind === 'downloaded') return download.document;
  } catch (error) {
    if (pipeline.signal?.aborted) throw pipeline.signal.reason;
    // Asking ESI for the next spec right after a 420/429 would be exactly what it forbids.
    if (error instanceof CodegenError && error.code === 'ESIKIT_CODEGEN_RATE_LIMITED') throw error;
    pipeline.log(
      `esikit-codegen: could not get the ${lock.compatibilityDate} spec to compare against (${(error as Error).message})`,
    );
  }
  return undefined;
}

/**
 * Picks the newest compatibility date not later than ESI's today, downloads that spec, prints the
 * operations added, removed and changed since the locked spec, rewrites the lock and refreshes
 * the cache.
 *
 * @throws {CodegenError} `ESIKIT_CODEGEN_NO_DATE` when ESI lists no usable date,
 * `ESIKIT_CODEGEN_FETCH_FAILED` when ESI cannot be reached or answers nonsense (the lock is then
 * untouched).
 * @example
 * await updateSpec({ root, lockFile: DEFAULT_LOCK_FILE });
 */
export async function updateSpec(options: UpdateOptions): Promise<UpdateResult> {
  const pipeline = normalizePipeline(options);
  const now = options.now ?? (() => new Date());
  const lock = await readLock(pipeline.lockFile);
  const today = esiToday(now());
  const dates = await fetchCompatibilityDates(pipeline, lock);
  const date = dates
    .filter((d) => d <= today)
    .sort()
    .at(-1);
  if (date === undefined) {
    throw new CodegenError(
      'ESIKIT_CODEGEN_NO_DATE',
      `ESI lists no compatibility date on or before ${today} (ESI's today: UTC now minus 11 hours); it lists ${dates.join(', ') || 'none'}`,
    );
  }

  const cached = await readCache(pipeline.root);
  const previous = await lockedSpec(pipeline, lock, cached);
  const download = await downloadSpec(pipeline, date, cached);
  let next: { bytes: Buffer; document: unknown };
  if (download.kind === 'not-modified') {
    const current = cached!;
    next = { bytes: current.bytes, document: parseSpecBytes(current.bytes, current.file).document };
  } else {
    if (download.version !== date) {
      throw new CodegenError(
        'ESIKIT_CODEGEN_FETCH_FAILED',
        `ESI sent the spec for ${download.version} when asked for ${date}; the lock is unchanged`,
      );
    }
    next = download;
    await writeCache(pipeline.root, download.bytes, {
      compatibilityDate: date,
      ...(download.etag !== undefined ? { etag: download.etag } : {}),
      url: specUrl(pipeline),
      downloadedAt: now().toISOString(),
    });
  }

  const sha256 = sha256Hex(next.bytes);
  let diff: string | undefined;
  if (previous !== undefined) {
    diff = describeSpecChange(previous, next.document);
    pipeline.print(diff);
  }
  const changed = date !== lock.compatibilityDate || sha256 !== lock.sha256;
  if (changed) {
    await writeLock(pipeline.lockFile, { ...lock, compatibilityDate: date, sha256 });
    pipeline.log(
      `esikit-codegen: locked ESI spec ${date} (sha256 ${sha256}) in ${pipeline.lockFile}; was ${lock.compatibilityDate}`,
    );
  } else {
    pipeline.log(`esikit-codegen: the lock is already at ${date} (sha256 ${sha256})`);
  }
  return { previousDate: lock.compatibilityDate, date, sha256, changed, diff };
}
