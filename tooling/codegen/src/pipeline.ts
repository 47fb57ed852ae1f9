// Options shared by the spec pipeline's commands, validated once and normalised.
import { readFileSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { CodegenError } from './errors.js';

/** Options of {@link resolveSpec} and {@link updateSpec}. */
export interface PipelineOptions {
  /** Workspace root; the spec cache lives in `<root>/.cache/esi`. */
  readonly root: string;
  /** The lock file to read, and to rewrite when the spec changes. */
  readonly lockFile: string;
  /**
   * Where `ESI_SPEC_FILE` and `ESI_BASE_URL` are read from.
   * @default process.env
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /**
   * A relative `ESI_SPEC_FILE` is looked up here first, then under `root`.
   * @default process.cwd()
   */
  readonly cwd?: string;
  /**
   * Receives warnings and notices, one line each.
   * @default a line on stderr
   */
  readonly log?: (line: string) => void;
  /**
   * Receives reports meant to be read (spec diffs).
   * @default stdout
   */
  readonly print?: (text: string) => void;
  /** Aborts the download; an aborted run never falls back to the cache. */
  readonly signal?: AbortSignal;
  /**
   * Milliseconds before a request to ESI is given up.
   * @default 30000
   */
  readonly timeoutMs?: number;
}

/** {@link PipelineOptions} after validation. */
export interface Pipeline {
  readonly root: string;
  readonly lockFile: string;
  readonly cwd: string;
  readonly specFile: string | undefined;
  readonly baseUrl: string;
  readonly userAgent: string;
  readonly log: (line: string) => void;
  readonly print: (text: string) => void;
  readonly signal: AbortSignal | undefined;
  readonly timeoutMs: number;
}

const VERSION = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;

/** What the pipeline sends as `User-Agent`: ESI asks every client to identify itself. */
export const USER_AGENT = `esikit-codegen/${VERSION} (+https://github.com/esikit/esikit)`;

/** Where ESI lives unless `ESI_BASE_URL` says otherwise. */
export const DEFAULT_BASE_URL = 'https://esi.evetech.net';

function usage(message: string): CodegenError {
  return new CodegenError('ESIKIT_CODEGEN_USAGE', message);
}

/**
 * Validates options once, naming the option and the value on error.
 *
 * @throws {CodegenError} `ESIKIT_CODEGEN_USAGE`
 */
export function normalizePipeline(options: PipelineOptions): Pipeline {
  if (typeof options.root !== 'string' || !isAbsolute(options.root)) {
    throw usage(`root must be an absolute directory path, got ${JSON.stringify(options.root)}`);
  }
  if (typeof options.lockFile !== 'string' || options.lockFile === '') {
    throw usage(`lockFile must be a file path, got ${JSON.stringify(options.lockFile)}`);
  }
  const timeoutMs = options.timeoutMs ?? 30_000;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw usage(`timeoutMs must be a positive number of milliseconds, got ${String(timeoutMs)}`);
  }
  const env = options.env ?? process.env;
  const rawBase = env.ESI_BASE_URL || DEFAULT_BASE_URL;
  let base: URL;
  try {
    base = new URL(rawBase);
  } catch {
    throw usage(`ESI_BASE_URL must be an http(s) URL, got ${JSON.stringify(rawBase)}`);
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') {
    throw usage(`ESI_BASE_URL must be an http(s) URL, got ${JSON.stringify(rawBase)}`);
  }
  return {
    root: options.root,
    lockFile: options.lockFile,
    cwd: options.cwd ?? process.cwd(),
    specFile: env.ESI_SPEC_FILE || undefined,
    baseUrl: base.href.replace(/\/+$/, ''),
    userAgent: USER_AGENT,
    log: options.log ?? ((line) => process.stderr.write(`${line}\n`)),
    print: options.print ?? ((text) => process.stdout.write(`${text}\n`)),
    signal: options.signal,
    timeoutMs,
  };
}
