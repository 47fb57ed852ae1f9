/**
 * ESI's legacy error limit: a fixed window of ~100 non-2xx/3xx answers. Every response reports
 * `X-ESI-Error-Limit-Remain` and `-Reset`; a `420` means every route is closed until the reset.
 * This governor only decides *when* a new request may start; the pipeline waits.
 */
export class ErrorLimitGovernor {
  readonly #clock: () => number;
  readonly #threshold: number;
  #remain: number | undefined;
  #resetAt = 0;
  #pausedUntil = 0;

  constructor(clock: () => number, threshold: number) {
    this.#clock = clock;
    this.#threshold = threshold;
  }

  /** The instant (client clock, ms) before which no request may start, or 0 when free. */
  blockedUntil(): number {
    const now = this.#clock();
    if (this.#pausedUntil > now) return this.#pausedUntil;
    if (this.#remain !== undefined && this.#remain < this.#threshold && this.#resetAt > now)
      return this.#resetAt;
    return 0;
  }

  /** Reads the error-limit headers of a response (lower-cased names). */
  observe(status: number, headers: Readonly<Record<string, string>>): void {
    const now = this.#clock();
    const remain = toNumber(headers['x-esi-error-limit-remain']);
    const reset = toNumber(headers['x-esi-error-limit-reset']);
    if (remain !== undefined && reset !== undefined) {
      const resetAt = now + reset * 1000;
      // Concurrent responses arrive out of order: within one window keep the lowest count.
      if (
        this.#remain === undefined ||
        this.#resetAt <= now ||
        Math.abs(resetAt - this.#resetAt) > 1500 ||
        remain < this.#remain
      ) {
        this.#remain = remain;
      }
      this.#resetAt = resetAt;
    }
    if (status === 420) {
      // Without a reset header, ESI's window is one minute at most.
      const until = reset !== undefined ? now + reset * 1000 : now + 60_000;
      this.#pausedUntil = Math.max(this.#pausedUntil, until);
    }
  }

  /** For stats: what is known about the current window. */
  snapshot(): {
    remain: number | undefined;
    resetAt: number | undefined;
    pausedUntil: number | undefined;
  } {
    const now = this.#clock();
    return {
      remain: this.#resetAt > now ? this.#remain : undefined,
      resetAt: this.#resetAt > now ? this.#resetAt : undefined,
      pausedUntil: this.#pausedUntil > now ? this.#pausedUntil : undefined,
    };
  }
}

function toNumber(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}
