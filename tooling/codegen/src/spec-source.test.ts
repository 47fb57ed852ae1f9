import { readdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cachePaths, sha256Hex } from './cache.js';
import { resolveSpec } from './spec-source.js';
import { USER_AGENT } from './pipeline.js';
import { etagOf, startFakeEsi, unreachableUrl } from '../test/fake-esi.js';
import type { FakeEsi } from '../test/fake-esi.js';
import { OLD_SPEC_FILE, SPEC_FILE } from '../test/spec-files.js';
import { tempWorkspace } from '../test/workspace.js';
import type { TempWorkspace } from '../test/workspace.js';

const DATE = '2026-08-04';
let spec: Buffer;
let oldSpec: Buffer;
let esi: FakeEsi | undefined;
let ws: TempWorkspace | undefined;

beforeAll(async () => {
  spec = await readFile(SPEC_FILE);
  oldSpec = await readFile(OLD_SPEC_FILE);
});

afterEach(async () => {
  await esi?.close();
  await ws?.remove();
  esi = undefined;
  ws = undefined;
});

async function setup(): Promise<{ esi: FakeEsi; ws: TempWorkspace }> {
  esi = await startFakeEsi();
  esi.specs.set(DATE, spec);
  ws = await tempWorkspace(DATE, spec);
  return { esi, ws };
}

function options(w: TempWorkspace, env: Record<string, string | undefined>) {
  return { root: w.root, lockFile: w.lockFile, cwd: w.root, env, log: w.log, print: w.print };
}

/** The 2026-08-04 spec as CCP might silently re-publish it: one route slower, one route gone. */
function republished(): Buffer {
  const doc = JSON.parse(spec.toString('utf8')) as {
    paths: Record<string, Record<string, Record<string, unknown>>>;
    components: { schemas: Record<string, { properties: Record<string, unknown> }> };
  };
  const status = doc.paths['/status']!.get!;
  status['x-cache-age'] = Number(status['x-cache-age'] ?? 0) + 1234;
  delete doc.paths['/incursions'];
  // What CCP does within a date: an optional field on a schema an answer reaches indirectly.
  doc.components.schemas.CharactersSkillsSkill!.properties.notes = { type: 'string' };
  return Buffer.from(JSON.stringify(doc, null, 1));
}

