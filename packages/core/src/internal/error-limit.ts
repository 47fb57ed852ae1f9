/**
 * ESI's legacy error limit: a fixed window of ~100 non-2xx/3xx answers. Every response reports
 * `X-ESI-Error-Limit-Remain` and `-Reset`; a `420` means every route is closed until the reset,
 * and any request sent after it in the same window is what gets apps banned.
 *
 * The governor is asked at the moment a request is dispatched ({@link holdUntil}) and counts
 * the requests in flight: any of them may still answer with an error, so each holds one unit
 * of the remaining budget until its answer is known.
 */
export class ErrorLimitGovernor {
  readonly #clock: () => number;
  readonly #threshold: number;
  #remain: number | undefined;
  #resetAt = 0;
  #pausedUntil = 0;
  #inFlight = 0;

  /**
   * @param threshold Keep at least this much budget unspent (the proactive stop). 0 spends it to
   * the end: then, once nothing is left, one request at a time may probe (it meets the 420 or
   * finds a new window), and never one after a 420.
   */
  constructor(clock: () => number, threshold: number) {
    this.#clock = clock;
    this.#threshold = threshold;
  }

  /** Requests dispatched and not yet answered. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /**
   * 0 when a request may be dispatched now; otherwise the instant (client clock) to look again.
   * A hold caused by requests in flight also ends when one of them is answered.
   */
  holdUntil(): number {
    const now = this.#clock();
    if (this.#pausedUntil > now) return this.#pausedUntil;
    if (this.#remain === undefined || this.#resetAt <= now) return 0;
    const left = this.#remain - this.#inFlight;
    if (this.#threshold > 0) return left < this.#threshold ? this.#resetAt : 0;
    return left <= 0 && this.#inFlight > 0 ? this.#resetAt : 0;
  }

  /** The instant before which nothing may start, ignoring requests in flight (for waits and stats). */
  blockedUntil(): number {
    const now = this.#clock();
    if (this.#pausedUntil > now) return this.#pausedUntil;
    if (this.#remain !== undefined && this.#remain < this.#threshold && this.#resetAt > now)
      return this.#resetAt;
    return 0;
  }

  /** A request is about to be sent. */
  start(): void {
    this.#inFlight += 1;
  }

  /** The request started with {@link start} was answered (or failed, or was never sent). */
  finish(status: number | undefined, headers: Readonly<Record<string, string>>): void {
    this.#inFlight -= 1;
    if (status !== undefined) this.observe(status, headers);
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
