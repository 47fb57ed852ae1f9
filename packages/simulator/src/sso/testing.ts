// Test support for the SSO's own tests: a real node:http server on 127.0.0.1 port 0 serving an
// SsoServer. Not exported from the package.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

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
