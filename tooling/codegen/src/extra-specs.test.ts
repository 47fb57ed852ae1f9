// The lock's extraSpecs on a machine with only the network: the older test date is downloaded
// beside the locked spec, as the simulator's default spec list expects, against a loopback
// stand-in for ESI.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { findSpecFile } from '@esikit/spec';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cachePaths, sha256Hex } from './cache.js';
import { readLock } from './lock.js';
import { USER_AGENT } from './pipeline.js';
import { resolveSpec } from './spec-source.js';
import { etagOf, startFakeEsi, unreachableUrl } from '../test/fake-esi.js';
import type { FakeEsi } from '../test/fake-esi.js';
import { OLD_SPEC_FILE, SPEC_FILE } from '../test/spec-files.js';
import { tempWorkspace } from '../test/workspace.js';
import type { TempWorkspace } from '../test/workspace.js';

const DATE = '2026-08-04';
const OLD = '2025-12-16';
/** A made-up third date, for the cases that need two extras. */
const OLDER = '2025-06-01';
let spec: Buffer;
let oldSpec: Buffer;
let olderSpec: Buffer;
let esi: FakeEsi | undefined;
let ws: TempWorkspace | undefined;

beforeAll(async () => {
  spec = await readFile(SPEC_FILE);
  oldSpec = await readFile(OLD_SPEC_FILE);
  const doc = JSON.parse(oldSpec.toString('utf8')) as { info: { version: string } };
  doc.info.version = OLDER;
  olderSpec = Buffer.from(JSON.stringify(doc));
});

afterEach(async () => {
  await esi?.close();
  await ws?.remove();
  esi = undefined;
  ws = undefined;
});

async function setup(
  extras: readonly { date: string; bytes: Buffer }[] = [{ date: OLD, bytes: oldSpec }],
): Promise<{ esi: FakeEsi; ws: TempWorkspace }> {
  esi = await startFakeEsi();
  esi.specs.set(DATE, spec);
  for (const e of extras) esi.specs.set(e.date, e.bytes);
  ws = await tempWorkspace(DATE, spec, extras);
  return { esi, ws };
}

function options(w: TempWorkspace, env: Record<string, string | undefined>) {
  return { root: w.root, lockFile: w.lockFile, cwd: w.root, env, log: w.log, print: w.print };
}

const dateOf = (headers: Record<string, unknown>) => headers['x-compatibility-date'];

