// Start-up time and memory of the simulator with one spec version and with every version:
//   node --conditions=@esikit/source --import tsx src/measure.ts [spec-file ...]
// (default: the spec findSpecFile() finds plus the openapi-YYYY-MM-DD.json files beside it).
// Each configuration starts in a fresh child process, alternating for a few rounds so both see
// the same machine load; the report gives medians and the all-versions / one-version ratios.
import { execFileSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { loadSpecs, defaultSpecSources } from './internal/versions.js';
import { startSimulator } from './simulator.js';

const ROUNDS = 11;
const mb = (bytes: number): number => Math.round((bytes / 1024 / 1024) * 10) / 10;

interface Sample {
  readonly startupMs: number;
  /** Reading and compiling the specs alone, timed again after start-up (most of the rest is
   * the SSO's RSA key generation, whose time varies a lot from run to run). */
  readonly specLoadMs: number;
  readonly rssReadyMb: number;
  readonly heapReadyMb: number;
  readonly sweep: { readonly requests: number; readonly ms: number; readonly rssAfterMb: number };
}

const gc = (): void => (globalThis as { gc?: () => void }).gc?.();

/** One start-up with `files`, then one GET per route at each date: runs in the child. */
async function sample(files: string[]): Promise<Sample> {
  gc();
  const t0 = performance.now();
  const sim = await startSimulator({ specs: files });
  const startupMs = performance.now() - t0;
  gc();
  const rssReady = process.memoryUsage().rss;
  const heapReady = process.memoryUsage().heapUsed;
  // Touch every GET of every date once (public ones without auth; scoped ones answer 401
  // cheaply), so each date's router, schemas and memo are warm, then measure again.
  const t1 = performance.now();
  let requests = 0;
  for (const table of sim.tables) {
    for (const op of table.operations.filter((o) => o.method === 'GET')) {
      const path = op.path.replace(/\{[^}]+\}/g, (m) =>
        m.includes('hash')
          ? 'abc'
          : op.parameters.some((p) => `{${p.name}}` === m && p.format === 'uuid')
            ? '8b9e2e0a-6c1f-4c6e-9f0a-2d3b4c5d6e7f'
            : '1',
      );
      const required = op.parameters.filter((p) => p.in === 'query' && p.required);
      const query = required
        .map((p) => `${p.name}=${p.enum ? String(p.enum[0]) : p.type === 'integer' ? '34' : 'x'}`)
        .join('&');
      const res = await fetch(`${sim.esiUrl}${path}${query ? `?${query}` : ''}`, {
        headers: {
          'user-agent': 'esikit-measure/0.1',
          'x-compatibility-date': table.compatibilityDate,
        },
      });
      await res.arrayBuffer();
      requests++;
    }
  }
  const sweepMs = performance.now() - t1;
  const rssAfter = process.memoryUsage().rss;
  await sim.close();
  const t2 = performance.now();
  await loadSpecs(files, 'specs', false);
  const specLoadMs = performance.now() - t2;
  return {
    startupMs: Math.round(startupMs),
    specLoadMs: Math.round(specLoadMs),
    rssReadyMb: mb(rssReady),
    heapReadyMb: mb(heapReady),
    sweep: { requests, ms: Math.round(sweepMs), rssAfterMb: mb(rssAfter) },
  };
}

function child(files: string[]): Sample {
  const out = execFileSync(
    process.execPath,
    [...process.execArgv, '--expose-gc', fileURLToPath(import.meta.url), '--child', ...files],
    { encoding: 'utf8' },
  );
  return JSON.parse(out) as Sample;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

if (process.argv[2] === '--child') {
  process.stdout.write(JSON.stringify(await sample(process.argv.slice(3))));
} else {
  const given = process.argv.slice(2);
  // Without ESI_SPEC_FILE or a pipeline cache, the workspace's shared copy (and its siblings).
  process.env.ESI_SPEC_FILE ??= fileURLToPath(
    new URL('../../../../shared/esi/openapi.json', import.meta.url),
  );
  const files = given.length > 0 ? given : await defaultSpecSources();
  // Newest last: "one version" is what the simulator served before it knew several.
  const dated = await loadSpecs(files, 'specs', true);
  const byDate = new Map<string, string>();
  for (const file of files) {
    const [spec] = await loadSpecs([file], 'specs', true);
    byDate.set(spec!.date, file);
  }
  const all = dated.map((d) => byDate.get(d.date)!);
  const one = [all[all.length - 1]!];
  const runs: { one: Sample[]; all: Sample[] } = { one: [], all: [] };
  for (let round = 0; round < ROUNDS; round++) {
    runs.one.push(child(one));
    runs.all.push(child(all));
  }
  const summary = (samples: Sample[]) => ({
    startupMs: median(samples.map((s) => s.startupMs)),
    specLoadMs: median(samples.map((s) => s.specLoadMs)),
    rssReadyMb: median(samples.map((s) => s.rssReadyMb)),
    heapReadyMb: median(samples.map((s) => s.heapReadyMb)),
    sweepRequests: samples[0]!.sweep.requests,
    rssAfterSweepMb: median(samples.map((s) => s.sweep.rssAfterMb)),
  });
  const a = summary(runs.one);
  const b = summary(runs.all);
  const ratio = (x: number, y: number): number => Math.round((y / x) * 100) / 100;
  process.stdout.write(
    `${JSON.stringify(
      {
        node: process.version,
        rounds: ROUNDS,
        oneVersion: { dates: dated.slice(-1).map((d) => d.date), ...a },
        allVersions: { dates: dated.map((d) => d.date), ...b },
        ratio: {
          startup: ratio(a.startupMs, b.startupMs),
          specLoad: ratio(a.specLoadMs, b.specLoadMs),
          rssReady: ratio(a.rssReadyMb, b.rssReadyMb),
          heapReady: ratio(a.heapReadyMb, b.heapReadyMb),
          rssAfterSweep: ratio(a.rssAfterSweepMb, b.rssAfterSweepMb),
        },
        samples: runs,
      },
      null,
      2,
    )}\n`,
  );
}
