// Run in a fresh process by lazy-undici.test.ts: reports whether undici, lru-cache, the request
// pipeline's modules and the spec compiler are loaded after importing core and creating a
// client, and after the first request (to the simulator at argv[2]).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
// What the ESM loader loads from here on, recorded by a module hook (lru-cache's ESM build would
// land there); what `require` loads lands in the CommonJS cache (undici, and lru-cache's
// CommonJS build).
const dir = mkdtempSync(join(tmpdir(), 'esikit-loads-'));
const record = join(dir, 'loaded.txt');
register('./load-recorder.mjs', import.meta.url, { data: { file: record } });
const loaded = (name: string, pattern = new RegExp(`[\\\\/]${name}[\\\\/]`)): boolean => {
  let esm = '';
  try {
    esm = readFileSync(record, 'utf8');
  } catch {
    // Nothing recorded yet.
  }
  return (
    esm.split('\n').some((url) => pattern.test(url)) ||
    Object.keys(require.cache).some((file) => pattern.test(file))
  );
};
const undiciLoaded = (): boolean => loaded('undici');

const { createEsiClient } = await import('@esikit/core');
const esi = createEsiClient({
  appInfo: { name: 'esikit-tests', version: '1.0.0' },
  contactEmail: 'tests@esikit.invalid',
  baseUrl: process.argv[2] ?? '',
});
const afterCreate = undiciLoaded();
const lruAfterCreate = loaded('lru-cache');
const pipeline = (): boolean => loaded('pipeline', /[\\/]internal[\\/]pipeline\.[jt]s$/);
const pipelineAfterCreate = pipeline();
// The spec compiler: only for a spec file read at run time (and the pipeline's rate limits).
const compiler = (): boolean => loaded('compiler', /[\\/]spec[\\/](src|dist)[\\/]compile\.[jt]s$/);
const compilerAfterCreate = compiler();
const status = await esi.request('GetStatus').result();
const afterRequest = undiciLoaded();
const lruAfterRequest = loaded('lru-cache');
const pipelineAfterRequest = pipeline();
const compilerAfterRequest = compiler();
await esi.close();
rmSync(dir, { recursive: true, force: true });
process.stdout.write(
  JSON.stringify({
    afterCreate,
    afterRequest,
    lruCache: { afterCreate: lruAfterCreate, afterRequest: lruAfterRequest },
    pipeline: { afterCreate: pipelineAfterCreate, afterRequest: pipelineAfterRequest },
    specCompiler: { afterCreate: compilerAfterCreate, afterRequest: compilerAfterRequest },
    players: status.players,
  }),
);
