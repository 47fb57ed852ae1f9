// The gateway's command line: `node dist/main.js` serves until Ctrl-C or SIGTERM;
// `--smoke` (or ESIKIT_SMOKE=1) runs the scripted tour and exits.
import { GatewayConfigError, loadConfig } from './config.js';
import { startGateway } from './gateway.js';
import { runSmoke } from './smoke.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof GatewayConfigError) {
      console.error(error.message);
      process.exitCode = 2;
      return;
    }
    throw error;
  }

  if (process.argv.includes('--smoke') || process.env.ESIKIT_SMOKE === '1') {
    const { ok } = await runSmoke(config, (line) => console.log(line));
    process.exitCode = ok ? 0 : 1;
    return;
  }

  const gw = await startGateway(config);
  const banner = [
    '',
    `  esikit gateway is up: ${gw.url}`,
    gw.simulated
      ? '  SIMULATED ESI — no EVE application configured; ESI and EVE SSO are the built-in simulator'
      : '',
    '',
    `  1. Open ${gw.url} and click "Log in with EVE Online"`,
    gw.simulated ? '     (the simulated SSO shows its consent page: pick any character)' : '',
    '  2. See your characters, their wallets (tRPC) and the live server status',
    `  3. Try queries in GraphiQL: ${gw.url}/graphql`,
    '',
    '  Ctrl-C to stop.',
    '',
  ].filter((l, i, all) => l !== '' || all[i - 1] !== '');
  console.log(banner.join('\n'));

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    gw.app.log.info({ signal }, 'shutting down: finishing requests in flight');
    gw.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? `${error.name}: ${error.message}` : error);
  process.exit(1);
});
