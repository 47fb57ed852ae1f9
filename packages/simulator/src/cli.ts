// esikit-simulator: runs the ESI + SSO simulator until SIGINT/SIGTERM.
import { parseArgs } from 'node:util';
import { startSimulator } from './simulator.js';

const USAGE = `Usage: esikit-simulator [options]

A local ESI (esi.evetech.net) and EVE SSO (login.eveonline.com) built from CCP's OpenAPI spec.

Options:
  --spec <file>       ESI OpenAPI document; repeat it to serve several compatibility dates
                      (default: $ESI_SPEC_FILE or .cache/esi/openapi.json, plus the
                      openapi-YYYY-MM-DD.json files beside it)
  --host <address>    interface to listen on (default 127.0.0.1)
  --esi-port <port>   ESI port (default 8080; 0 picks a free one)
  --sso-port <port>   SSO port (default 8081; 0 picks a free one)
  --seed <n>          seed of the generated universe and data (default 1)
  --latency <ms>      delay added to every ESI response (default 0)
  --pages <n>         X-Pages of paged routes (default 3)
  -h, --help          show this help
`;

function fail(message: string): never {
  console.error(`esikit-simulator: ${message}\n\n${USAGE}`);
  process.exit(2);
}

function intOption(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw))
    fail(`--${name} must be a non-negative integer, got ${JSON.stringify(raw)}`);
  return Number(raw);
}

let args;
try {
  args = parseArgs({
    options: {
      spec: { type: 'string', multiple: true },
      host: { type: 'string' },
      'esi-port': { type: 'string' },
      'sso-port': { type: 'string' },
      seed: { type: 'string' },
      latency: { type: 'string' },
      pages: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  }).values;
} catch (e) {
  fail((e as Error).message);
}
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}

let sim;
try {
  sim = await startSimulator({
    ...(args.spec !== undefined ? { specs: args.spec } : {}),
    ...(args.host !== undefined ? { host: args.host } : {}),
    esiPort: intOption('esi-port', args['esi-port'], 8080),
    ssoPort: intOption('sso-port', args['sso-port'], 8081),
    seed: intOption('seed', args.seed, 1),
    latencyMs: intOption('latency', args.latency, 0),
    pages: intOption('pages', args.pages, 3),
  });
} catch (e) {
  console.error(`esikit-simulator: ${(e as Error).message}`);
  process.exit(1);
}

const pilot = sim.characters[0]!;
const scopes = [...new Set(sim.tables.flatMap((t) => t.scopes))].sort();
const tokens = await sim.issueTokens({ characterId: pilot.id, scopes });
const confidential = sim.clients.find((c) => c.clientSecret !== undefined);
const authorize = new URL('/v2/oauth/authorize', sim.ssoUrl);
authorize.search = new URLSearchParams({
  response_type: 'code',
  client_id: confidential?.clientId ?? sim.clients[0]!.clientId,
  redirect_uri: 'http://localhost:3000/callback',
  scope: scopes.slice(0, 3).join(' '),
  state: 'example',
}).toString();

console.log(`esikit simulator (${sim.tables.map((t) => `spec ${t.compatibilityDate}: ${t.operations.length} operations`).join('; ')})
No X-Compatibility-Date → ${sim.tables[0]!.compatibilityDate}; each date gets the newest spec on or before it.

ESI: ${sim.esiUrl}
SSO: ${sim.ssoUrl}   (metadata: ${sim.ssoUrl}/.well-known/oauth-authorization-server)

SSO clients:
${sim.clients.map((c) => `  ${c.clientId}${c.clientSecret !== undefined ? `  secret: ${c.clientSecret}` : '  (public, PKCE)'}`).join('\n')}

Characters:
${sim.characters.map((c) => `  ${c.id}  ${c.name}  corporation ${c.corporationId}${c.allianceId !== undefined ? `  alliance ${c.allianceId}` : ''}`).join('\n')}

Get a token:
  - browser flow: open ${authorize.href}
    (any redirect URI is accepted; exchange the code at ${sim.ssoUrl}/v2/oauth/token)
  - or use this one, for ${pilot.name} with every scope (expires in ${tokens.expires_in} s):
    access token:  ${tokens.access_token}
    refresh token: ${tokens.refresh_token}

Try: curl -H 'User-Agent: MyApp/1.0 (me@example.com)' ${sim.esiUrl}/characters/${pilot.id}

Ctrl-C stops.`);

let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  void sim.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
