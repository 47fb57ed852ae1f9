// Subscriptions over SSE (httpSubscriptionLink) driven by the simulator's frozen clock: the data
// once, then once per cache window whose data changed, never a request inside a window, and the
// loop stops when the client goes away.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { NO_VIOLATIONS } from '@esikit/simulator';
import { startApp, type TestApp } from '../test/app.js';

const WINDOW_MS = 3_600_000; // longer than any cache window: each advance rolls one over

let app: TestApp | undefined;
afterEach(async () => {
  expect(app!.sim.stats().violations).toEqual(NO_VIOLATIONS);
  await app!.close();
});

const waitFor = (check: () => void): Promise<void> =>
  vi.waitFor(check, { timeout: 10_000, interval: 10 });

async function watchStatus(app: TestApp) {
  const seen: unknown[] = [];
  const sub = app.client(undefined).esi.live.status.getStatus.subscribe(undefined, {
    onData: (status) => seen.push(status),
    onError: (error) => seen.push(error),
  });
  await waitFor(() => expect(seen).toHaveLength(1));
  return { seen, sub };
}

describe('live', () => {
  it('emits exactly once per window whose data changed', async () => {
    app = await startApp({ dataChangeRate: { GetStatus: 1 } });
    const { seen, sub } = await watchStatus(app);
    expect(app.seen('GetStatus')).toBe(1);
    for (let window = 1; window <= 3; window++) {
      // The loop is waiting for the window to end on the simulator's clock.
      await waitFor(() => expect(app!.sim.clock.sleeping).toBeGreaterThan(0));
      expect(app.seen('GetStatus')).toBe(window);
      app.sim.clock.advance(WINDOW_MS);
      await waitFor(() => expect(seen).toHaveLength(window + 1));
    }
    expect(seen[1]).not.toEqual(seen[0]);
    sub.unsubscribe();
    // The client went away: the loop's wait is cancelled.
    await waitFor(() => expect(app!.sim.clock.sleeping).toBe(0));
    app.sim.clock.advance(WINDOW_MS);
    await new Promise((ok) => setTimeout(ok, 50));
    expect(app.seen('GetStatus')).toBe(4);
  });

  it('does not emit when a window rolls over with the same data (a 304)', async () => {
    app = await startApp({ dataChangeRate: { GetStatus: 0 } });
    const { seen, sub } = await watchStatus(app);
    for (let window = 1; window <= 2; window++) {
      await waitFor(() => expect(app!.sim.clock.sleeping).toBeGreaterThan(0));
      app.sim.clock.advance(WINDOW_MS);
      await waitFor(() => expect(app!.seen('GetStatus')).toBe(window + 1));
    }
    await waitFor(() => expect(app!.sim.clock.sleeping).toBeGreaterThan(0));
    expect(app.sim.stats().notModified).toBeGreaterThanOrEqual(2);
    expect(seen).toHaveLength(1);
    sub.unsubscribe();
  });

  it("acts with the user's token and refuses another user's character", async () => {
    app = await startApp();
    const mine: unknown[] = [];
    const sub = app
      .client(app.users.alice)
      .esi.live.wallet.getCharactersCharacterIdWallet.subscribe(
        { character_id: app.chars.a1 },
        { onData: (balance) => mine.push(balance) },
      );
    await waitFor(() => expect(mine).toHaveLength(1));
    expect(typeof mine[0]).toBe('number');
    sub.unsubscribe();
    const errors: unknown[] = [];
    const other = app
      .client(app.users.bob)
      .esi.live.wallet.getCharactersCharacterIdWallet.subscribe(
        { character_id: app.chars.a1 },
        { onError: (error) => errors.push(error) },
      );
    await waitFor(() => expect(errors).toHaveLength(1));
    expect(errors[0]).toMatchObject({ data: { code: 'FORBIDDEN' } });
    other.unsubscribe();
  });
});
