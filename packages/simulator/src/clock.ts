/**
 * The simulator's clock. Real time by default; tests freeze it or move it forward so cache
 * windows, token expiry and rate-limit windows roll over without waiting.
 *
 * Pass `() => sim.clock.now()` as the client's clock so both sides agree on the time.
 */
export class SimulatorClock {
  #offset = 0;
  #frozenAt: number | undefined;

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
  }

  /** Seconds since the epoch, for JWT claims. */
  nowSeconds(): number {
    return Math.floor(this.now() / 1000);
  }
}
