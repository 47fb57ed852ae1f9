// One start-up sample for the benchmark, in a process of its own: modules are loaded first
// (untimed), then open + first query is timed and the RSS read. Prints one JSON line.
//   startup-child.ts embedded <dataDir|:memory:>   |   startup-child.ts postgresql <url>
import { readFileSync } from 'node:fs';
import { openEsikitDatabase } from '../index.js';

const [mode, where] = process.argv.slice(2) as [string, string];
const started = performance.now();
const db = await openEsikitDatabase(
  mode === 'embedded' ? { dataDir: where, env: {} } : { url: where },
);
const rows = await db.orm.em
  .getConnection()
  .execute<{ n: string; pid: number }[]>(
    'select count(*) as n, pg_backend_pid() as pid from esikit_token',
  );
const ms = performance.now() - started;
const rss = process.memoryUsage().rss;
// The PostgreSQL server's backend for this connection lives in another process; read its RSS
// too when it runs on this machine (for PGlite the backend is inside this process).
let backendRss: number | undefined;
if (mode === 'postgresql') {
  try {
    const status = readFileSync(`/proc/${rows[0]!.pid}/status`, 'utf8');
    backendRss = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]) * 1024;
  } catch {
    backendRss = undefined;
  }
}
await db.close();
process.stdout.write(JSON.stringify({ ms, rss, backendRss }) + '\n');
