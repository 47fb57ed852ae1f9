// Shared setup of the client suites: a simulator on loopback port 0 with a frozen clock, and a
// client pointed at it that reads the same clock.
import { afterEach, expect } from 'vitest';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  NO_VIOLATIONS,
  SimulatorClock,
  startSimulator,
  type Simulator,
  type SimulatorOptions,
} from '@esikit/simulator';
import { createEsiClient, type EsiClientOptions, type EsiClientWithTags } from '../src/index.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** CCP's spec: `ESI_SPEC_FILE` (relative to the cwd or, as CI sets it, to the repo root), else the shared copy. */
export const SPEC_FILE = ((): string => {
  const fromEnv = process.env.ESI_SPEC_FILE;
  if (fromEnv) {
    const candidates = [resolve(fromEnv), resolve(repoRoot, fromEnv)];
    const found = candidates.find((c) => existsSync(c));
    if (found) return found;
  }
  return fileURLToPath(new URL('../../../../shared/esi/openapi.json', import.meta.url));
})();

/** One second after a whole hour: every cache window (60 s … 3600 s) has just started. */
export const T0 = Date.UTC(2026, 10, 22, 12, 0, 1);

export const APP = {
  appInfo: { name: 'esikit-tests', version: '1.0.0' },
  contactEmail: 'tests@esikit.invalid',
} as const;

export interface Harness extends AsyncDisposable {
  readonly sim: Simulator;
  readonly esi: EsiClientWithTags;
  /** Token for a character with the given scopes. */
  token(
    characterIndex: number,
    scopes: readonly string[],
  ): Promise<{ characterId: number; accessToken: string }>;
  /** Requests the simulator saw for an operation. */
  seen(operationId: string): number;
  close(): Promise<void>;
}

/** Starts a simulator with a frozen clock at {@link T0} and a client on it. */
export async function harness(
  simOptions: SimulatorOptions = {},
  clientOptions: EsiClientOptions = {},
): Promise<Harness> {
  const clock = new SimulatorClock();
  clock.freeze(T0);
  // `specs` (several compatibility dates) replaces the default single spec.
  const spec = simOptions.specs === undefined ? { spec: SPEC_FILE } : {};
  const sim = await startSimulator({ ...spec, clock, ...simOptions });
  const esi = createEsiClient({
    ...APP,
    baseUrl: sim.esiUrl,
    clock: () => sim.clock.now(),
    retries: { backoffFactor: 0.001 },
    ...clientOptions,
  });
  const close = async (): Promise<void> => {
    await esi.close();
    await sim.close();
  };
  return {
    sim,
    esi,
    async token(index, scopes) {
      const character = sim.characters[index];
      if (!character) throw new Error(`no character ${index}`);
      const t = await sim.issueTokens({ characterId: character.id, scopes });
      return { characterId: character.id, accessToken: t.access_token };
    },
    seen: (operationId) => sim.audit().filter((e) => e.operationId === operationId).length,
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** Lets the real event loop run (for waits that poll the clock). */
export function tick(ms = 80): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * For suites that start one simulator per test: returns `start(...)` (as {@link harness}) and
 * registers an `afterEach` that checks the simulator counted no citizenship violation — no
 * suite may commit one — and closes it.
 */
export function harnessPerTest(): (...args: Parameters<typeof harness>) => Promise<Harness> {
  let open: Harness | undefined;
  afterEach(async () => {
    if (!open) return;
    const current = open;
    open = undefined;
    try {
      expect(current.sim.stats().violations).toEqual(NO_VIOLATIONS);
    } finally {
      await current.close();
    }
  });
  return async (...args) => {
    open = await harness(...args);
    return open;
  };
}
