// Cancellation: a client that goes away aborts its ESI call, unless another caller shares it.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { NO_VIOLATIONS } from '@esikit/simulator';
import { startApp, type TestApp } from '../test/app.js';

let app: TestApp | undefined;
afterEach(async () => {
  expect(app!.sim.stats().violations).toEqual(NO_VIOLATIONS);
  await app!.close();
});

const waitFor = (check: () => void): Promise<void> =>
  vi.waitFor(check, { timeout: 10_000, interval: 10 });

describe('abort', () => {
  it('aborts the ESI call when the tRPC request is aborted', async () => {
    // The simulator holds the answer (real time: its latency does not follow the clock).
    app = await startApp({ faults: { routes: { GetUniverseAncestries: { latencyMs: 3_000 } } } });
    const controller = new AbortController();
    const call = app
      .client(undefined)
      .esi.universe.getUniverseAncestries.query(undefined, { signal: controller.signal });
    await waitFor(() => expect(app!.seen('GetUniverseAncestries')).toBe(1));
    controller.abort();
    await expect(call).rejects.toThrow();
    await waitFor(() =>
      expect(app!.events).toContainEqual(
        expect.objectContaining({
          operation: 'GetUniverseAncestries',
          errorCode: 'ESIKIT_ABORTED',
        }),
      ),
    );
  });

  it('keeps a call other callers share going when one of them leaves', async () => {
    app = await startApp({ faults: { routes: { GetUniverseAncestries: { latencyMs: 3_000 } } } });
    const controller = new AbortController();
    const leaving = app
      .client(undefined)
      .esi.universe.getUniverseAncestries.query(undefined, { signal: controller.signal });
    const staying = app.client(undefined).esi.universe.getUniverseAncestries.query();
    await waitFor(() => expect(app!.seen('GetUniverseAncestries')).toBe(1));
    controller.abort();
    await expect(leaving).rejects.toThrow();
    const ancestries = await staying;
    expect(ancestries.length).toBeGreaterThan(0);
    expect(app.seen('GetUniverseAncestries')).toBe(1);
    // One ESI request served both; only the caller that left saw an abort.
    expect(app.events.filter((e) => e.errorCode === 'ESIKIT_ABORTED')).toHaveLength(1);
  });
});
