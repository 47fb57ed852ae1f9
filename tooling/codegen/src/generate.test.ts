import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { compileOperationDocs, compileSpec } from '@esikit/spec';
import { sha256Hex } from './cache.js';
import { generate, renderModules } from './generate.js';
import { OLD_SPEC_FILE, SPEC_FILE } from '../test/spec-files.js';
import { typecheckDir } from '../test/typecheck.js';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'esikit-codegen-'));
  dirs.push(dir);
  return dir;
}

async function loadSpec(file: string) {
  const bytes = await readFile(file);
  return { document: JSON.parse(bytes.toString('utf8')) as unknown, sha256: sha256Hex(bytes) };
}

function operationEntries(types: string): string[] {
  const start = types.indexOf('export interface Operations {');
  const end = types.indexOf('\n}\n', start);
  return [...types.slice(start, end).matchAll(/^ {2}([A-Za-z0-9]+): \{$/gm)].map((m) => m[1]!);
}

// A consumer of the generated types: every @ts-expect-error must be an error, everything else not.
const CONSUMER = `
import type { Operations, OperationId, Tags, MarketsRegionIdOrdersGet } from './generated/index.js';
import { operationTable, tagMethods, SPEC_COMPATIBILITY_DATE } from './generated/index.js';

type Params<K extends OperationId> = Operations[K]['params'];
const orders: Params<'GetMarketsRegionIdOrders'> = { region_id: 10000002 };
const sell: Params<'GetMarketsRegionIdOrders'> = { region_id: 1, order_type: 'sell', page: 2 };
// @ts-expect-error region_id is a required path parameter
const noRegion: Params<'GetMarketsRegionIdOrders'> = { order_type: 'buy' };
// @ts-expect-error order_type is an enum
const badEnum: Params<'GetMarketsRegionIdOrders'> = { region_id: 1, order_type: 'both' };
const row: MarketsRegionIdOrdersGet[number] | undefined = undefined as unknown as Operations['GetMarketsRegionIdOrders']['response'][number];
const price: number | undefined = row?.price;
const deleted: Operations['DeleteFleetsFleetIdWingsWingId']['response'] = undefined;
const pages: Operations['GetMarketsRegionIdOrders']['pagination'] = 'pages';
// @ts-expect-error the pagination kind is a literal
const wrong: Operations['GetMarketsRegionIdOrders']['pagination'] = 'cursor';
const method: Tags['Market']['getMarketsRegionIdOrders'] = 'GetMarketsRegionIdOrders';
const fw: keyof Tags['FactionWarfare'] = 'getFwStats';
const first: string | undefined = operationTable.operations[0]?.id;
const market: string | undefined = tagMethods['Market']?.['getMarketsRegionIdOrders'];
export const all = [orders, sell, noRegion, badEnum, price, deleted, pages, wrong, method, fw, first, market, SPEC_COMPATIBILITY_DATE];
`;

describe('generate', () => {
  for (const [label, file] of [
    ['2026-08-04', SPEC_FILE],
    ['2025-12-16', OLD_SPEC_FILE],
  ] as const) {
    it(`generates modules from the ${label} spec that pass strict tsc with zero diagnostics`, async () => {
      const { document, sha256 } = await loadSpec(file);
      const dir = await tempDir();
      const result = await generate({ outDir: join(dir, 'src', 'generated'), document, sha256 });
      expect(result.compatibilityDate).toBe(label);
      expect(result.files.map((f) => f.slice(dir.length))).toEqual([
        '/src/generated/types.ts',
        '/src/generated/operations.ts',
        '/src/generated/docs.ts',
        '/src/generated/index.ts',
      ]);
      const diagnostics = typecheckDir(
        dir,
        result.files.map((f) => f.slice(dir.length + 1)),
      );
      expect(diagnostics).toEqual([]);

      const types = await readFile(result.files[0]!, 'utf8');
      const table = compileSpec(document);
      expect(operationEntries(types)).toEqual(table.operations.map((op) => op.id));
      if (label === '2026-08-04') expect(operationEntries(types)).toHaveLength(225);
      for (const name of Object.keys(
        (document as { components: { schemas: object } }).components.schemas,
      )) {
        expect(types).toMatch(new RegExp(`^export (interface|type) ${name}\\b`, 'm'));
      }
    });
  }

  it('emits types a strict consumer can use, and rejects misuse', async () => {
    const { document, sha256 } = await loadSpec(SPEC_FILE);
    const dir = await tempDir();
    await generate({ outDir: join(dir, 'src', 'generated'), document, sha256 });
    await writeFile(join(dir, 'src', 'consumer.ts'), CONSUMER);
    expect(typecheckDir(dir, ['src/consumer.ts'])).toEqual([]);
    // The same file without its expect-error lines must fail, proving the check has teeth.
    await writeFile(
      join(dir, 'src', 'consumer.ts'),
      CONSUMER.replaceAll('// @ts-expect-error', '// no longer expected:'),
    );
    expect(typecheckDir(dir, ['src/consumer.ts'])).toHaveLength(3);
  });

  it('is byte-identical for the same spec and carries the date and sha256 in every header', async () => {
    const { document, sha256 } = await loadSpec(SPEC_FILE);
    const a = await tempDir();
    const b = await tempDir();
    const first = await generate({ outDir: a, document, sha256 });
    const second = await generate({ outDir: b, document: structuredClone(document), sha256 });
    for (const [i, file] of first.files.entries()) {
      const bytes = await readFile(file);
      expect(bytes.equals(await readFile(second.files[i]!))).toBe(true);
      expect(bytes.toString('utf8').split('\n')[0]).toBe(
        `// generated from ESI spec 2026-08-04 (sha256 ${sha256}) by @esikit/codegen - do not edit`,
      );
    }
    // Regenerating in place changes nothing.
    const again = await generate({ outDir: a, document, sha256 });
    expect(again.changed).toEqual([]);
  });

  it('writes an operation table that parses back to exactly what compileSpec produces', async () => {
    const { document, sha256 } = await loadSpec(SPEC_FILE);
    const dir = await tempDir();
    const result = await generate({ outDir: dir, document, sha256 });
    const mod = (await import(pathToFileURL(result.files[1]!).href)) as Record<string, unknown>;
    expect(mod.operationTable).toEqual(compileSpec(document));
    expect(mod.SPEC_SHA256).toBe(sha256);
    expect(mod.SPEC_COMPATIBILITY_DATE).toBe('2026-08-04');
    const tagMethods = mod.tagMethods as Record<string, Record<string, string>>;
    expect(tagMethods.FactionWarfare?.getFwStats).toBe('GetFwStats');
    expect(tagMethods.Market?.getMarketsRegionIdOrders).toBe('GetMarketsRegionIdOrders');
    const grouped = Object.values(tagMethods)
      .flatMap((m) => Object.values(m))
      .sort();
    expect(grouped).toEqual(compileSpec(document).operations.map((op) => op.id));
  });

  it('writes the docs module apart, parsing back to compileOperationDocs, never re-exported', async () => {
    const { document, sha256 } = await loadSpec(SPEC_FILE);
    const dir = await tempDir();
    const result = await generate({ outDir: dir, document, sha256 });
    const mod = (await import(pathToFileURL(result.files[2]!).href)) as Record<string, unknown>;
    expect(mod.operationDocs).toEqual(compileOperationDocs(document));
    // The client loads it on demand; re-exporting it would parse it at every start-up.
    expect(await readFile(result.files[3]!, 'utf8')).not.toContain('docs');
  });

  it('documents the int64 policy and makes defaulted required parameters optional', () => {
    return loadSpec(SPEC_FILE).then(({ document, sha256 }) => {
      const types = renderModules(document, sha256).get('types.ts')!;
      expect(types).toContain('below 2^53');
      expect(types).toContain('typed error');
      const orders = types.slice(types.indexOf('  GetMarketsRegionIdOrders: {'));
      expect(orders).toMatch(/^ {6}order_type\?: 'buy' \| 'sell' \| 'all';$/m);
      expect(orders).toMatch(/^ {6}region_id: number;$/m);
      const waypoint = types.slice(types.indexOf('  PostUiAutopilotWaypoint: {'));
      expect(waypoint).toMatch(/^ {6}add_to_beginning\?: boolean;$/m);
      expect(waypoint).toMatch(/^ {6}destination_id: number;$/m);
      expect(waypoint).toMatch(/^ {4}response: undefined;$/m);
    });
  });
});
