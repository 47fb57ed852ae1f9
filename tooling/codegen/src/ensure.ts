// Generate when stale: what the CLI's `generate` runs, and what a package's test setup calls so
// a fresh clone (or a changed spec or generator) needs no separate codegen step.
import { resolve } from 'node:path';
import { generate, type GenerateResult } from './generate.js';
import { generatorFingerprint, isFresh, writeStamp, type FreshnessOptions } from './freshness.js';
import { resolveSpec, type ResolvedSpec } from './spec-source.js';
import type { PipelineOptions } from './pipeline.js';

/** Options of {@link ensureGenerated}. */
export interface EnsureOptions extends PipelineOptions {
  /** Directory to generate into. */
  readonly outDir: string;
  /**
   * Skip the work when the directory is already fresh (see `isFresh`).
   * @default true
   */
  readonly ifStale?: boolean;
}

/** What {@link ensureGenerated} did. */
export type EnsureResult =
  | { readonly kind: 'fresh' }
  | { readonly kind: 'generated'; readonly spec: ResolvedSpec; readonly result: GenerateResult };

/**
 * Generates `outDir` from the spec unless it is already fresh, then records what it was
 * generated from.
 *
 * @throws {CodegenError} `ESIKIT_CODEGEN_NO_SPEC` when there is no spec to generate from.
 * @example
 * await ensureGenerated({ outDir: 'src/generated', root, lockFile: DEFAULT_LOCK_FILE });
 */
export async function ensureGenerated(options: EnsureOptions): Promise<EnsureResult> {
  const outDir = resolve(options.cwd ?? process.cwd(), options.outDir);
  const freshness: FreshnessOptions = {
    root: options.root,
    lockFile: options.lockFile,
    ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
    ...(options.env !== undefined ? { env: options.env } : {}),
  };
  if (options.ifStale !== false && (await isFresh(outDir, freshness))) return { kind: 'fresh' };
  const spec = await resolveSpec(options);
  const result = await generate({ outDir, document: spec.document, sha256: spec.sha256 });
  await writeStamp(outDir, { specSha256: spec.sha256, generator: await generatorFingerprint() });
  return { kind: 'generated', spec, result };
}

export { DEFAULT_LOCK_FILE } from './lock.js';
export { GENERATED_FILES } from './freshness.js';
