// Shared by the simulator's tests: the spec location and a tiny HTTP helper over undici.
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import type { Simulator } from '../src/index.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** CI sets ESI_SPEC_FILE relative to the repo root; locally the shared copy is used. */
export const SPEC_FILE = process.env.ESI_SPEC_FILE
  ? isAbsolute(process.env.ESI_SPEC_FILE)
    ? process.env.ESI_SPEC_FILE
    : resolve(repoRoot, process.env.ESI_SPEC_FILE)
  : fileURLToPath(new URL('../../../../shared/esi/openapi.json', import.meta.url));

let parsed: unknown;
/** The spec document, parsed once per test file. */
export function specDocument(): object {
  parsed ??= JSON.parse(readFileSync(SPEC_FILE, 'utf8')) as unknown;
  return parsed as object;
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
