// CPU profile of one server under one autocannon load, to see where a request's time goes:
//   node --conditions=@esikit/source --import tsx bench/profile.ts [trpc|graphql|hello] [seconds]
// The server (bench/servers.ts) runs in a child and profiles itself (node:inspector) only while
// the measured load runs — not start-up, not the warm-up that fills the cache; autocannon runs
// here. Prints the share of each package, the heaviest functions by self time and by total time,
// and leaves the `.cpuprofile` in bench-results/ for Chrome's DevTools.
import { fork } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const target = process.argv[2] ?? 'trpc';
const seconds = Number(process.argv[3] ?? 10);
const out = here('../bench-results/');
mkdirSync(out, { recursive: true });

const kind = target === 'hello' ? 'yoga-hello' : 'gateway';
const file = join(
  out,
  `profile-${target}-${new Date().toISOString().replaceAll(':', '-')}.cpuprofile`,
);
const child = fork(here('./servers.ts'), [kind], {
  execArgv: ['--conditions=@esikit/source', '--import', 'tsx'],
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});
const reply = (type: string) =>
  new Promise<{ url: string }>((resolve, reject) => {
    const on = (m: { type: string; url: string }) => {
      if (m.type !== type) return;
      child.off('message', on);
      resolve(m);
    };
    child.on('message', on);
    child.once('exit', (code) => reject(new Error(`${kind} exited with ${String(code)}`)));
  });
const { url } = await reply('ready');
const opts: autocannon.Options =
  target === 'trpc'
    ? { url: `${url}/trpc/esi.status.getStatus` }
    : {
        url: `${url}/graphql`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          query: target === 'hello' ? '{ hello }' : '{ status { players server_version } }',
        }),
      };
await autocannon({ ...opts, connections: 10, duration: 3 }); // warm-up (JIT, the ESI cache)
child.send({ type: 'profile-start' });
await reply('profiling');
const r = await autocannon({ ...opts, connections: 10, duration: seconds });
child.send({ type: 'profile-stop', file });
await reply('profiled');
await new Promise<void>((resolve) => {
  child.once('exit', () => resolve());
  child.send({ type: 'close' });
});
process.stdout.write(
  `${target}: ${Math.round(r.requests.average)} req/s, p99 ${r.latency.p99} ms, non-2xx ${r.non2xx}, load average ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')}\n`,
);

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount: number;
  children?: number[];
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: Node[] };
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const name = (n: Node) =>
  `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url
    .replace(/.*node_modules\//, '')
    .replace(/.*\/(packages|apps)\//, '$1/')}:${n.callFrame.lineNumber + 1}`;
const pkgOf = (n: Node) => {
  const u = n.callFrame.url;
  return (
    /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(u)?.[1] ??
    (/\/(packages|apps)\/([^/]+)\//.exec(u)?.slice(1).join('/') ||
      (u.startsWith('node:') ? 'node' : u === '' ? n.callFrame.functionName : 'other'))
  );
};
let total = 0;
const self = new Map<string, number>();
const inclusive = new Map<string, number>();
const byPkg = new Map<string, number>();
for (const n of profile.nodes) {
  if (n.hitCount === 0) continue;
  total += n.hitCount;
  self.set(name(n), (self.get(name(n)) ?? 0) + n.hitCount);
  byPkg.set(pkgOf(n), (byPkg.get(pkgOf(n)) ?? 0) + n.hitCount);
  // Every distinct function on the stack gets the sample once (recursion counted once).
  const seen = new Set<string>();
  for (let id: number | undefined = n.id; id !== undefined; id = parent.get(id)) {
    const k = name(nodes.get(id)!);
    if (seen.has(k)) continue;
    seen.add(k);
    inclusive.set(k, (inclusive.get(k) ?? 0) + n.hitCount);
  }
}
const pct = (n: number) => `${((n / total) * 100).toFixed(1).padStart(5)} %`;
const top = (m: Map<string, number>, count: number, title: string) => {
  process.stdout.write(`\n${title}\n`);
  for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, count))
    process.stdout.write(`  ${pct(v)}  ${k}\n`);
};
top(byPkg, 20, 'self time by package');
top(self, 40, 'heaviest functions (self time)');
top(inclusive, 60, 'heaviest functions (total time)');
process.stdout.write(`\nprofile: ${file}\n`);
