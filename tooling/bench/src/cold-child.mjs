// A fresh process on the built packages, as users run them (plain node, no TypeScript loader):
// modules are loaded first (untimed), then one side is timed from nothing to its first answer,
// paying every lazy start-up cost (undici's parser, first compiles, indexes). Core loads undici
// with its first request; the client side loads it untimed here too (the copy core resolves),
// so both sides pay module loading outside the clock and the row measures creation + first
// request.
/* global process, performance, URLSearchParams */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const [mode, baseUrl, path] = process.argv.slice(2);
const ua = 'esikit-bench/0.0.0 (bench@esikit.invalid)';
const here = createRequire(import.meta.url);
const load = (from, name) => import(pathToFileURL(from.resolve(name)).href);

let ms;
if (mode === 'client') {
  const { createEsiClient } = await load(here, '@esikit/core');
  await load(createRequire(here.resolve('@esikit/core')), 'undici');
  const typeId = Number(new URLSearchParams(path.split('?')[1]).get('type_id'));
  const start = performance.now();
  const esi = createEsiClient({
    appInfo: { name: 'esikit-bench', version: '0.0.0' },
    contactEmail: 'bench@esikit.invalid',
    baseUrl,
  });
  await esi.request('GetMarketsRegionIdOrders', { region_id: 10000002, type_id: typeId }).result();
  ms = performance.now() - start;
  await esi.close();
} else {
  const { Agent, request } = await load(here, 'undici');
  const start = performance.now();
  const agent = new Agent({ connections: 10 });
  const res = await request(`${baseUrl}${path}`, {
    dispatcher: agent,
    headers: { 'user-agent': ua, 'x-compatibility-date': '2026-08-04' },
  });
  JSON.parse(await res.body.text());
  ms = performance.now() - start;
  await agent.close();
}
process.stdout.write(JSON.stringify({ ms }));