describe('extraSpecs', () => {
  it('downloads the extra date beside the locked spec as openapi-<date>.json, atomically', async () => {
    const { esi, ws } = await setup();
    const result = await resolveSpec(options(ws, { ESI_BASE_URL: esi.url }));

    expect(result).toMatchObject({ source: 'downloaded', compatibilityDate: DATE });
    const old = cachePaths(ws.root, OLD);
    expect(result.extraSpecs).toEqual([
      { compatibilityDate: OLD, file: old.spec, source: 'downloaded' },
    ]);
    expect(esi.requests.map((r) => [r.path, dateOf(r.headers), r.status])).toEqual([
      ['/meta/openapi.json', DATE, 200],
      ['/meta/openapi.json', OLD, 200],
    ]);
    expect(esi.requests[1]!.headers['user-agent']).toBe(USER_AGENT);
    expect(esi.requests[1]!.headers['if-none-match']).toBeUndefined();
    expect((await readFile(old.spec)).equals(oldSpec)).toBe(true);
    expect(JSON.parse(await readFile(old.meta, 'utf8'))).toMatchObject({
      compatibilityDate: OLD,
      sha256: sha256Hex(oldSpec),
      etag: etagOf(oldSpec),
    });
    // Temp files renamed away; the main spec's cache is untouched by the extra's.
    expect((await readdir(old.dir)).sort()).toEqual([
      'openapi-2025-12-16.json',
      'openapi-2025-12-16.meta.json',
      'openapi.json',
      'openapi.meta.json',
    ]);
    expect((await readFile(cachePaths(ws.root).spec)).equals(spec)).toBe(true);
    // What the simulator's default list is built from: findSpecFile() and its
    // openapi-YYYY-MM-DD.json siblings (the meta files do not match).
    expect(findSpecFile(ws.root, {})).toBe(cachePaths(ws.root).spec);
    expect(
      (await readdir(old.dir)).filter((n) => /^openapi-\d{4}-\d{2}-\d{2}\.json$/.test(n)),
    ).toEqual(['openapi-2025-12-16.json']);
    expect(ws.logs).toEqual([]);
  });

  it('revalidates the extra date with its own If-None-Match and keeps it on 304', async () => {
    const { esi, ws } = await setup();
    await resolveSpec(options(ws, { ESI_BASE_URL: esi.url }));
    const metaBefore = await readFile(cachePaths(ws.root, OLD).meta, 'utf8');
    const result = await resolveSpec(options(ws, { ESI_BASE_URL: esi.url }));
    expect(result.source).toBe('not-modified');
    expect(result.extraSpecs).toEqual([
      { compatibilityDate: OLD, file: cachePaths(ws.root, OLD).spec, source: 'not-modified' },
    ]);
    expect(
      esi.requests.slice(2).map((r) => [dateOf(r.headers), r.headers['if-none-match'], r.status]),
    ).toEqual([
      [DATE, etagOf(spec), 304],
      [OLD, etagOf(oldSpec), 304],
    ]);
    expect(await readFile(cachePaths(ws.root, OLD).meta, 'utf8')).toBe(metaBefore);
    expect(ws.logs).toEqual([]);
  });

  it('changes nothing when ESI_SPEC_FILE is set: no request, no cache, no extras', async () => {
    const { esi, ws } = await setup();
    const result = await resolveSpec(
      options(ws, { ESI_BASE_URL: esi.url, ESI_SPEC_FILE: SPEC_FILE }),
    );
    expect(result).toMatchObject({ source: 'file', file: SPEC_FILE, extraSpecs: [] });
    expect(esi.requests).toEqual([]);
    await expect(readdir(cachePaths(ws.root).dir)).rejects.toThrow(/ENOENT/);
  });

  it('asks ESI nothing more when it is unreachable, and reports the cached extra', async () => {
    const { esi, ws } = await setup();
    await resolveSpec(options(ws, { ESI_BASE_URL: esi.url }));
    const result = await resolveSpec(options(ws, { ESI_BASE_URL: await unreachableUrl() }));
    expect(result.source).toBe('cache');
    expect(result.extraSpecs).toEqual([
      { compatibilityDate: OLD, file: cachePaths(ws.root, OLD).spec, source: 'cache' },
    ]);
    expect(ws.logs).toEqual([expect.stringMatching(/ESI is unreachable .*using the cached spec/)]);
  });

  it('keeps the run going when only the extra date fails, using its cached copy if any', async () => {
    const { esi, ws } = await setup();
    esi.fail = (_path, headers) => (dateOf(headers) === OLD ? 503 : undefined);
    const first = await resolveSpec(options(ws, { ESI_BASE_URL: esi.url }));
    expect(first).toMatchObject({ source: 'downloaded', extraSpecs: [] });
    expect(ws.logs).toEqual([
      expect.stringMatching(/could not get the 2025-12-16 spec \(.*HTTP 503\); none is cached$/),
    ]);

    esi.fail = undefined;
    await resolveSpec(options(ws, { ESI_BASE_URL: esi.url }));
    esi.fail = (_path, headers) => (dateOf(headers) === OLD ? 503 : undefined);
    const third = await resolveSpec(options(ws, { ESI_BASE_URL: esi.url }));
    expect(third.extraSpecs).toEqual([
      { compatibilityDate: OLD, file: cachePaths(ws.root, OLD).spec, source: 'cache' },
    ]);
    expect(ws.logs[1]).toMatch(
      /could not get the 2025-12-16 spec .*; using the cached .*openapi-2025-12-16\.json$/,
    );
  });

  it('stops asking at once after a 429 on an extra date', async () => {
    const { esi, ws } = await setup([
      { date: OLD, bytes: oldSpec },
      { date: OLDER, bytes: olderSpec },
    ]);
    await resolveSpec(options(ws, { ESI_BASE_URL: esi.url }));
    expect(esi.requests).toHaveLength(3);
    esi.fail = (_path, headers) => (dateOf(headers) === OLD ? 429 : undefined);
    esi.failHeaders = { 'retry-after': '9' };
    const result = await resolveSpec(options(ws, { ESI_BASE_URL: esi.url }));
    // The main spec (304), then the 429, then nothing: the third date comes from the cache.
    expect(esi.requests.slice(3).map((r) => [dateOf(r.headers), r.status])).toEqual([
      [DATE, 304],
      [OLD, 429],
    ]);
    expect(result.extraSpecs.map((e) => [e.compatibilityDate, e.source])).toEqual([
      [OLD, 'cache'],
      [OLDER, 'cache'],
    ]);
    expect(ws.logs).toEqual([
      expect.stringMatching(/HTTP 429 \(rate limited\); ESI asks to wait 9 s/),
    ]);
  });

  it('records a new sha256 when ESI changes an extra date in place, and refuses another date', async () => {
    const { esi, ws } = await setup();
    const changed = Buffer.concat([oldSpec, Buffer.from('\n')]);
    esi.specs.set(OLD, changed);
    const result = await resolveSpec(options(ws, { ESI_BASE_URL: esi.url }));
    expect(result.extraSpecs.map((e) => e.source)).toEqual(['downloaded']);
    expect(ws.logs).toEqual([
      expect.stringMatching(
        /warning: ESI changed the spec for 2025-12-16 without a new compatibility date/,
      ),
    ]);
    const lock = await ws.readLock();
    expect(lock.sha256).toBe(sha256Hex(spec));
    expect(lock.extraSpecs).toEqual([{ compatibilityDate: OLD, sha256: sha256Hex(changed) }]);
    expect((await readFile(cachePaths(ws.root, OLD).spec)).equals(changed)).toBe(true);

    // ESI answering the date with another version's document: not cached under this date.
    esi.specs.set(OLD, olderSpec);
    const again = await resolveSpec(options(ws, { ESI_BASE_URL: esi.url }));
    expect(again.extraSpecs.map((e) => e.source)).toEqual(['cache']);
    expect(ws.logs[1]).toMatch(/ESI sent the spec for 2025-06-01 when asked for 2025-12-16/);
    expect((await readFile(cachePaths(ws.root, OLD).spec)).equals(changed)).toBe(true);
  });
});

