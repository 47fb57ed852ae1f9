// The @esikit/graphql benchmark (`pnpm bench`): against @omnigraph/openapi on the same spec and
// the same simulator, and against doing the same work with core by hand, in one run.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { execute, parse, type GraphQLEnumType } from 'graphql';
import { createSchema, createYoga } from 'graphql-yoga';
import { createEsiClient } from '@esikit/core';
import { SimulatorClock, startSimulator } from '@esikit/simulator';
import { createEsiSchema, useEsi } from '../src/index.js';

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const specFile = ((): string => {
  const env = process.env.ESI_SPEC_FILE;
  if (env) {
    const found = [resolve(env), resolve(repoRoot, env)].find((f) => existsSync(f));
    if (found) return found;
  }
  return fileURLToPath(new URL('../../../../shared/esi/openapi.json', import.meta.url));
})();
const APP = {
  appInfo: { name: 'esikit-bench', version: '0.0.0' },
  contactEmail: 'bench@esikit.invalid',
} as const;
const UA = 'esikit-bench/0.0.0 (bench@esikit.invalid) omnigraph';
const quiet = {
  log: () => undefined,
  warn: () => undefined,
  info: () => undefined,
  debug: () => undefined,
  error: () => undefined,
  child: () => quiet,
} as never;
const COLD_RUNS = Number(process.env.BENCH_COLD_RUNS ?? 5);
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 200);

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
};
const ms = (x: number): string => (x < 10 ? `${x.toFixed(2)} ms` : `${x.toFixed(0)} ms`);

interface Cold {
  /** graphql-js, imported first by both (the same copy): counted apart, alike for both. */
  graphqlMs: number;
  importMs: number;
  buildMs: number;
  totalMs: number;
  maxRssMb: number;
  fields: number;
  source: string;
}

async function coldOnce(
  mode: 'esikit' | 'esikit-spec' | 'omnigraph' | 'bare' | 'graphql' | 'undici',
): Promise<Cold> {
  const { stdout } = await run(
    process.execPath,
    [fileURLToPath(new URL('./cold-child.mjs', import.meta.url)), mode, specFile],
    { cwd: fileURLToPath(new URL('..', import.meta.url)), maxBuffer: 1 << 24 },
  );
  return JSON.parse(stdout) as Cold;
}

const summarizeCold = (samples: Cold[]): Cold => {
  const pick = (k: Exclude<keyof Cold, 'source'>): number => median(samples.map((s) => s[k]));
  return {
    graphqlMs: pick('graphqlMs'),
    importMs: pick('importMs'),
    buildMs: pick('buildMs'),
    totalMs: pick('totalMs'),
    maxRssMb: pick('maxRssMb'),
    fields: pick('fields'),
    source: samples[0]?.source ?? '',
  };
};

interface ColdRuns {
  ours: Cold;
  oursFromSpec: Cold;
  theirs: Cold | string;
  bare: Cold;
  graphqlOnly: Cold;
  undici: Cold;
}

/** Every mode, interleaved, so the machine's load falls on all alike. */
async function cold(): Promise<ColdRuns> {
  const ours: Cold[] = [];
  const fromSpec: Cold[] = [];
  const theirs: Cold[] = [];
  const bare: Cold[] = [];
  const graphqlOnly: Cold[] = [];
  const undici: Cold[] = [];
  let omniFailure: string | undefined;
  for (let i = 0; i < COLD_RUNS; i++) {
    bare.push(await coldOnce('bare'));
    graphqlOnly.push(await coldOnce('graphql'));
    undici.push(await coldOnce('undici'));
    ours.push(await coldOnce('esikit'));
    fromSpec.push(await coldOnce('esikit-spec'));
    if (omniFailure === undefined)
      try {
        theirs.push(await coldOnce('omnigraph'));
      } catch (error) {
        omniFailure = `failed: ${(error as Error).message.split('\n')[0]}`;
      }
  }
  return {
    ours: summarizeCold(ours),
    oursFromSpec: summarizeCold(fromSpec),
    theirs: omniFailure ?? summarizeCold(theirs),
    bare: summarizeCold(bare),
    graphqlOnly: summarizeCold(graphqlOnly),
    undici: summarizeCold(undici),
  };
}

/** Medians of `fns` run alternately `n` times each, so the machine's load falls on all alike. */
async function timeEach(
  n: number,
  before: () => void,
  ...fns: (() => Promise<unknown>)[]
): Promise<number[]> {
  const samples: number[][] = fns.map(() => []);
  for (let i = 0; i < n; i++)
    for (const [k, fn] of fns.entries()) {
      before();
      const t = performance.now();
      await fn();
      samples[k]!.push(performance.now() - t);
    }
  return samples.map(median);
}

