// A/B of two gateway sources on one load, alternated in one run so a shared machine's load falls
// on both alike. A is an older copy of src/ (outside the package, so lint and tests leave it
// alone, with a link to this package's node_modules), B is this src/:
//   mkdir /tmp/a && git archive <commit> src public | tar -x -C /tmp/a && ln -s $PWD/node_modules /tmp/a/
//   node --conditions=@esikit/source --import tsx bench/ab.ts /tmp/a/src [rounds] [seconds] [trpc|graphql]
// Each round starts a fresh gateway of each kind, warms it up, loads it with autocannon (10
// connections), and prints req/s, p99 and the server's CPU time per request of both; then the
// median ratios B/A over the rounds. The environment reaches both (ESIKIT_ANSWER_CACHE_MB=0 ...).
import { fork } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const before = process.argv[2];
if (before === undefined) throw new Error('usage: bench/ab.ts <old src dir> [rounds] [seconds]');
const rounds = Number(process.argv[3] ?? 3);
const seconds = Number(process.argv[4] ?? 8);
const target = process.argv[5] ?? 'trpc';

interface Result {
  rps: number;
  p99: number;
  /** The server's CPU time per request: robust to other jobs, unlike req/s. */
  cpuUs: number;
}

async function run(src: string | undefined): Promise<Result> {
  const child = fork(here('./servers.ts'), ['gateway'], {
    execArgv: ['--conditions=@esikit/source', '--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, ...(src ? { ESIKIT_BENCH_GATEWAY_SRC: src } : {}) },
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('message', (m: { url: string }) => resolve(m.url));
    child.once('exit', (code) => reject(new Error(`gateway exited with ${String(code)}`)));
  });
  const opts: autocannon.Options =
    target === 'trpc'
      ? { url: `${url}/trpc/esi.status.getStatus` }
      : {
          url: `${url}/graphql`,
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: '{ status { players server_version } }' }),
        };
  const cpu = () =>
    new Promise<number>((resolve) => {
      const on = (m: { type: string; cpuUs: number }) => {
        if (m.type !== 'stats') return;
        child.off('message', on);
        resolve(m.cpuUs);
      };
      child.on('message', on);
      child.send({ type: 'stats' });
    });
  await autocannon({ ...opts, connections: 10, duration: 2 });
  const cpu0 = await cpu();
  const r = await autocannon({ ...opts, connections: 10, duration: seconds });
  const cpuUs = (await cpu()) - cpu0;
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.send({ type: 'close' });
  });
  if (r.non2xx > 0 || r.errors > 0) throw new Error(`${r.non2xx} non-2xx, ${r.errors} errors`);
  return {
    rps: Math.round(r.requests.average),
    p99: r.latency.p99,
    cpuUs: cpuUs / r.requests.total,
  };
}

const la = () =>
  loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');
const ratios: number[] = [];
const cpuRatios: number[] = [];
for (let i = 0; i < rounds; i++) {
  // Alternate which goes first, so a trend in the machine's load does not favour one side.
  const order = i % 2 === 0 ? (['A', 'B'] as const) : (['B', 'A'] as const);
  const got: Record<string, Result> = {};
  for (const side of order) got[side] = await run(side === 'A' ? before : undefined);
  const ratio = got.B!.rps / got.A!.rps;
  ratios.push(ratio);
  cpuRatios.push(got.B!.cpuUs / got.A!.cpuUs);
  const side = (r: Result) => `${r.rps} req/s, p99 ${r.p99} ms, ${r.cpuUs.toFixed(0)} µs CPU/req`;
  process.stdout.write(
    `round ${i + 1}: A ${side(got.A!)} | B ${side(got.B!)} | B/A ${ratio.toFixed(2)} req/s, ${cpuRatios.at(-1)!.toFixed(2)} CPU | load ${la()}\n`,
  );
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
process.stdout.write(
  `median B/A (${target}): ${median(ratios).toFixed(2)} req/s, ${median(cpuRatios).toFixed(2)} CPU time per request\n`,
);
