// Shared by the simulator's tests: the spec location and a tiny HTTP helper over undici.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findSpecFile } from '@esikit/spec';
import { request } from 'undici';
import type { Simulator } from '../src/index.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * CI sets ESI_SPEC_FILE relative to the repo root. Without it: the spec codegen downloaded into
 * `.cache/esi/` (with the lock's extra dates beside it), else the shared copy next to the checkout.
 */
export const SPEC_FILE = process.env.ESI_SPEC_FILE
  ? isAbsolute(process.env.ESI_SPEC_FILE)
    ? process.env.ESI_SPEC_FILE
    : resolve(repoRoot, process.env.ESI_SPEC_FILE)
  : (findSpecFile(repoRoot, {}) ??
    fileURLToPath(new URL('../../../../shared/esi/openapi.json', import.meta.url)));

const parsed = new Map<string, object>();
/** A spec document (default: {@link SPEC_FILE}), parsed once per test file. */
export function specDocument(file = SPEC_FILE): object {
  let doc = parsed.get(file);
  if (!doc) {
    doc = JSON.parse(readFileSync(file, 'utf8')) as object;
    parsed.set(file, doc);
  }
  return doc;
}

/**
 * The spec of another compatibility date beside {@link SPEC_FILE} (`openapi-2025-12-16.json`
 * in `../shared/esi/`): the compatibility-date tests need two versions and fail without one.
 */
export function oldSpecFile(): string {
  const dir = dirname(SPEC_FILE);
  const older = readdirSync(dir)
    .filter((name) => /^openapi-\d{4}-\d{2}-\d{2}\.json$/.test(name))
    .sort();
  if (older.length === 0)
    throw new Error(
      `no openapi-YYYY-MM-DD.json beside ${SPEC_FILE}: the tests need two versions ` +
        "(set ESI_SPEC_FILE next to one, or run `pnpm codegen`, which downloads the lock's extraSpecs)",
    );
  return join(dir, older[0]!);
}

export const UA = 'esikit-simulator-tests/0.1 (+https://github.com/esikit/esikit)';

export interface Reply {
  status: number;
  headers: Record<string, string>;
  text: string;
  json: unknown;
}

/** One request; headers default to a good User-Agent. */
export async function call(
  sim: Simulator,
  path: string,
  init: {
    method?: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE' | 'OPTIONS';
    headers?: Record<string, string>;
    body?: unknown;
    token?: string;
  } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { 'user-agent': UA, ...init.headers };
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const res = await request(`${sim.esiUrl}${path}`, {
    method: init.method ?? 'GET',
    headers,
    ...(init.body !== undefined
      ? { body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) }
      : {}),
  });
  const text = await res.body.text();
  const flat: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers))
    if (v !== undefined) flat[k] = Array.isArray(v) ? v.join(', ') : v;
  let json: unknown;
  try {
    json = text === '' ? undefined : (JSON.parse(text) as unknown);
  } catch {
    json = undefined;
  }
  return { status: res.statusCode, headers: flat, text, json };
}