const lines: string[] = [];
const out = (s: string): void => {
  lines.push(s);
  process.stdout.write(`${s}\n`);
};

// 1. Schema ready: import + build, peak RSS, each in fresh processes. Built packages, as users
// run them: build spec, core and this package first.
for (const dir of ['../../spec', '../../core', '..'])
  await run('npx', ['tsc', '-p', 'tsconfig.build.json'], {
    cwd: fileURLToPath(new URL(dir, import.meta.url)),
  });
const { ours, oursFromSpec, theirs, bare, graphqlOnly, undici } = await cold();
out(`## @esikit/graphql benchmark (spec ${specFile.split('/').pop()}, medians)`);
out('');
const x = (a: number, b: number): string => `${(b / a).toFixed(1)}× faster`;
const lib = (c: Cold): number => c.importMs + c.buildMs;
out(
  '| schema ready (fresh process, built packages) | @esikit/graphql (generated table) | @esikit/graphql (spec file at run time) | @omnigraph/openapi 0.112 | ratio (generated table) |',
);
out('| --- | --- | --- | --- | --- |');
if (typeof theirs === 'string') {
  out(`| import + build | ${ms(ours.totalMs)} | ${ms(oursFromSpec.totalMs)} | ${theirs} | — |`);
} else {
  out(
    `| graphql-js import (both load the same copy, first) | ${ms(ours.graphqlMs)} | ${ms(oursFromSpec.graphqlMs)} | ${ms(theirs.graphqlMs)} | same module (alone: ${ms(graphqlOnly.graphqlMs)}) |`,
  );
  out(
    `| library import (after graphql-js) | ${ms(ours.importMs)} | ${ms(oursFromSpec.importMs)} | ${ms(theirs.importMs)} | ${x(ours.importMs, theirs.importMs)} |`,
  );
  out(
    `| build (operation table + schema) | ${ms(ours.buildMs)} | ${ms(oursFromSpec.buildMs)} | ${ms(theirs.buildMs)} | ${x(ours.buildMs, theirs.buildMs)} |`,
  );
  out(
    `| what the library adds (import + build, graphql-js apart) | ${ms(lib(ours))} | ${ms(lib(oursFromSpec))} | ${ms(lib(theirs))} | ${x(lib(ours), lib(theirs))} (target ≥ 10×) |`,
  );
  // Core imports undici (its connection pool) when it loads, though building a schema sends
  // nothing; measured alone so the figures show what loading it on first use would change.
  out(
    `| … of which undici, imported alone after graphql-js (core loads it for its HTTP pool) | ${ms(undici.importMs)} | | | |`,
  );
  out(
    `| … what the library adds less undici (derived) | ${ms(lib(ours) - undici.importMs)} | | ${ms(lib(theirs))} | ${x(lib(ours) - undici.importMs, lib(theirs))} |`,
  );
  out(
    `| schema ready, graphql-js included | ${ms(ours.totalMs)} | ${ms(oursFromSpec.totalMs)} | ${ms(theirs.totalMs)} | ${x(ours.totalMs, theirs.totalMs)} |`,
  );
  out(
    `| peak RSS | ${ours.maxRssMb.toFixed(0)} MB | ${oursFromSpec.maxRssMb.toFixed(0)} MB | ${theirs.maxRssMb.toFixed(0)} MB | ${(ours.maxRssMb / theirs.maxRssMb).toFixed(2)} (target ≤ 0.5) |`,
  );
  for (const [label, base] of [
    ['a bare node process', bare.maxRssMb],
    ['node with graphql-js loaded', graphqlOnly.maxRssMb],
  ] as const)
    out(
      `| peak RSS above ${label} (${base.toFixed(0)} MB) | ${(ours.maxRssMb - base).toFixed(0)} MB | ${(oursFromSpec.maxRssMb - base).toFixed(0)} MB | ${(theirs.maxRssMb - base).toFixed(0)} MB | ${((ours.maxRssMb - base) / (theirs.maxRssMb - base)).toFixed(2)} |`,
    );
  out(`| Query fields | ${ours.fields} | ${oursFromSpec.fields} | ${theirs.fields} | |`);
  out(`| reads the spec from | ${ours.source} | ${oursFromSpec.source} | ${theirs.source} | |`);
}

