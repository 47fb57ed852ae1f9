/** Waits `ms` of real time; aborting the signal rejects at once and clears the timer. */
export function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    const timer = setTimeout(
      () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

// How often a wait for a clock instant looks at the clock again: the clock may be a test's
// simulated clock that jumps forward, so a single long timer could oversleep.
const POLL_MS = 50;

/** Waits until `clock() >= until`, cancellable; returns at once when already past. */
export async function waitUntil(
  clock: () => number,
  until: number,
  signal: AbortSignal | undefined,
): Promise<void> {
  for (let left = until - clock(); left > 0; left = until - clock()) {
    await sleep(Math.min(left, POLL_MS), signal);
  }
}
