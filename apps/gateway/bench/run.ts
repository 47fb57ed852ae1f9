// The gateway benchmark (`pnpm bench` in apps/gateway, or the root's `pnpm bench`). Loopback only,
// every load bounded in time and connections. In one run:
// 1. start-up of the demo (`node dist/main.js`, or the sources through tsx without a build) to the
//    first page served: the first start on a machine (a HOME without the template of new
//    embedded databases), then a new and an existing embedded database directory;
// 2. autocannon on a cached GraphQL query and a cached tRPC query against the gateway, and on a
//    bare graphql-yoga hello-world on Fastify (the baseline; target ≥ 0.6× its throughput); the
//    tRPC query twice: as the gateway runs by default (its shared answer cache serves the public
//    answer from memory) and on a second gateway with that cache off (ESIKIT_ANSWER_CACHE_MB=0:
//    every call through the tRPC procedure, by @esikit/trpc's query handler, and core's cache). The four loads run in turns of 10 s slices
//    (baseline, GraphQL, tRPC, tRPC without the answer cache, again, ...) with all three servers
//    up, so a shared machine's changing load falls on all of them alike; each ratio is also
//    given per turn (min–max);
// 3. a soak on the cached tRPC query, answer cache off (the path that allocates most): RSS after
//    it against RSS after a warm-up on the same load, both read after two full GCs (target
//    within 10 %);
// 4. the simulator's citizenship violations (target 0).
// ESIKIT_BENCH_DURATION_S (default 30) and ESIKIT_BENCH_SOAK_S (default 300) shorten a run.
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const DURATION_S = Number(process.env.ESIKIT_BENCH_DURATION_S ?? 30);
const SOAK_S = Number(process.env.ESIKIT_BENCH_SOAK_S ?? 300);
const CONNECTIONS = 10;
const log = (line: string) => process.stdout.write(`${line}\n`);

interface Child {
  readonly url: string;
  stats(): Promise<{ rss: number; violations?: Record<string, number> }>;
  close(): Promise<void>;
}

async function startChild(
  kind: 'gateway' | 'yoga-hello',
  env: Record<string, string> = {},
): Promise<Child> {
  const child: ChildProcess = fork(here('./servers.ts'), [kind], {
    execArgv: ['--conditions=@esikit/source', '--import', 'tsx', '--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, ...env },
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('message', (m: { type: string; url: string }) => resolve(m.url));
    child.once('exit', (code) =>
      reject(new Error(`${kind} exited with ${String(code)} before it was ready`)),
    );
  });
  return {
    url,
    stats: () =>
      new Promise((resolve) => {
        const on = (m: { type: string; rss: number; violations?: Record<string, number> }) => {
          if (m.type !== 'stats') return;
          child.off('message', on);
          resolve(m);
        };
        child.on('message', on);
        child.send({ type: 'stats' });
      }),
    close: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.send({ type: 'close' });
      }),
  };
}

interface Load {
  readonly name: string;
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly errors: number;
  readonly non2xx: number;
}

function report(result: Load, extra = ''): void {
  log(
    `  ${result.name.padEnd(40)} ${String(result.rps).padStart(7)} req/s  p50 ${result.p50} ms  p99 ${result.p99} ms  errors ${result.errors}  non-2xx ${result.non2xx}${extra}`,
  );
}

async function load(name: string, opts: autocannon.Options): Promise<Load> {
  const r = await autocannon({ connections: CONNECTIONS, duration: DURATION_S, ...opts });
  const result: Load = {
    name,
    rps: Math.round(r.requests.average),
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors + r.timeouts,
    non2xx: r.non2xx,
  };
  report(result);
  return result;
}

/**
 * Several loads in turns of `SLICE_S` seconds until each has had `DURATION_S`: req/s over all
 * its slices, the median p50 and the highest p99 of its slices, and its req/s in each turn.
 */
