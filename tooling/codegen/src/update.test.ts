import { readFile } from 'node:fs/promises';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { diffSpecDocuments, formatSpecDiff } from '@esikit/spec';
import { cachePaths, sha256Hex } from './cache.js';
import { esiToday, updateSpec } from './update.js';
import { startFakeEsi, unreachableUrl } from '../test/fake-esi.js';
import type { FakeEsi } from '../test/fake-esi.js';
import { OLD_SPEC_FILE, SPEC_FILE } from '../test/spec-files.js';
import { tempWorkspace } from '../test/workspace.js';
import type { TempWorkspace } from '../test/workspace.js';

const OLD = '2025-12-16';
const NEW = '2026-08-04';
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

/** A spec for a date that has not arrived yet: the current one with another info.version. */
function futureSpec(date: string): Buffer {
  const doc = JSON.parse(spec.toString('utf8')) as { info: { version: string } };
  doc.info.version = date;
  return Buffer.from(JSON.stringify(doc));
}

function options(w: TempWorkspace, url: string, now: string) {
  return {
    root: w.root,
    lockFile: w.lockFile,
    env: { ESI_BASE_URL: url },
    log: w.log,
    print: w.print,
    now: () => new Date(now),
  };
}

describe('esiToday', () => {
  it('turns the day at 11:00 UTC, when ESI comes back from downtime', () => {
    expect(esiToday(new Date('2026-09-01T10:59:59Z'))).toBe('2026-08-31');
    expect(esiToday(new Date('2026-09-01T11:00:00Z'))).toBe('2026-09-01');
    expect(esiToday(new Date('2026-01-01T03:00:00Z'))).toBe('2025-12-31');
  });
});

