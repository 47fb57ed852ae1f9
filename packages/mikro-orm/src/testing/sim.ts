// Test support: the simulator and SSO clients wired to it. Not exported.
import { fileURLToPath } from 'node:url';
import { createSso, type EveSso, type SsoOptions } from '@esikit/core/sso';
import { DEFAULT_CLIENT, startSimulator, type Simulator } from '@esikit/simulator';

export const CALLBACK_URL = 'http://127.0.0.1:9/sso/callback';
export const WEB_CLIENT = {
  clientId: DEFAULT_CLIENT.clientId,
  clientSecret: DEFAULT_CLIENT.clientSecret!,
};

/** The ESI spec: `ESI_SPEC_FILE` (relative to the repo root) or the shared copy beside the repo. */
export function specFile(): string {
  const env = process.env.ESI_SPEC_FILE;
  if (env) return fileURLToPath(new URL(env, new URL('../../../../', import.meta.url)));
  return fileURLToPath(new URL('../../../../../shared/esi/openapi.json', import.meta.url));
}

export function startSim(): Promise<Simulator> {
  return startSimulator({ spec: specFile() });
}

/** An SSO client for the simulator's confidential client, on the simulator's clock. */
export function simSso(sim: Simulator, overrides: Partial<SsoOptions> = {}): EveSso {
  return createSso({
    ...WEB_CLIENT,
    callbackUrl: CALLBACK_URL,
    ssoUrl: sim.ssoUrl,
    clock: () => sim.clock.now(),
    jwksRefetchCooldownMs: 0,
    timeoutMs: 5_000,
    ...overrides,
  });
}

/** Refresh-token calls SSO answered, successful or not. */
export function tokenCalls(sim: Simulator): number {
  const stats = sim.sso.stats();
  return stats.refreshes + Object.values(stats.tokenErrors).reduce((a, b) => a + b, 0);
}
