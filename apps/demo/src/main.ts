// The esikit demo: starts the simulator (a local ESI + EVE SSO), then uses the ESI client and
// the SSO token model exactly as an app would against the real services, and prints what came
// back. Runs offline; `pnpm demo` from the repository root.
import { createEsiClient } from '@esikit/core';
import {
  createSso,
  MemoryTokenStore,
  startLogin,
  completeLogin,
  TokenManager,
} from '@esikit/core/sso';
import { DEFAULT_CLIENT, startSimulator } from '@esikit/simulator';

const THE_FORGE = 10000002;
const CALLBACK_URL = 'http://127.0.0.1:9/callback';

function line(label: string, value: unknown): void {
  console.log(`  ${label.padEnd(28)} ${typeof value === 'string' ? value : JSON.stringify(value)}`);
}

async function main(): Promise<void> {
  const started = performance.now();
  const sim = await startSimulator({ latencyMs: 2 });
  console.log(`esikit demo — simulator up in ${(performance.now() - started).toFixed(0)} ms`);
  line('ESI', sim.esiUrl);
  line('SSO', sim.ssoUrl);

  const esi = createEsiClient({
    baseUrl: sim.esiUrl,
    appInfo: { name: 'esikit-demo', version: '0.0.0', url: 'https://github.com/esikit/esikit' },
    contactEmail: 'demo@esikit.invalid',
    clock: () => sim.clock.now(),
  });

  try {
    console.log('\n1. Server status (public, cached)');
    const status = await esi.Status.getStatus().resultWithResponse();
    line('players', status.data.players);
    line('server_version', status.data.server_version);
    line('expires', status.expires ? new Date(status.expires).toISOString() : '—');
    const again = await esi.Status.getStatus().resultWithResponse();
    line('second call from cache', again.fromCache);

    console.log('\n2. Market orders in The Forge (all pages, one snapshot)');
    const orders = await esi.Market.getMarketsRegionIdOrders({
      region_id: THE_FORGE,
    }).resultsWithResponse();
    line('pages', orders.pages);
    line('orders', orders.data.length);
    line('first order', {
      order_id: orders.data[0]?.order_id,
      type_id: orders.data[0]?.type_id,
      price: orders.data[0]?.price,
    });

    console.log('\n3. Simulated EVE SSO login, then an authenticated route');
    const pilot = sim.characters[0]!;
    sim.sso.setAutoConsent(pilot.id);
    const tokens = new TokenManager({
      sso: createSso({
        clientId: DEFAULT_CLIENT.clientId,
        clientSecret: DEFAULT_CLIENT.clientSecret!,
        callbackUrl: CALLBACK_URL,
        ssoUrl: sim.ssoUrl,
        clock: () => sim.clock.now(),
      }),
      store: new MemoryTokenStore(),
    });
    const { url } = await startLogin(tokens, {
      sessionKey: 'demo-session',
      scopes: ['esi-wallet.read_character_wallet.v1', 'esi-skills.read_skills.v1'],
    });
    // Stand in for the browser: SSO answers the authorize URL with a redirect to our callback.
    const consent = await fetch(url, {
      redirect: 'manual',
      headers: { 'user-agent': 'esikit-demo' },
    });
    const callback = consent.headers.get('location');
    if (consent.status !== 302 || !callback) throw new Error(`SSO answered ${consent.status}`);
    const { token } = await completeLogin(tokens, { sessionKey: 'demo-session', callback });
    line('logged in as', `${token.characterName} (${token.characterId})`);
    line('scopes', token.scopes.join(' '));

    const wallet = await esi.Wallet.getCharactersCharacterIdWallet(
      { character_id: token.characterId },
      { token: tokens.source(token) },
    ).result();
    line('wallet balance (ISK)', wallet);
    const skills = await esi.Skills.getCharactersCharacterIdSkills(
      { character_id: token.characterId },
      { token: tokens.source(token) },
    ).result();
    line('total skill points', skills.total_sp);

    console.log('\n4. ESI citizenship, as the simulator counted it');
    const stats = sim.stats();
    line('requests to ESI', stats.requests);
    line('violations', stats.violations);
    const violations = Object.values(stats.violations).reduce((a, b) => a + b, 0);
    if (violations > 0) process.exitCode = 1;
  } finally {
    await esi.close();
    await sim.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
