// Subscriptions over Yoga's SSE, read with the graphql-sse client: one emission per cache window
// that brought new data, no ESI request inside a window, a 304 (unchanged) emits nothing.
import { afterEach, describe, expect, it } from 'vitest';
import { createClient } from 'graphql-sse';
import { harness, NO_VIOLATIONS, type Harness } from '../test/fixture.js';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (check()) return;
    await tick(10);
  }
  throw new Error(`timed out waiting for ${what}`);
}

let h: Harness;
afterEach(async () => {
  expect(h.sim.stats().violations).toEqual(NO_VIOLATIONS);
  await h.close();
});

async function subscribe(rate: number) {
  h = await harness({ dataChangeRate: { GetStatus: rate } });
  const window = (await h.esi.operation('GetStatus')).cacheAge! * 1000;
  const client = createClient({ url: h.url, retryAttempts: 0 });
  const iterator = client.iterate<{ status: { players: number } }>({
    query: 'subscription { status { players start_time } }',
  });
  return { client, iterator, window };
}

describe('subscriptions', () => {
  it('emit once per cache window with new data, and ask ESI only after the window', async () => {
    const { client, iterator, window } = await subscribe(1);
    try {
      const first = await iterator.next();
      expect(first.value?.data?.status.players).toEqual(expect.any(Number));
      expect(h.esiRequests('GetStatus')).toBe(1);
      // Inside the window: nothing is asked, nothing emitted.
      h.sim.clock.advance(window / 2);
      await tick(100);
      expect(h.esiRequests('GetStatus')).toBe(1);
      for (let w = 2; w <= 3; w++) {
        h.sim.clock.advance(window);
        const next = await iterator.next();
        expect(next.value?.data?.status.players).toEqual(expect.any(Number));
        expect(h.esiRequests('GetStatus')).toBe(w);
      }
    } finally {
      await iterator.return?.();
      client.dispose();
    }
  });

  it('emit nothing when the window rolls over without a change (a 304)', async () => {
    const { client, iterator, window } = await subscribe(0);
    try {
      await iterator.next();
      h.sim.clock.advance(window + 1000);
      await until(() => h.esiRequests('GetStatus') === 2, 'the revalidation');
      const outcome = await Promise.race([
        iterator.next().then(() => 'emitted'),
        tick(200).then(() => 'quiet'),
      ]);
      expect(outcome).toBe('quiet');
      expect(
        h.sim
          .audit()
          .filter((e) => e.operationId === 'GetStatus')
          .map((e) => e.status),
      ).toEqual([200, 304]);
    } finally {
      client.dispose();
    }
  });
});