async function loadsInTurns(
  loads: readonly { name: string; opts: autocannon.Options }[],
): Promise<{ load: Load; perTurn: number[] }[]> {
  const slice = Math.min(10, DURATION_S);
  const turns = Math.max(1, Math.round(DURATION_S / slice));
  for (const l of loads) await autocannon({ connections: CONNECTIONS, duration: 2, ...l.opts });
  const runs = loads.map(() => [] as autocannon.Result[]);
  for (let turn = 0; turn < turns; turn++)
    for (const [i, l] of loads.entries())
      runs[i]!.push(await autocannon({ connections: CONNECTIONS, duration: slice, ...l.opts }));
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  return loads.map((l, i) => {
    const rs = runs[i]!;
    const total = rs.reduce((n, r) => n + r.requests.total, 0);
    const seconds = rs.reduce((n, r) => n + r.duration, 0);
    return {
      load: {
        name: l.name,
        rps: Math.round(total / seconds),
        p50: median(rs.map((r) => r.latency.p50)),
        p99: Math.max(...rs.map((r) => r.latency.p99)),
        errors: rs.reduce((n, r) => n + r.errors + r.timeouts, 0),
        non2xx: rs.reduce((n, r) => n + r.non2xx, 0),
      },
      perTurn: rs.map((r) => r.requests.total / r.duration),
    };
  });
}

/**
 * `node dist/main.js` (or the sources through tsx) until GET / answers 200. `home` holds the
 * template of new embedded databases (`~/.cache/esikit`): empty, the first start on a machine.
 */