describe('the lock with extraSpecs', () => {
  it('is read, validated naming the entry, and kept when the main sha256 is rewritten', async () => {
    const { esi, ws } = await setup();
    const before = await readLock(ws.lockFile);
    expect(before.extraSpecs).toEqual([{ compatibilityDate: OLD, sha256: sha256Hex(oldSpec) }]);
    // The main date changed in place: its sha256 is rewritten, the extra entry survives.
    const republished = Buffer.concat([spec, Buffer.from('\n')]);
    esi.specs.set(DATE, republished);
    await resolveSpec(options(ws, { ESI_BASE_URL: esi.url }));
    expect(await ws.readLock()).toEqual({
      compatibilityDate: DATE,
      sha256: sha256Hex(republished),
      url: 'https://esi.evetech.net/meta/openapi.json',
      extraSpecs: [{ compatibilityDate: OLD, sha256: sha256Hex(oldSpec) }],
    });

    const write = (extraSpecs: unknown) =>
      writeFile(
        ws.lockFile,
        JSON.stringify({
          compatibilityDate: DATE,
          sha256: 'a'.repeat(64),
          url: 'https://x',
          extraSpecs,
        }),
      );
    const cases: [unknown, RegExp][] = [
      [
        '2025-12-16',
        /extraSpecs must be a list of \{ compatibilityDate, sha256 \}, got "2025-12-16"/,
      ],
      [
        [{ compatibilityDate: '2025-13-01', sha256: 'a'.repeat(64) }],
        /extraSpecs\[0\]\.compatibilityDate must be a YYYY-MM-DD date, got "2025-13-01"/,
      ],
      [
        [{ compatibilityDate: OLD, sha256: 'nope' }],
        /extraSpecs\[0\]\.sha256 must be 64 lower-case hex digits, got "nope"/,
      ],
      [
        [{ compatibilityDate: DATE, sha256: 'a'.repeat(64) }],
        /extraSpecs\[0\]\.compatibilityDate 2026-08-04 is already locked/,
      ],
      [[null], /extraSpecs\[0\]\.compatibilityDate must be a YYYY-MM-DD date, got undefined/],
    ];
    for (const [extraSpecs, message] of cases) {
      await write(extraSpecs);
      await expect(readLock(ws.lockFile)).rejects.toMatchObject({
        code: 'ESIKIT_CODEGEN_BAD_LOCK',
        message: expect.stringMatching(message),
      });
    }
  });
});
