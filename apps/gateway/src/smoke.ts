// The scripted tour (`--smoke` / ESIKIT_SMOKE=1): a simulated login, a tRPC call, a GraphQL
// query with linked entities, and the simulator's citizenship counters. What `pnpm demo`
// printed before the gateway existed; the demo test and CI run it.
import type { GatewayConfig } from './config.js';
import { startGateway } from './gateway.js';
import { Browserless } from './internal/browserless.js';

/**
 * What the smoke tour printed, and whether it passed.
 *
 * @example
 * const { ok, lines }: SmokeResult = await runSmoke(config, () => undefined);
 */
export interface SmokeResult {
  readonly ok: boolean;
  readonly lines: readonly string[];
}

/**
 * Runs the tour against a fresh simulated gateway (in-memory database unless `DATABASE_URL`
 * is set) and returns what it printed; `ok` is false when anything failed or the simulator
 * counted a citizenship violation.
 *
 * @example
 * const { ok } = await runSmoke(loadConfig(process.env), console.log);
 */
export async function runSmoke(
  config: GatewayConfig,
  print: (line: string) => void,
): Promise<SmokeResult> {
  const lines: string[] = [];
  const out = (line: string) => {
    lines.push(line);
    print(line);
  };
  const row = (label: string, value: unknown) =>
    out(`  ${label.padEnd(30)} ${typeof value === 'string' ? value : JSON.stringify(value)}`);
  if (config.eve)
    throw new Error('the smoke tour runs against the simulator: unset EVE_CLIENT_ID and friends');
  const started = performance.now();
  const gw = await startGateway(
    {
      ...config,
      port: 0,
      host: '127.0.0.1',
      publicUrl: undefined,
      dataDir: config.databaseUrl ? undefined : ':memory:',
      housekeepingIntervalS: 0,
    },
    { logStream: false },
  );
  let ok = true;
  try {
    const sim = gw.simulator!;
    out(
      `esikit gateway smoke tour — SIMULATED ESI — up in ${(performance.now() - started).toFixed(0)} ms at ${gw.url}`,
    );
    row('database', gw.db.kind);

    out('\n1. Log in through the simulated EVE SSO (auto-consent)');
    const pilot = sim.characters[0]!;
    sim.sso.setAutoConsent(pilot.id);
    const browser = new Browserless(gw.url);
    await browser.login();
    const html = await browser.home();
    row('page shows the character', html.includes(pilot.name) ? pilot.name : 'NO');
    if (!html.includes(pilot.name)) ok = false;

    out('\n2. tRPC');
    const me = await browser.trpc<{ characterName: string }[]>('myCharacters');
    const chars = me.body.result?.data ?? [];
    row(
      'myCharacters',
      chars.map((c) => c.characterName),
    );
    const wallet = await browser.trpc<number>('esi.wallet.getCharactersCharacterIdWallet', {
      character_id: pilot.id,
    });
    row('wallet balance (ISK)', wallet.body?.result?.data ?? wallet.body?.error?.message);
    if (typeof wallet.body?.result?.data !== 'number') ok = false;
    const status = await browser.trpc<{ players: number }>('esi.status.getStatus');
    row('players online', status.body?.result?.data?.players);

    out('\n3. GraphQL with linked entities');
    const q = await browser.graphql<{
      viewer: {
        characters: {
          name: string;
          wallet: number;
          corporation: { name: string; ticker: string; alliance: { name: string } | null } | null;
        }[];
      };
    }>(`{ viewer { characters { name wallet corporation { name ticker alliance { name } } } } }`);
    const c0 = q.body?.data?.viewer?.characters?.[0];
    row('character', c0?.name);
    row(
      'corporation',
      c0?.corporation
        ? `${c0.corporation.name} [${c0.corporation.ticker}]`
        : q.body?.errors?.[0]?.message,
    );
    row('alliance', c0?.corporation?.alliance?.name ?? '—');
    row('wallet (GraphQL)', c0?.wallet);
    if (!c0?.corporation?.name) ok = false;

    out('\n4. ESI citizenship, as the simulator counted it');
    const stats = sim.stats();
    row('requests to ESI', stats.requests);
    row('violations', stats.violations);
    if (Object.values(stats.violations).some((n) => n > 0)) ok = false;
    const esiStats = gw.esi.stats();
    row('client cache hits / 304s', `${esiStats.cacheHits} / ${esiStats.notModified}`);
  } catch (error) {
    ok = false;
    out(`smoke tour failed: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    await gw.close();
  }
  out(ok ? '\nsmoke tour: ok' : '\nsmoke tour: FAILED');
  return { ok, lines };
}