describe('updateSpec', () => {
  it("locks the newest date not after ESI's today, prints the diff and refreshes the cache", async () => {
    esi = await startFakeEsi();
    esi.specs.set(OLD, oldSpec);
    esi.specs.set(NEW, spec);
    esi.specs.set('2026-09-01', futureSpec('2026-09-01'));
    esi.dates = [OLD, '2026-09-01', NEW];
    ws = await tempWorkspace(OLD, oldSpec);

    // 10:00 UTC on 1 September is still 31 August for ESI, so 2026-09-01 must be skipped.
    const result = await updateSpec(options(ws, esi.url, '2026-09-01T10:00:00Z'));

    expect(result).toMatchObject({
      previousDate: OLD,
      date: NEW,
      changed: true,
      sha256: sha256Hex(spec),
    });
    expect(await ws.readLock()).toEqual({
      compatibilityDate: NEW,
      sha256: sha256Hex(spec),
      url: 'https://esi.evetech.net/meta/openapi.json',
    });
    const expected = formatSpecDiff(
      diffSpecDocuments(JSON.parse(oldSpec.toString()), JSON.parse(spec.toString())),
    );
    expect(ws.printed).toEqual([expected]);
    expect(expected).toMatch(/^ESI spec 2025-12-16 → 2026-08-04: [1-9]\d* added/);
    expect((await readFile(cachePaths(ws.root).spec)).equals(spec)).toBe(true);
    const dated = esi.requests.filter((r) => r.path === '/meta/openapi.json');
    expect(dated.map((r) => r.headers['x-compatibility-date'])).toEqual([OLD, NEW]);
    expect(
      esi.requests.every((r) => String(r.headers['user-agent']).startsWith('esikit-codegen/')),
    ).toBe(true);
    expect(esi.requests.some((r) => r.headers['x-compatibility-date'] === '2026-09-01')).toBe(
      false,
    );
  });

  it('takes the future date once ESI has reached it', async () => {
    esi = await startFakeEsi();
    const future = futureSpec('2026-09-01');
    esi.specs.set(NEW, spec);
    esi.specs.set('2026-09-01', future);
    esi.dates = [NEW, '2026-09-01'];
    ws = await tempWorkspace(NEW, spec);

    const result = await updateSpec(options(ws, esi.url, '2026-09-01T11:00:00Z'));
    expect(result).toMatchObject({ date: '2026-09-01', sha256: sha256Hex(future), changed: true });
    expect(ws.printed[0]).toMatch(
      /^ESI spec 2026-08-04 → 2026-09-01: 0 added, 0 removed, 0 changed$/,
    );
  });

  it('reports an up-to-date lock without rewriting it, using the cache for the comparison', async () => {
    esi = await startFakeEsi();
    esi.specs.set(NEW, spec);
    esi.dates = [NEW];
    ws = await tempWorkspace(NEW, spec);
    await updateSpec(options(ws, esi.url, '2026-10-01T12:00:00Z'));
    const lockBefore = await readFile(ws.lockFile, 'utf8');
    esi.requests.length = 0;

    const result = await updateSpec(options(ws, esi.url, '2026-10-01T12:00:00Z'));
    expect(result.changed).toBe(false);
    expect(await readFile(ws.lockFile, 'utf8')).toBe(lockBefore);
    expect(ws.logs.at(-1)).toMatch(/the lock is already at 2026-08-04/);
    // The locked spec came from the cache; the one request for it was a revalidation.
    const specRequests = esi.requests.filter((r) => r.path === '/meta/openapi.json');
    expect(specRequests.map((r) => r.status)).toEqual([304]);
  });

  it('refuses when ESI lists no usable date, leaving the lock alone', async () => {
    esi = await startFakeEsi();
    esi.dates = ['2030-01-01'];
    ws = await tempWorkspace(NEW, spec);
    const lockBefore = await readFile(ws.lockFile, 'utf8');
    await expect(updateSpec(options(ws, esi.url, '2026-10-01T12:00:00Z'))).rejects.toMatchObject({
      code: 'ESIKIT_CODEGEN_NO_DATE',
      message: expect.stringContaining('no compatibility date on or before 2026-10-01'),
    });
    esi.dates = ['yesterday'];
    await expect(updateSpec(options(ws, esi.url, '2026-10-01T12:00:00Z'))).rejects.toMatchObject({
      code: 'ESIKIT_CODEGEN_FETCH_FAILED',
    });
    expect(await readFile(ws.lockFile, 'utf8')).toBe(lockBefore);
  });

  it('makes no further request after a 420 and leaves the lock alone', async () => {
    esi = await startFakeEsi();
    esi.specs.set(OLD, oldSpec);
    esi.specs.set(NEW, spec);
    esi.dates = [OLD, NEW];
    ws = await tempWorkspace(OLD, oldSpec);
    const lockBefore = await readFile(ws.lockFile, 'utf8');
    // Fetching the locked spec for the comparison hits the error limit.
    esi.fail = (path, headers) =>
      path === '/meta/openapi.json' && headers['x-compatibility-date'] === OLD ? 420 : undefined;
    esi.failHeaders = { 'x-esi-error-limit-reset': '42' };

    await expect(updateSpec(options(ws, esi.url, '2026-10-01T12:00:00Z'))).rejects.toMatchObject({
      code: 'ESIKIT_CODEGEN_RATE_LIMITED',
      message: expect.stringContaining('ESI asks to wait 42 s'),
    });
    expect(esi.requests.map((r) => r.status)).toEqual([200, 420]);
    expect(await readFile(ws.lockFile, 'utf8')).toBe(lockBefore);
  });

  it('fails without touching the lock when ESI is unreachable', async () => {
    ws = await tempWorkspace(NEW, spec);
    const lockBefore = await readFile(ws.lockFile, 'utf8');
    await expect(
      updateSpec(options(ws, await unreachableUrl(), '2026-10-01T12:00:00Z')),
    ).rejects.toThrow(/ECONNREFUSED/);
    expect(await readFile(ws.lockFile, 'utf8')).toBe(lockBefore);
  });
});
