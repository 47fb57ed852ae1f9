// Start-up time and memory of the simulator with a real spec:
//   node --conditions=@esikit/source --import tsx src/measure.ts [spec-file]
// Run in a fresh process so the numbers are not polluted by other work.
import { performance } from 'node:perf_hooks';
import { findSpecFile } from '@esikit/spec';
import { startSimulator } from './simulator.js';

const file =
  process.argv[2] ??
  findSpecFile() ??
  new URL('../../../../shared/esi/openapi.json', import.meta.url).pathname;
const mb = (bytes: number): number => Math.round((bytes / 1024 / 1024) * 10) / 10;

const rssBefore = process.memoryUsage().rss;
const t0 = performance.now();
const sim = await startSimulator({ spec: file });
const startupMs = performance.now() - t0;
const rssReady = process.memoryUsage().rss;

// Touch every GET once (public ones without auth; scoped ones answer 401 cheaply), so the
// memo and the route table are warm, then measure again.
const t1 = performance.now();
let requests = 0;
for (const op of sim.table.operations.filter((o) => o.method === 'GET')) {
  const path = op.path.replace(/\{[^}]+\}/g, (m) =>
    m.includes('hash')
      ? 'abc'
      : m.includes('_id}') && op.parameters.some((p) => `{${p.name}}` === m && p.format === 'uuid')
        ? '8b9e2e0a-6c1f-4c6e-9f0a-2d3b4c5d6e7f'
        : '1',
  );
  const required = op.parameters.filter((p) => p.in === 'query' && p.required);
  const query = required
    .map((p) => `${p.name}=${p.enum ? String(p.enum[0]) : p.type === 'integer' ? '34' : 'x'}`)
    .join('&');
  const res = await fetch(`${sim.esiUrl}${path}${query ? `?${query}` : ''}`, {
    headers: { 'user-agent': 'esikit-measure/0.1' },
  });
  await res.arrayBuffer();
  requests++;
}
const sweepMs = performance.now() - t1;
const rssAfter = process.memoryUsage().rss;
await sim.close();

process.stdout.write(
  `${JSON.stringify(
    {
      spec: file,
      compatibilityDate: sim.table.compatibilityDate,
      operations: sim.table.operations.length,
      node: process.version,
      startupMs: Math.round(startupMs),
      rssBeforeMb: mb(rssBefore),
      rssReadyMb: mb(rssReady),
      sweep: { requests, ms: Math.round(sweepMs), rssAfterMb: mb(rssAfter) },
    },
    null,
    2,
  )}\n`,
);
