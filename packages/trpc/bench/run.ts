// `pnpm bench` for @esikit/trpc: each figure beside a baseline measured in the same run.
//  1. building the full router (every operation) — target ≤ 10 ms;
//  2. an ESI GET through the generated procedure over HTTP vs a hand-written procedure calling
//     core, same server, same client, alternating — target ≤ 1.05×;
//  3. a createCaller call vs a direct core call, both cache hits — reported;
//  4. `tsc --noEmit` of an app using the full router vs the same app with three hand-written
//     procedures, with --extendedDiagnostics instantiation counts — target ≤ 2×.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createEsiClient } from '@esikit/core';
import { SimulatorClock, startSimulator } from '@esikit/simulator';
import { createTRPCClient, httpBatchLink } from '@trpc/client';
import { initTRPC } from '@trpc/server';
import { getProcedureAtPath } from '@trpc/server/unstable-core-do-not-import';
import { createHTTPServer } from '@trpc/server/adapters/standalone';
import { createEsiRouter } from '@esikit/trpc';

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));
// CCP's spec: ESI_SPEC_FILE (relative to the cwd or the repo root), else the shared copy.
const specFile = ((): string => {
  const env = process.env.ESI_SPEC_FILE;
  if (!env) return here('../../../../shared/esi/openapi.json');
  return [resolve(env), resolve(here('../../../'), env)].find((p) => existsSync(p)) ?? env;
})();

function stats(ns: bigint[]): { n: number; p50: number; mean: number } {
  const ms = ns.map((x) => Number(x) / 1e6).sort((a, b) => a - b);
  return {
    n: ms.length,
    p50: ms[Math.floor(ms.length / 2)]!,
    mean: ms.reduce((a, b) => a + b, 0) / ms.length,
  };
}
const fmt = (ms: number): string =>
  ms < 0.1
    ? `${(ms * 1000).toFixed(1)} µs`
    : ms < 10
      ? `${ms.toFixed(3)} ms`
      : `${ms.toFixed(1)} ms`;
async function timed(fn: () => unknown): Promise<bigint> {
  const start = process.hrtime.bigint();
  await fn();
  return process.hrtime.bigint() - start;
}

const clock = new SimulatorClock();
clock.freeze(Date.UTC(2026, 10, 22, 12, 0, 1));
const sim = await startSimulator({ spec: specFile, clock });
const app = {
  appInfo: { name: 'esikit-trpc-bench', version: '1.0.0' },
  contactEmail: 'bench@esikit.invalid',
};
const esi = createEsiClient({ ...app, baseUrl: sim.esiUrl, clock: () => sim.clock.now() });
const rows: { measure: string; esikit: string; baseline: string; ratio: string; target: string }[] =
  [];
const results: Record<string, unknown> = {};

// 1. Building the router.
{
  const t = initTRPC.create();
  const cold = await timed(() =>
    createEsiRouter(t, { esi: createEsiClient({ ...app, baseUrl: sim.esiUrl }) }),
  );
  await esi.operations();
  const warm: bigint[] = [];
  for (let i = 0; i < 60; i++) warm.push(await timed(() => createEsiRouter(t, { esi })));
  const s = stats(warm.slice(10));
  // The live subtree is a lazy sub-router: its cost lands on the first subscription.
  const liveLoad: bigint[] = [];
  for (let i = 0; i < 40; i++) {
    const router = await createEsiRouter(t, { esi });
    liveLoad.push(await timed(() => getProcedureAtPath(router, 'live.status.getStatus')));
  }
  const l = stats(liveLoad.slice(5));
  const coldMs = Number(cold) / 1e6;
  rows.push({
    measure: '1. build the full router (p50, table loaded)',
    esikit: fmt(s.p50),
    baseline: '',
    ratio: '',
    target: '≤ 10 ms',
  });
  rows.push({
    measure: '   … live subtree, built on the first subscription (p50)',
    esikit: fmt(l.p50),
    baseline: '',
    ratio: '',
    target: 'report',
  });
  rows.push({
    measure: '   … first build, loading the operation table',
    esikit: fmt(coldMs),
    baseline: '',
    ratio: '',
    target: 'report',
  });
  results.build = { warm: s, coldMs, liveLoad: l };
}

// 2. ESI GET over HTTP: generated procedure vs hand-written one, same server, alternating.
{
  const t = initTRPC.create();
  const router = t.router({
    esi: await createEsiRouter(t, { esi }),
    hand: t.procedure.query(({ signal }) =>
      esi.request('GetStatus').result(signal ? { signal } : {}),
    ),
  });
  const server = createHTTPServer({ router });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const trpc = createTRPCClient<typeof router>({ links: [httpBatchLink({ url })] });
  await esi.request('GetStatus').result(); // both sides then answer from core's cache
  const generated: bigint[] = [];
  const hand: bigint[] = [];
  for (let i = 0; i < 3000; i++) {
    const a = () => trpc.esi.status.getStatus.query();
    const b = () => trpc.hand.query();
    if (i % 2 === 0) {
      generated.push(await timed(a));
      hand.push(await timed(b));
    } else {
      hand.push(await timed(b));
      generated.push(await timed(a));
    }
  }
  const g = stats(generated.slice(300));
  const h = stats(hand.slice(300));
  rows.push({
    measure: '2. ESI GET over HTTP (p50)',
    esikit: fmt(g.p50),
    baseline: `${fmt(h.p50)} (hand-written procedure)`,
    ratio: `${(g.p50 / h.p50).toFixed(3)}×`,
    target: '≤ 1.05×',
  });
  rows.push({
    measure: '   … mean',
    esikit: fmt(g.mean),
    baseline: fmt(h.mean),
    ratio: `${(g.mean / h.mean).toFixed(3)}×`,
    target: '≤ 1.05×',
  });
  results.http = { generated: g, hand: h };
  server.closeAllConnections();
  await new Promise<void>((ok) => server.close(() => ok()));
}

