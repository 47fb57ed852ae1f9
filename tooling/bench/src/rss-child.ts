// Runs in a child process: reports RSS after (optionally) loading a client with the full
// operation table and making one request, so the parent can compare with a bare process.
import { createEsiClient } from '@esikit/core';

const mode = process.argv[2];
const gc = (globalThis as { gc?: () => void }).gc;

if (mode === 'client') {
  const esi = createEsiClient({
    appInfo: { name: 'esikit-bench', version: '0.0.0' },
    contactEmail: 'bench@esikit.invalid',
    baseUrl: process.env.BENCH_ESI_URL ?? 'http://127.0.0.1:9',
  });
  // The first request builds the operation index; hold on to the client like an app would.
  await esi.request('GetUniverseRaces').result();
  (globalThis as { keep?: unknown }).keep = esi;
}
if (mode === 'raw') {
  const { Agent, request } = await import('undici');
  const agent = new Agent({ connections: 10 });
  const url = `${process.env.BENCH_ESI_URL ?? 'http://127.0.0.1:9'}/universe/races`;
  const res = await request(url, {
    dispatcher: agent,
    headers: { 'user-agent': 'esikit-bench/0.0.0 (bench@esikit.invalid)' },
  });
  (globalThis as { keep?: unknown }).keep = [agent, JSON.parse(await res.body.text())];
}
gc?.();
gc?.();
await new Promise((r) => setTimeout(r, 50));
process.stdout.write(JSON.stringify({ rss: process.memoryUsage().rss }));
process.exit(0);
