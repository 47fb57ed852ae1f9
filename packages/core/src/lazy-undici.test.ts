// undici (≈ 50 ms and ≈ 10 MB to load), lru-cache (the default cache store's), the request
// pipeline's modules and the spec compiler are loaded with the first request, not with core: creating a client, or a GraphQL schema or tRPC router on one,
// sends nothing.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Agent, type Dispatcher } from 'undici';
import { describe, expect, it } from 'vitest';
import { APP, harnessPerTest } from '../test/helpers.js';
import { createEsiClient } from './index.js';

const run = promisify(execFile);
const start = harnessPerTest();

describe('loading undici', () => {
  it('importing core and creating a client load neither undici, lru-cache, the pipeline nor the spec compiler; the first request does', async () => {
    const h = await start();
    const { stdout } = await run(
      process.execPath,
      [
        '--import',
        'tsx',
        '--conditions=@esikit/source',
        fileURLToPath(new URL('../test/undici-load-child.ts', import.meta.url)),
        h.sim.esiUrl,
      ],
      { cwd: fileURLToPath(new URL('..', import.meta.url)) },
    );
    expect(JSON.parse(stdout)).toEqual({
      afterCreate: false,
      afterRequest: true,
      lruCache: { afterCreate: false, afterRequest: true },
      pipeline: { afterCreate: false, afterRequest: true },
      specCompiler: { afterCreate: false, afterRequest: true },
      players: expect.any(Number),
    });
    expect(h.seen('GetStatus')).toBe(1);
  });

  it('concurrent first requests all succeed', async () => {
    const h = await start();
    const ids = [1, 2, 3, 4, 5].map((n) => 34 + n);
    const types = await Promise.all(
      ids.map((type_id) => h.esi.request('GetUniverseTypesTypeId', { type_id }).result()),
    );
    expect(types.map((t) => t.type_id)).toEqual(ids);
  });

  it("sends every request through a caller's dispatcher, and close() leaves it open", async () => {
    const h = await start();
    const seen: string[] = [];
    class Counting extends Agent {
      override dispatch(
        options: Dispatcher.DispatchOptions,
        handler: Dispatcher.DispatchHandler,
      ): boolean {
        seen.push(options.path);
        return super.dispatch(options, handler);
      }
    }
    const dispatcher = new Counting();
    try {
      const esi = createEsiClient({ ...APP, baseUrl: h.sim.esiUrl, dispatcher });
      await esi.request('GetStatus').result();
      await esi.request('GetUniverseTypesTypeId', { type_id: 34 }).result();
      await esi.close();
      expect(seen.map((p) => p.split('?')[0])).toEqual(['/status', '/universe/types/34']);
      expect(h.seen('GetStatus') + h.seen('GetUniverseTypesTypeId')).toBe(2);
      // The pool is the caller's: closing the client leaves it open.
      expect(dispatcher.closed).toBe(false);
    } finally {
      await dispatcher.close();
    }
  });

  it('a client closed before its first request refuses requests instead of opening a pool', async () => {
    const h = await start();
    const esi = createEsiClient({
      ...APP,
      baseUrl: h.sim.esiUrl,
      retries: { connection: 0, server: 0 },
    });
    await esi.close();
    await expect(esi.request('GetStatus').result()).rejects.toThrow();
    expect(h.seen('GetStatus')).toBe(0);
  });
});
