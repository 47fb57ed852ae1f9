// Test support: a simulator per test file and an SSO/manager wired to it. Used by this
// package's tests and the bulk-refresh benchmark; not exported.
import { fileURLToPath } from 'node:url';
import {
  DEFAULT_CLIENT,
  DEFAULT_PUBLIC_CLIENT,
  startSimulator,
  type Simulator,
} from '@esikit/simulator';
import { MemoryTokenStore } from '../memory-store.js';
import { TokenManager, type TokenManagerOptions } from '../manager.js';
import type { SsoOptions } from '../options.js';
import { createSso, type EveSso } from '../sso.js';
import type { TokenStore } from '../store.js';

export const CALLBACK_URL = 'http://127.0.0.1:9/sso/callback';
export const WEB_CLIENT = {
  clientId: DEFAULT_CLIENT.clientId,
  clientSecret: DEFAULT_CLIENT.clientSecret!,
};
export const PUBLIC_CLIENT = { clientId: DEFAULT_PUBLIC_CLIENT.clientId };

/** The ESI spec: `ESI_SPEC_FILE` (relative to the repo root) or the shared copy. */
export function specFile(): string {
  const env = process.env.ESI_SPEC_FILE;
  if (env) return fileURLToPath(new URL(env, new URL('../../../../../', import.meta.url)));
  return fileURLToPath(new URL('../../../../../../shared/esi/openapi.json', import.meta.url));
}

export async function startSim(): Promise<Simulator> {
  return startSimulator({ spec: specFile() });
}

/** An SSO client for the simulator's confidential client (or public with `public: true`). */
export function simSso(
  sim: Simulator,
  overrides: Partial<SsoOptions> & { public?: boolean } = {},
): EveSso {
  const { public: isPublic, ...rest } = overrides;
  return createSso({
    ...(isPublic ? PUBLIC_CLIENT : WEB_CLIENT),
    callbackUrl: CALLBACK_URL,
    ssoUrl: sim.ssoUrl,
    clock: () => sim.clock.now(),
    jwksRefetchCooldownMs: 0,
    timeoutMs: 5_000,
    ...rest,
  });
}

export function simManager(
  sim: Simulator,
  options: Partial<TokenManagerOptions> & { store?: TokenStore } = {},
): TokenManager {
  return new TokenManager({
    sso: options.sso ?? simSso(sim),
    store: options.store ?? new MemoryTokenStore(),
    ...options,
  });
}

/** Follows the authorize URL like a browser would (auto-consent must be set); returns the callback URL. */
export async function followAuthorize(url: URL): Promise<URL> {
  const res = await fetch(url, { redirect: 'manual', headers: { 'user-agent': 'esikit-tests' } });
  const location = res.headers.get('location');
  await res.body?.cancel();
  if (res.status !== 302 || location === null)
    throw new Error(`authorize answered ${res.status} without a redirect`);
  return new URL(location);
}