describe('resolveSpec', () => {
  it('downloads into the cache atomically with X-Compatibility-Date and a User-Agent', async () => {
    const { esi, ws } = await setup();
    const result = await resolveSpec(options(ws, { ESI_BASE_URL: esi.url }));

    expect(result.source).toBe('downloaded');
    expect(result.sha256).toBe(sha256Hex(spec));
    expect(result.compatibilityDate).toBe(DATE);
    expect(esi.requests).toHaveLength(1);
    const [request] = esi.requests;
    expect(request!.path).toBe('/meta/openapi.json');
    expect(request!.headers['x-compatibility-date']).toBe(DATE);
    expect(request!.headers['user-agent']).toBe(USER_AGENT);
    expect(USER_AGENT).toMatch(
      /^esikit-codegen\/\d+\.\d+\.\d+ \(\+https:\/\/github\.com\/esikit\/esikit\)$/,
    );
    expect(request!.headers['if-none-match']).toBeUndefined();

    const paths = cachePaths(ws.root);
    expect((await readFile(paths.spec)).equals(spec)).toBe(true);
    const meta = JSON.parse(await readFile(paths.meta, 'utf8'));
    expect(meta).toMatchObject({
      compatibilityDate: DATE,
      sha256: sha256Hex(spec),
      etag: etagOf(spec),
    });
    // Written through temp files and renames: nothing else is left in the cache directory.
    expect((await readdir(paths.dir)).sort()).toEqual(['openapi.json', 'openapi.meta.json']);
    expect(ws.logs).toEqual([]);
  });

  it('revalidates with If-None-Match on the next run and keeps the cache on 304', async () => {
    const { esi, ws } = await setup();
    await resolveSpec(options(ws, { ESI_BASE_URL: esi.url }));
    const metaBefore = await readFile(cachePaths(ws.root).meta, 'utf8');

    const result = await resolveSpec(options(ws, { ESI_BASE_URL: esi.url }));
    expect(result.source).toBe('not-modified');
    expect(result.sha256).toBe(sha256Hex(spec));
    expect(esi.requests.map((r) => r.status)).toEqual([200, 304]);
    expect(esi.requests[1]!.headers['if-none-match']).toBe(etagOf(spec));
    expect(await readFile(cachePaths(ws.root).meta, 'utf8')).toBe(metaBefore);
    expect(ws.logs).toEqual([]);
  });

  it('warns, lists the changed operations and records the new sha256 when ESI changes a date in place', async () => {
    const { esi, ws } = await setup();
    await resolveSpec(options(ws, { ESI_BASE_URL: esi.url }));
    const changed = republished();
    esi.specs.set(DATE, changed);

    const result = await resolveSpec(options(ws, { ESI_BASE_URL: esi.url }));
    expect(result.source).toBe('downloaded');
    expect(esi.requests[1]!.headers['if-none-match']).toBe(etagOf(spec));
    expect(ws.logs.join('\n')).toMatch(
      /warning: ESI changed the spec for 2026-08-04 without a new compatibility date/,
    );
    const report = ws.printed.join('\n');
    expect(report).toContain('  - GetIncursions');
    expect(report).toMatch(/ {2}~ GetStatus\n {6}x-cache-age \d+ → \d+/);
    expect(report).toContain(
      '  ~ GetCharactersCharacterIdSkills\n      response uses changed schema CharactersSkillsSkill',
    );
    expect(report).toContain(
      '  * CharactersSkillsSkill (used by GetCharactersCharacterIdSkills)\n      property notes added (optional)',
    );
    expect(await ws.readLock()).toMatchObject({
      compatibilityDate: DATE,
      sha256: sha256Hex(changed),
    });
    expect((await readFile(cachePaths(ws.root).spec)).equals(changed)).toBe(true);
  });

  it('still records the new sha256 when there is no previous copy to compare with', async () => {
    const { esi, ws } = await setup();
    const changed = republished();
    esi.specs.set(DATE, changed);
    const result = await resolveSpec(options(ws, { ESI_BASE_URL: esi.url }));
    expect(result.sha256).toBe(sha256Hex(changed));
    expect(ws.printed).toEqual([]);
    expect(ws.logs).toEqual([
      expect.stringMatching(/warning: ESI changed the spec for 2026-08-04/),
      expect.stringMatching(/no copy of the previous spec is cached/),
      expect.stringMatching(/recorded sha256 [0-9a-f]{64} in .*esi-spec\.lock\.json$/),
    ]);
    expect((await ws.readLock()).sha256).toBe(sha256Hex(changed));
  });

  it('uses the cache with a one-line notice when ESI is unreachable', async () => {
    const { esi, ws } = await setup();
    await resolveSpec(options(ws, { ESI_BASE_URL: esi.url }));
    const result = await resolveSpec(options(ws, { ESI_BASE_URL: await unreachableUrl() }));
    expect(result.source).toBe('cache');
    expect(result.sha256).toBe(sha256Hex(spec));
    expect(ws.logs).toHaveLength(1);
    expect(ws.logs[0]).toMatch(
      /ESI is unreachable \(.*ECONNREFUSED.*\); using the cached spec .*openapi\.json$/,
    );
  });

  it('falls back to the cache when ESI answers 503', async () => {
    const { esi, ws } = await setup();
    await resolveSpec(options(ws, { ESI_BASE_URL: esi.url }));
    esi.fail = () => 503;
    const result = await resolveSpec(options(ws, { ESI_BASE_URL: esi.url }));
    expect(result.source).toBe('cache');
    expect(ws.logs).toEqual([expect.stringMatching(/HTTP 503.*using the cached spec/)]);
  });

  it('uses the cache after a 429 and says how long ESI asked to wait', async () => {
    const { esi, ws } = await setup();
    await resolveSpec(options(ws, { ESI_BASE_URL: esi.url }));
    esi.fail = () => 429;
    esi.failHeaders = { 'retry-after': '17' };
    const result = await resolveSpec(options(ws, { ESI_BASE_URL: esi.url }));
    expect(result.source).toBe('cache');
    expect(ws.logs).toEqual([
      expect.stringMatching(/HTTP 429 \(rate limited\); ESI asks to wait 17 s/),
    ]);
    expect(esi.requests).toHaveLength(2);
  });

  it('fails with one clear message naming ESI_SPEC_FILE when there is no network, cache or file', async () => {
    ws = await tempWorkspace(DATE, spec);
    const url = await unreachableUrl();
    const attempt = resolveSpec(options(ws, { ESI_BASE_URL: url }));
    await expect(attempt).rejects.toMatchObject({
      name: 'CodegenError',
      code: 'ESIKIT_CODEGEN_NO_SPEC',
      message: expect.stringMatching(
        /^No ESI spec: .*ECONNREFUSED.*Set ESI_SPEC_FILE to a local copy/,
      ),
    });
  });

  it('reads ESI_SPEC_FILE without any request, warning when it is not the locked spec', async () => {
    const { esi, ws } = await setup();
    const same = await resolveSpec(
      options(ws, { ESI_BASE_URL: esi.url, ESI_SPEC_FILE: SPEC_FILE }),
    );
    expect(same).toMatchObject({ source: 'file', file: SPEC_FILE, sha256: sha256Hex(spec) });
    expect(ws.logs).toEqual([]);

    const old = await resolveSpec(
      options(ws, { ESI_BASE_URL: esi.url, ESI_SPEC_FILE: OLD_SPEC_FILE }),
    );
    expect(old).toMatchObject({
      source: 'file',
      compatibilityDate: '2025-12-16',
      sha256: sha256Hex(oldSpec),
    });
    expect(ws.logs).toEqual([
      expect.stringMatching(/warning: .* is the spec for 2025-12-16, but the lock says 2026-08-04/),
    ]);

    const edited = join(ws.root, 'edited.json');
    await writeFile(edited, republished());
    await resolveSpec(options(ws, { ESI_BASE_URL: esi.url, ESI_SPEC_FILE: 'edited.json' }));
    expect(ws.logs[1]).toMatch(
      /warning: ESI_SPEC_FILE .*edited\.json has sha256 [0-9a-f]{64}, but the lock says/,
    );
    expect(esi.requests).toEqual([]);
  });

  it('names a missing ESI_SPEC_FILE, a broken lock and a bad ESI_BASE_URL', async () => {
    const { ws } = await setup();
    await expect(resolveSpec(options(ws, { ESI_SPEC_FILE: 'nope.json' }))).rejects.toMatchObject({
      code: 'ESIKIT_CODEGEN_NO_SPEC',
      message: expect.stringContaining('ESI_SPEC_FILE is "nope.json"'),
    });
    await expect(resolveSpec(options(ws, { ESI_BASE_URL: 'ftp://esi' }))).rejects.toMatchObject({
      code: 'ESIKIT_CODEGEN_USAGE',
      message: 'ESI_BASE_URL must be an http(s) URL, got "ftp://esi"',
    });
    await writeFile(ws.lockFile, '{"compatibilityDate":"2026-13-01","sha256":"x","url":"u"}');
    await expect(resolveSpec(options(ws, { ESI_SPEC_FILE: SPEC_FILE }))).rejects.toMatchObject({
      code: 'ESIKIT_CODEGEN_BAD_LOCK',
      message: expect.stringContaining(
        'compatibilityDate must be a YYYY-MM-DD date, got "2026-13-01"',
      ),
    });
  });

  it('stops at once when aborted instead of falling back to the cache', async () => {
    const { esi, ws } = await setup();
    await resolveSpec(options(ws, { ESI_BASE_URL: esi.url }));
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(
      resolveSpec({ ...options(ws, { ESI_BASE_URL: esi.url }), signal: controller.signal }),
    ).rejects.toThrow('stop');
  });
});

describe('resolveSpec timeouts', () => {
  it('gives up on a silent ESI after timeoutMs and uses the cache', async () => {
    const { esi, ws } = await setup();
    await resolveSpec(options(ws, { ESI_BASE_URL: esi.url }));
    const silent = createServer(() => {
      // Never answers.
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = silent.address() as AddressInfo;
      const result = await resolveSpec({
        ...options(ws, { ESI_BASE_URL: `http://127.0.0.1:${port}` }),
        timeoutMs: 200,
      });
      expect(result.source).toBe('cache');
      expect(ws.logs).toEqual([
        expect.stringMatching(/timed out after 200 ms.*using the cached spec/),
      ]);
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});
