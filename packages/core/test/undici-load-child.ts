// Run in a fresh process by lazy-undici.test.ts: reports whether undici is loaded after importing
// core and creating a client, and after the first request (to the simulator at argv[2]).
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
// undici is CommonJS: wherever it is imported from, its files land in the CommonJS cache.
const undiciLoaded = (): boolean =>
  Object.keys(require.cache).some((file) => /[\\/]undici[\\/]/.test(file));

const { createEsiClient } = await import('@esikit/core');
const esi = createEsiClient({
  appInfo: { name: 'esikit-tests', version: '1.0.0' },
  contactEmail: 'tests@esikit.invalid',
  baseUrl: process.argv[2] ?? '',
});
const afterCreate = undiciLoaded();
const status = await esi.request('GetStatus').result();
const afterRequest = undiciLoaded();
await esi.close();
process.stdout.write(JSON.stringify({ afterCreate, afterRequest, players: status.players }));