async function startupToFirstPage(dataDir: string, home: string): Promise<number> {
  const built = existsSync(here('../dist/main.js'));
  const args = built
    ? [here('../dist/main.js')]
    : ['--conditions=@esikit/source', '--import', 'tsx', here('../src/main.ts')];
  const started = performance.now();
  const child = spawn(process.execPath, args, {
    env: {
      ...process.env,
      HOME: home,
      // Else an XDG_CACHE_HOME of the shell's would hold the template instead of `home`.
      XDG_CACHE_HOME: '',
      ESIKIT_DB_TEMPLATE_DIR: '',
      PORT: '0',
      ESIKIT_DB_DIR: dataDir,
      LOG_LEVEL: 'warn',
      DATABASE_URL: '',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  try {
    for (;;) {
      const url = /esikit gateway is up: (\S+)/.exec(out)?.[1];
      if (url) {
        const res = await fetch(url);
        await res.text();
        if (res.status === 200) return performance.now() - started;
      }
      if (child.exitCode !== null) throw new Error(`the gateway exited with ${child.exitCode}`);
      if (performance.now() - started > 120_000) throw new Error('no first page within 120 s');
      await new Promise((r) => setTimeout(r, 25));
    }
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
}

const results: Record<string, unknown> = {
  date: new Date().toISOString(),
  node: process.version,
  cpus: cpus().length,
  loadavg: loadavg(),
  durationS: DURATION_S,
  soakS: SOAK_S,
  connections: CONNECTIONS,
};

log(
  `gateway bench — ${DURATION_S} s per load, ${CONNECTIONS} connections, soak ${SOAK_S} s, load average ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')}`,
);

log('\n1. start-up to the first page (embedded database)');
const dir = mkdtempSync(join(tmpdir(), 'esikit-gateway-bench-'));
try {
  const home = join(dir, 'home');
  const first = await startupToFirstPage(join(dir, 'first'), home);
  log(
    `  first start on this machine (new directory, no template yet) ${(first / 1000).toFixed(2)} s`,
  );
  const fresh = await startupToFirstPage(join(dir, 'db'), home);
  log(`  new directory                            ${(fresh / 1000).toFixed(2)} s`);
  const existing = await startupToFirstPage(join(dir, 'db'), home);
  log(`  existing directory                       ${(existing / 1000).toFixed(2)} s`);
  results.startup = {
    firstOnMachineMs: Math.round(first),
    newDirectoryMs: Math.round(fresh),
    existingDirectoryMs: Math.round(existing),
  };
} finally {
  rmSync(dir, { recursive: true, force: true });
}

log('\n2. throughput (autocannon, loads in turns of 10 s slices)');
const baseline = await startChild('yoga-hello');
const gw = await startChild('gateway');
const plain = await startChild('gateway', { ESIKIT_ANSWER_CACHE_MB: '0' });
const gql = (url: string, query: string): autocannon.Options => ({
  url: `${url}/graphql`,
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ query }),
});
const trpcUrl = (g: Child) => `${g.url}/trpc/esi.status.getStatus`;
const [hello, graphql, trpc, trpcPlain] = await loadsInTurns([
  { name: 'baseline: yoga hello-world on Fastify', opts: gql(baseline.url, '{ hello }') },
  {
    name: 'gateway: cached GraphQL { status }',
    opts: gql(gw.url, '{ status { players server_version } }'),
  },
  { name: 'gateway: cached tRPC esi.status.getStatus', opts: { url: trpcUrl(gw) } },
  { name: '… with the answer cache off', opts: { url: trpcUrl(plain) } },
]);
const turnRatios = (l: { perTurn: number[] }) => {
  const rs = l.perTurn.map((x, i) => x / hello!.perTurn[i]!);
  return `${Math.min(...rs).toFixed(2)}–${Math.max(...rs).toFixed(2)}×`;
};
report(hello!.load);
for (const l of [graphql!, trpc!, trpcPlain!])
  report(
    l.load,
    `  ratio ${(l.load.rps / hello!.load.rps).toFixed(2)}× (per turn ${turnRatios(l)})`,
  );
results.throughput = {
  baseline: hello!.load,
  graphql: { ...graphql!.load, ratio: graphql!.load.rps / hello!.load.rps },
  trpc: { ...trpc!.load, ratio: trpc!.load.rps / hello!.load.rps },
  trpcAnswerCacheOff: { ...trpcPlain!.load, ratio: trpcPlain!.load.rps / hello!.load.rps },
  perTurn: {
    baseline: hello!.perTurn,
    graphql: graphql!.perTurn,
    trpc: trpc!.perTurn,
    trpcAnswerCacheOff: trpcPlain!.perTurn,
  },
};
log('  target ≥ 0.6× the baseline');
await baseline.close();
const first = await gw.stats();
await gw.close();

log(`\n3. soak: cached tRPC, answer cache off, for ${SOAK_S} s`);
// Warm-up on the soak's own load first (the heap and PGlite's memory reach their working size),
// then RSS after two full GCs before and after: retained memory, not the collector's phase.
await autocannon({ connections: CONNECTIONS, duration: Math.min(30, SOAK_S), url: trpcUrl(plain) });
const warm = (await plain.stats()).rss;
const soak = await load(`soak (${SOAK_S} s)`, { url: trpcUrl(plain), duration: SOAK_S });
const after = await plain.stats();
const growth = (after.rss - warm) / warm;
log(
  `  RSS after warm-up ${(warm / 2 ** 20).toFixed(0)} MB, after the soak ${(after.rss / 2 ** 20).toFixed(0)} MB: ${(growth * 100).toFixed(1)} % (target within 10 %)`,
);
results.soak = { ...soak, rssWarmMB: warm / 2 ** 20, rssAfterMB: after.rss / 2 ** 20, growth };

log('\n4. citizenship (both gateways)');
log(`  violations ${JSON.stringify(first.violations)} ${JSON.stringify(after.violations)}`);
results.violations = [first.violations, after.violations];
await plain.close();

const out = here('../bench-results/');
mkdirSync(out, { recursive: true });
const file = join(out, `gateway-${new Date().toISOString().replaceAll(':', '-')}.json`);
writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
log(`\nresults: ${file}`);
