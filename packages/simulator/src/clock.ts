/**
 * The simulator's clock. Real time by default; tests freeze it or move it forward so cache
 * windows, token expiry and rate-limit windows roll over without waiting.
 *
 * Pass `() => sim.clock.now()` as the client's clock so both sides agree on the time.
 */
export class SimulatorClock {
  #offset = 0;
  #frozenAt: number | undefined;
  /** Sleepers waiting for a frozen clock to be advanced past `at`. */
  #sleepers: { at: number; wake: () => void }[] = [];

  /** Milliseconds since the epoch, as the simulator sees it. */
  now(): number {
    return this.#frozenAt ?? Date.now() + this.#offset;
  }

  /** Moves time forward (or back, with a negative value) by `ms` milliseconds. */
  advance(ms: number): void {
    if (!Number.isFinite(ms))
      throw new TypeError(`clock.advance(ms): ms must be finite, got ${ms}`);
    if (this.#frozenAt === undefined) this.#offset += ms;
    else this.#frozenAt += ms;
    this.#wakeDue();
  }

  /**
   * Resolves after `ms` of this clock's time: real time while it runs, and, while it is frozen,
   * once {@link advance} has moved it `ms` on (so simulated latency costs a test no real time).
   * Aborting `signal` rejects with its reason.
   *
   * @example
   * const done = clock.sleep(5_000); // frozen clock: pending
   * clock.advance(5_000); // now resolved
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (!Number.isFinite(ms) || ms < 0)
      return Promise.reject(
        new TypeError(`clock.sleep(ms): ms must be finite and >= 0, got ${ms}`),
      );
    // The abort reason is whatever the caller aborted with, as with timers/promises.
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        clearTimeout(timer);
        this.#sleepers = this.#sleepers.filter((x) => x !== sleeper);
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
        reject(signal!.reason);
      };
      const wake = (): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const sleeper = { at: this.now() + ms, wake };
      let timer: ReturnType<typeof setTimeout> | undefined;
      if (this.#frozenAt === undefined) timer = setTimeout(wake, ms);
      else this.#sleepers.push(sleeper);
      signal?.addEventListener('abort', onAbort, { once: true });
      if (this.#frozenAt !== undefined) this.#wakeDue();
    });
  }

  /** How many {@link sleep} calls wait for a frozen clock to advance (tests poll this). */
  get sleeping(): number {
    return this.#sleepers.length;
  }

  #wakeDue(): void {
    const now = this.now();
    const due = this.#sleepers.filter((x) => x.at <= now).sort((a, b) => a.at - b.at);
    if (due.length === 0) return;
    this.#sleepers = this.#sleepers.filter((x) => x.at > now);
    for (const x of due) x.wake();
  }

  /** Stops time at the current instant (or at `at`); only {@link advance} moves it then. */
  freeze(at: number = this.now()): void {
    this.#frozenAt = at;
  }

  /** Lets time run again from where it stands. */
  unfreeze(): void {
    if (this.#frozenAt === undefined) return;
    this.#offset = this.#frozenAt - Date.now();
    this.#frozenAt = undefined;
    // Running again: whoever waited for an advance now waits out the rest in real time.
    const sleepers = this.#sleepers;
    this.#sleepers = [];
    for (const x of sleepers) setTimeout(x.wake, Math.max(0, x.at - this.now()));
  }

  /** Seconds since the epoch, for JWT claims. */
  nowSeconds(): number {
    return Math.floor(this.now() / 1000);
  }
}