// 2. Queries, in process through Yoga's fetch (no socket hop), against one simulator.
const clock = new SimulatorClock();
clock.freeze(Date.UTC(2026, 10, 22, 12, 0, 1));
const sim = await startSimulator({
  spec: specFile,
  clock,
  dataChangeRate: 1,
  pages: { GetMarketsRegionIdOrders: 130 },
});
const now = (): number => sim.clock.now();
const esi = createEsiClient({ ...APP, baseUrl: sim.esiUrl, clock: now });
const esiSchema = await createEsiSchema({ esi, clock: now, subscriptions: false });
const yoga = createYoga({ plugins: [useEsi({ schema: esiSchema })], logging: false });
const gql = async (
  y: { fetch: (r: Request) => Promise<Response> | Response },
  query: string,
): Promise<unknown> => {
  const res = await y.fetch(
    new Request('http://bench/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ query }),
    }),
  );
  const body = (await res.json()) as { errors?: unknown };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body;
};
const nextWindow = (): void => sim.clock.advance(3_600_000);
const noop = (): void => undefined;
const QUERY = '{ status { players } }';
for (let i = 0; i < 20; i++) {
  nextWindow();
  await gql(yoga, QUERY);
  nextWindow();
  await esi.call('GetStatus', {}).result();
}
const doc = parse(QUERY);
const [uncachedGql, uncachedCore, uncachedExec] = (await timeEach(
  ITERATIONS,
  nextWindow,
  () => gql(yoga, QUERY),
  () => esi.call('GetStatus', {}).result(),
  async () =>
    execute({ schema: esiSchema.schema, document: doc, contextValue: esiSchema.context() }),
)) as [number, number, number];
// Yoga's own floor: the same server machinery with a one-field static schema.
const floorYoga = createYoga({
  schema: createSchema({
    typeDefs: 'type Query { hello: String }',
    resolvers: { Query: { hello: () => 'o7' } },
  }),
  logging: false,
});
// And what useEsi adds to that floor when no ESI call is made (context, limits, hooks).
const [yogaFloor, oursNoCall] = (await timeEach(
  ITERATIONS,
  noop,
  () => gql(floorYoga, '{ hello }'),
  () => gql(yoga, '{ __typename }'),
)) as [number, number];
// The same uncached comparison with ESI answering in 20 ms, nearer the real thing than a
// loopback simulator that answers in well under a millisecond.
const slowClock = new SimulatorClock();
slowClock.freeze(Date.UTC(2026, 10, 22, 12, 0, 1));
const slowSim = await startSimulator({
  spec: specFile,
  clock: slowClock,
  dataChangeRate: 1,
  latencyMs: 20,
});
const slowEsi = createEsiClient({
  ...APP,
  baseUrl: slowSim.esiUrl,
  clock: () => slowSim.clock.now(),
});
const slowYoga = createYoga({
  plugins: [useEsi({ esi: slowEsi, clock: () => slowSim.clock.now(), subscriptions: false })],
  logging: false,
});
const [slowGql, slowCore] = (await timeEach(
  Math.min(ITERATIONS, 50),
  () => slowSim.clock.advance(3_600_000),
  () => gql(slowYoga, QUERY),
  () => slowEsi.call('GetStatus', {}).result(),
)) as [number, number];
await slowEsi.close();
await slowSim.close();
const [cachedGql, cachedCore] = (await timeEach(
  ITERATIONS,
  noop,
  () => gql(yoga, QUERY),
  () => esi.call('GetStatus', {}).result(),
)) as [number, number];

