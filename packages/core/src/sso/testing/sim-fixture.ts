// Test support: a simulator per test file and an SSO/manager wired to it. Used by this
// package's tests and the bulk-refresh benchmark; not exported.
import { fileURLToPath } from 'node:url';
import { findSpecFile } from '@esikit/spec';
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

/**
 * The ESI spec: `ESI_SPEC_FILE` (relative to the repo root), else the copy codegen downloaded into
 * `.cache/esi/`, else the shared copy next to the checkout.
 */
export function specFile(): string {
  const root = new URL('../../../../../', import.meta.url);
  const env = process.env.ESI_SPEC_FILE;
  if (env) return fileURLToPath(new URL(env, root));
  return (
    findSpecFile(fileURLToPath(root), {}) ??
    fileURLToPath(new URL('../../../../../../shared/esi/openapi.json', import.meta.url))
  );
}

export async function startSim(
  options: Omit<Parameters<typeof startSimulator>[0], 'spec'> = {},
): Promise<Simulator> {
  return startSimulator({ spec: specFile(), ...options });
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

/** An SSO request held by an {@link SsoGate} until {@link HeldRequest.release}. */
export interface HeldRequest {
  /** Resolves when the request is held: before SSO saw it, or after SSO did the work. */
  readonly arrived: Promise<void>;
  release(): void;
}

/**
 * A `fetch` for `createSso` that holds chosen SSO requests until the test releases them:
 * `'before'` they reach SSO (nothing happened yet), or `'after'` SSO did the work (a refresh
 * token rotated) with the answer held back. Orders races explicitly instead of by timing.
 */
export class SsoGate {
  readonly #holds: {
    path: string;
    when: 'before' | 'after';
    arrive: () => void;
    released: Promise<void>;
  }[] = [];

  /** Holds the next request whose path ends with `path` (e.g. `/v2/oauth/token`). */
  hold(path: string, when: 'before' | 'after'): HeldRequest {
    let arrive!: () => void;
    let release!: () => void;
    const arrived = new Promise<void>((r) => (arrive = r));
    const released = new Promise<void>((r) => (release = r));
    this.#holds.push({ path, when, arrive, released });
    return { arrived, release };
  }

  readonly fetch = async (input: string | URL, init?: RequestInit): Promise<Response> => {
    const path = new URL(input).pathname;
    const i = this.#holds.findIndex((h) => path.endsWith(h.path));
    const held = i === -1 ? undefined : this.#holds.splice(i, 1)[0];
    // Held like a slow network: the request's own signal still cancels it, as with fetch.
    const wait = async () => {
      held!.arrive();
      const signal = init?.signal;
      if (!signal) return held!.released;
      signal.throwIfAborted();
      let onAbort!: () => void;
      const aborted = new Promise<never>((_, reject) => {
        onAbort = () => reject(signal.reason as Error);
        signal.addEventListener('abort', onAbort, { once: true });
      });
      try {
        await Promise.race([held!.released, aborted]);
      } finally {
        signal.removeEventListener('abort', onAbort);
      }
    };
    if (held?.when === 'before') await wait();
    const response = await fetch(input, init);
    if (held?.when === 'after') await wait();
    return response;
  };
}
