// Test support for the SSO's own tests: a real node:http server on 127.0.0.1 port 0 serving an
// SsoServer. Not exported from the package.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { request } from 'undici';
import { afterEach, beforeEach } from 'vitest';

import { SimulatorClock } from '../clock.js';
import type { SimCharacter, SsoClientRegistration } from '../types.js';
import type { SsoServerOptions } from './index.js';
import { SsoServer } from './index.js';

export const CHARACTERS: readonly SimCharacter[] = [
  {
    id: 2117712894,
    name: 'Aura Vantor',
    corporationId: 98000001,
    allianceId: 99000001,
    ownerHash: 'q92WKTiVSVf8YmTrjno506kson8=',
  },
  {
    id: 90000001,
    name: 'Kess <Hauler> & Co',
    corporationId: 98000002,
    ownerHash: '8PmzCeTKb4VFUDrHLc/AeZXDSWM=',
  },
];

export const WEB = {
  clientId: 'web-app',
  clientSecret: 'web-secret',
  redirectUris: ['http://127.0.0.1:9/callback'],
};
export const NATIVE = { clientId: 'native-app', redirectUris: ['http://localhost:8080/callback'] };
export const OPEN = { clientId: 'open-app', clientSecret: 'open-secret' };
export const CLIENTS: readonly SsoClientRegistration[] = [WEB, NATIVE, OPEN];

export interface SsoFixture extends AsyncDisposable {
  readonly sso: SsoServer;
  readonly clock: SimulatorClock;
  readonly url: string;
  close(): Promise<void>;
}

/** Starts a fresh SSO on its own port with its own (frozen) clock and copies of the characters. */
export async function startSso(overrides: Partial<SsoServerOptions> = {}): Promise<SsoFixture> {
  const clock = new SimulatorClock();
  clock.freeze();
  const sso = new SsoServer({
    clock,
    characters: CHARACTERS.map((c) => ({ ...c })),
    clients: CLIENTS,
    ...overrides,
  });
  await sso.init();
  const server = createServer((req, res) => void sso.handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  sso.setBaseUrl(url);
  const close = async (): Promise<void> => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return { sso, clock, url, close, [Symbol.asyncDispose]: close };
}

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
}

/**
 * Reads one of CCP's reference documents from /work/shared/esi (never copied into the repo).
 * CI points ESI_SPEC_FILE at the spec inside that directory, relative to the repo root.
 */
export function readSharedEsi(relative: string): unknown {
  const spec = process.env.ESI_SPEC_FILE;
  const root = fileURLToPath(new URL('../../../../', import.meta.url));
  const dir = spec
    ? dirname(resolve(root, spec))
    : fileURLToPath(new URL('../../../../../shared/esi/', import.meta.url));
  return JSON.parse(readFileSync(resolve(dir, relative), 'utf8'));
}

export const SCOPES = ['esi-skills.read_skills.v1', 'esi-wallet.read_character_wallet.v1'];

/**
 * Runs the authorize step as a script would (`esikit_character`) and returns the code, after
 * checking the redirect carries the state back.
 */
export async function authorizeCode(
  fx: SsoFixture,
  params: Record<string, string>,
  characterId = CHARACTERS[0]!.id,
): Promise<string> {
  const query = new URLSearchParams({
    response_type: 'code',
    state: 'st-1',
    scope: SCOPES.join(' '),
    esikit_character: String(characterId),
    ...params,
  });
  const res = await request(`${fx.url}/v2/oauth/authorize?${query.toString()}`);
  await res.body.dump();
  if (res.statusCode !== 302) throw new Error(`authorize answered ${res.statusCode}, expected 302`);
  const location = new URL(String(res.headers.location));
  if (location.searchParams.get('state') !== (params.state ?? 'st-1'))
    throw new Error('state not echoed');
  return location.searchParams.get('code')!;
}

/** POSTs a form to an SSO endpoint; `body` is the parsed JSON answer, if any. */
export async function postForm(
  fx: SsoFixture,
  path: string,
  form: Record<string, string>,
  authorization?: string,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read loosely typed JSON
): Promise<{ status: number; headers: Record<string, unknown>; text: string; body: any }> {
  const res = await request(`${fx.url}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(authorization ? { authorization } : {}),
    },
    body: new URLSearchParams(form).toString(),
  });
  const text = await res.body.text();
  return {
    status: res.statusCode,
    headers: res.headers,
    text,
    // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment -- see the return type
    body: text === '' ? undefined : JSON.parse(text),
  };
}

export const WEB_AUTH = basic(WEB.clientId, WEB.clientSecret);

/** Checks an OAuth error answer: status, `error`, and optionally what the description names. */
export function expectOAuthError(
  res: { status: number; body: unknown },
  status: number,
  error: string,
  mentions?: RegExp,
): void {
  const body = res.body as { error?: unknown; error_description?: unknown } | undefined;
  const exact = body !== undefined && Object.keys(body).sort().join() === 'error,error_description';
  if (
    res.status !== status ||
    !exact ||
    body.error !== error ||
    typeof body.error_description !== 'string'
  ) {
    throw new Error(`expected ${status} ${error}, got ${res.status} ${JSON.stringify(body)}`);
  }
  if (mentions && !mentions.test(body.error_description)) {
    throw new Error(
      `error_description ${JSON.stringify(body.error_description)} does not match ${String(mentions)}`,
    );
  }
}

/**
 * One SSO per test (started before each, closed after), with the token-endpoint shorthands
 * the grant tests use.
 */
export function ssoPerTest(overrides: Partial<SsoServerOptions> = {}) {
  let current: SsoFixture | undefined;
  beforeEach(async () => {
    current = await startSso(overrides);
  });
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  const live = (): SsoFixture => {
    if (!current) throw new Error('ssoPerTest: no SSO outside a test');
    return current;
  };
  const authorize = (params: Record<string, string>, characterId?: number) =>
    authorizeCode(live(), params, characterId);
  return {
    get fx(): SsoFixture {
      return live();
    },
    authorize,
    /** Replaces this test's SSO with one started with other options (closed after the test). */
    async restart(options: Partial<SsoServerOptions>): Promise<SsoFixture> {
      await current?.close();
      current = await startSso(options);
      return current;
    },
    token: (form: Record<string, string>, authorization?: string) =>
      postForm(live(), '/v2/oauth/token', form, authorization),
    webCode: () => authorize({ client_id: WEB.clientId, redirect_uri: WEB.redirectUris[0]! }),
  };
}