let omniUncached: number | string = 'not run';
let omniCached: number | string = 'not run';
const before = sim.stats().violations;
try {
  const { loadGraphQLSchemaFromOpenAPI } = await import('@omnigraph/openapi');
  const omniSchema = await loadGraphQLSchemaFromOpenAPI('esi', {
    source: specFile,
    endpoint: sim.esiUrl,
    cwd: process.cwd(),
    operationHeaders: { 'User-Agent': UA },
    logger: quiet,
  });
  const omni = createYoga({ schema: omniSchema, logging: false });
  // Omnigraph makes the X-Compatibility-Date header a required enum argument.
  const date = (
    omniSchema.getType('CompatibilityDate_parameter') as GraphQLEnumType | undefined
  )?.getValues()[0]?.name;
  const OMNI = `{ GetStatus${date ? `(X_Compatibility_Date: ${date})` : ''} { ... on StatusGet { players } } }`;
  for (let i = 0; i < 20; i++) {
    nextWindow();
    await gql(omni, OMNI);
  }
  [omniUncached] = (await timeEach(ITERATIONS, nextWindow, () => gql(omni, OMNI))) as [number];
  // Omnigraph has no cache: inside one window it asks ESI every time (the simulator counts it).
  [omniCached] = (await timeEach(ITERATIONS, noop, () => gql(omni, OMNI))) as [number];
} catch (error) {
  omniUncached = omniCached = `failed: ${(error as Error).message.split('\n')[0]}`;
}
const after = sim.stats().violations;
const omniViolations = after.cacheWindow - before.cacheWindow;
const fmt = (x: number | string): string => (typeof x === 'number' ? ms(x) : x);
out('');
out(
  '| one-field query `status { players }` | @esikit/graphql (Yoga) | core `esi.call` | ratio | @omnigraph/openapi (Yoga) |',
);
out('| --- | --- | --- | --- | --- |');
out(
  `| uncached (new window, 200), over Yoga | ${ms(uncachedGql)} | ${ms(uncachedCore)} | ${(uncachedGql / uncachedCore).toFixed(2)}× (target ≤ 1.2×) | ${fmt(omniUncached)} |`,
);
out(
  `| uncached, graphql \`execute()\` only | ${ms(uncachedExec)} | ${ms(uncachedCore)} | ${(uncachedExec / uncachedCore).toFixed(2)}× | |`,
);
out(`| Yoga's floor: a static \`{ hello }\` through the same pipeline | ${ms(yogaFloor)} | | | |`);
out(
  `| useEsi's \`{ __typename }\` (no ESI call) through the same pipeline | ${ms(oursNoCall)} | | | |`,
);
out(
  `| lower bound through Yoga: its floor + the core call | ${ms(yogaFloor + uncachedCore)} | ${ms(uncachedCore)} | ${((yogaFloor + uncachedCore) / uncachedCore).toFixed(2)}× | |`,
);
out(
  `| uncached, ESI answering in 20 ms, over Yoga | ${ms(slowGql)} | ${ms(slowCore)} | ${(slowGql / slowCore).toFixed(2)}× | |`,
);
out(
  `| cached (inside the window) | ${ms(cachedGql)} | ${ms(cachedCore)} | ${(cachedGql / cachedCore).toFixed(2)}× | ${fmt(omniCached)} (asks ESI: ${omniViolations} cache-window violations) |`,
);

// 3. 1,000+ orders with type and system names: each run in a new window (every page and the
// names fetched again), warmed up, medians.
const ORDERS =
  '{ marketsOrders(region_id: 10000002, order_type: all) { order_id type { name } system { name } } }';
let rows = 0;
let gqlRequests = 0;
const byGraphQL = async (): Promise<void> => {
  const a = sim.audit().length;
  const body = (await gql(yoga, ORDERS)) as { data: { marketsOrders: unknown[] } };
  rows = body.data.marketsOrders.length;
  gqlRequests = sim.audit().length - a;
};
let coreRequests = 0;
const byHand = async (): Promise<void> => {
  const a = sim.audit().length;
  const orders = (await esi
    .call('GetMarketsRegionIdOrders', { region_id: 10000002, order_type: 'all' })
    .results()) as {
    order_id: number;
    type_id: number;
    system_id: number;
  }[];
  const ids = [...new Set(orders.flatMap((o) => [o.type_id, o.system_id]))];
  const names = new Map<number, string>();
  const batches: Promise<void>[] = [];
  for (let i = 0; i < ids.length; i += 1000)
    batches.push(
      (async () => {
        const found = (await esi
          .call('PostUniverseNames', { body: ids.slice(i, i + 1000) })
          .result()) as {
          id: number;
          name: string;
        }[];
        for (const n of found) names.set(n.id, n.name);
      })(),
    );
  await Promise.all(batches);
  orders.map((o) => ({
    order_id: o.order_id,
    type: names.get(o.type_id),
    system: names.get(o.system_id),
  }));
  coreRequests = sim.audit().length - a;
};
for (let i = 0; i < 3; i++) {
  nextWindow();
  await byGraphQL();
  nextWindow();
  await byHand();
}
const [gqlOrdersMs, coreOrdersMs] = (await timeEach(
  Number(process.env.BENCH_ORDER_RUNS ?? 15),
  nextWindow,
  byGraphQL,
  byHand,
)) as [number, number];
out('');
out(
  `| ${rows} orders with type and system names (new window each run) | @esikit/graphql (Yoga) | core by hand | ratio |`,
);
out('| --- | --- | --- | --- |');
out(`| ESI requests | ${gqlRequests} | ${coreRequests} | |`);
out(
  `| time | ${ms(gqlOrdersMs)} | ${ms(coreOrdersMs)} | ${(gqlOrdersMs / coreOrdersMs).toFixed(2)}× |`,
);
out('');
const v = sim.stats().violations;
out(
  `esikit violations: cacheWindow ${v.cacheWindow - omniViolations}, afterErrorLimit ${v.afterErrorLimit}, duringRetryAfter ${v.duringRetryAfter}, missingUserAgent ${v.missingUserAgent}`,
);
await esi.close();
await sim.close();