// 3. createCaller vs direct core call, cache hits.
{
  const t = initTRPC.create();
  const router = await createEsiRouter(t, { esi });
  const caller = t.createCallerFactory(router)({});
  const viaCaller: bigint[] = [];
  const direct: bigint[] = [];
  for (let i = 0; i < 20000; i++) {
    viaCaller.push(await timed(() => caller.status.getStatus()));
    direct.push(await timed(() => esi.request('GetStatus').result()));
  }
  const c = stats(viaCaller.slice(2000));
  const d = stats(direct.slice(2000));
  rows.push({
    measure: '3. createCaller call, cache hit (p50)',
    esikit: fmt(c.p50),
    baseline: `${fmt(d.p50)} (core call)`,
    ratio: `${(c.p50 / d.p50).toFixed(2)}×`,
    target: 'report',
  });
  results.caller = { caller: c, direct: d };
}

const violations = sim.stats().violations;
await esi.close();
await sim.close();

// 4. Type-checking cost.
{
  const tsc = here('../../../node_modules/typescript/bin/tsc');
  const run = (name: string) => {
    const out = execFileSync(
      process.execPath,
      [tsc, '-p', here(`typecheck/tsconfig.${name}.json`), '--extendedDiagnostics'],
      { encoding: 'utf8' },
    );
    const num = (label: string): number =>
      Number(new RegExp(`${label}:\\s+([\\d.]+)`).exec(out)?.[1]);
    return {
      total: num('Total time'),
      check: num('Check time'),
      instantiations: num('Instantiations'),
      types: num('Types'),
    };
  };
  const full: ReturnType<typeof run>[] = [];
  const hand: ReturnType<typeof run>[] = [];
  for (let i = 0; i < 3; i++) {
    full.push(run('full'));
    hand.push(run('hand'));
  }
  const median = (xs: number[]): number => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const f = {
    total: median(full.map((x) => x.total)),
    check: median(full.map((x) => x.check)),
    instantiations: full[0]!.instantiations,
    types: full[0]!.types,
  };
  const h = {
    total: median(hand.map((x) => x.total)),
    check: median(hand.map((x) => x.check)),
    instantiations: hand[0]!.instantiations,
    types: hand[0]!.types,
  };
  rows.push({
    measure: '4. tsc --noEmit, full router app (median of 3)',
    esikit: `${f.total.toFixed(2)} s`,
    baseline: `${h.total.toFixed(2)} s (3 hand-written procedures)`,
    ratio: `${(f.total / h.total).toFixed(2)}×`,
    target: '≤ 2×',
  });
  rows.push({
    measure: '   … check time',
    esikit: `${f.check.toFixed(2)} s`,
    baseline: `${h.check.toFixed(2)} s`,
    ratio: `${(f.check / h.check).toFixed(2)}×`,
    target: 'report',
  });
  rows.push({
    measure: '   … instantiations',
    esikit: String(f.instantiations),
    baseline: String(h.instantiations),
    ratio: `${(f.instantiations / h.instantiations).toFixed(2)}×`,
    target: 'report',
  });
  rows.push({
    measure: '   … types',
    esikit: String(f.types),
    baseline: String(h.types),
    ratio: `${(f.types / h.types).toFixed(2)}×`,
    target: 'report',
  });
  results.typecheck = { full, hand };
}

const widths = ['measure', 'esikit', 'baseline', 'ratio', 'target'].map((k) =>
  Math.max(k.length, ...rows.map((r) => r[k as keyof (typeof rows)[number]].length)),
);
const line = (cells: string[]): string =>
  `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
process.stdout.write(`${line(['measure', 'esikit', 'baseline', 'ratio', 'target'])}\n`);
process.stdout.write(`${line(widths.map((w) => '-'.repeat(w)))}\n`);
for (const r of rows)
  process.stdout.write(`${line([r.measure, r.esikit, r.baseline, r.ratio, r.target])}\n`);
process.stdout.write(`simulator violations: ${JSON.stringify(violations)}\n`);
const outDir = here('../../../bench-results');
mkdirSync(outDir, { recursive: true });
const file = `${outDir}/trpc-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
writeFileSync(file, JSON.stringify({ node: process.version, rows, results, violations }, null, 2));
process.stdout.write(`raw samples: ${file}\n`);
