interface Flight<T> {
  promise: Promise<T>;
  /** Only when the first caller can abort; a flight nobody can abort needs none. */
  readonly controller: AbortController | undefined;
  waiters: number;
  /** True once a second caller joined: the result is then shared. */
  shared: boolean;
}

/**
 * Identical requests in flight share one execution. The shared work is aborted only when every
 * caller waiting for it has aborted; one impatient caller does not cancel the others.
 */
export class Coalescer<T> {
  readonly #flights = new Map<string, Flight<T>>();
  readonly #onShared: ((value: T) => void) | undefined;

  /**
   * @param onShared Called with the result of a flight that more than one caller joined, before
   * any of them sees it (the flight is closed to newcomers at that moment too).
   */
  constructor(onShared?: (value: T) => void) {
    this.#onShared = onShared;
  }

  /** True while a flight for the key is running and can still be joined. */
  has(key: string): boolean {
    const flight = this.#flights.get(key);
    return flight !== undefined && flight.controller?.signal.aborted !== true;
  }

  /** Closes a flight to newcomers (synchronously, before its callers see the result). */
  #end(key: string, f: Flight<T>): void {
    if (this.#flights.get(key) === f) this.#flights.delete(key);
  }

  /** Returns true (as second value) when the call joined an existing flight. */
  run(
    key: string,
    signal: AbortSignal | undefined,
    work: (signal: AbortSignal | undefined) => Promise<T>,
  ): [Promise<T>, boolean] {
    let flight = this.#flights.get(key);
    // A flight every caller has left is being torn down; a newcomer starts afresh.
    if (flight?.controller?.signal.aborted) flight = undefined;
    const joined = flight !== undefined;
    if (!flight) {
      const controller = signal ? new AbortController() : undefined;
      const f: Flight<T> = {
        promise: Promise.resolve() as Promise<T>,
        controller,
        waiters: 0,
        shared: false,
      };
      f.promise = work(controller?.signal).then(
        (value) => {
          this.#end(key, f);
          if (f.shared) this.#onShared?.(value);
          return value;
        },
        (error: unknown) => {
          this.#end(key, f);
          throw error;
        },
      );
      this.#flights.set(key, f);
      flight = f;
    }
    const f = flight;
    if (joined) f.shared = true;
    const controller = f.controller;
    // A caller that cannot abort (or a flight that cannot be aborted) keeps the flight alive
    // for good; a caller with a signal can still leave it (below), only not cancel it.
    if (!signal || !controller) f.waiters = Number.POSITIVE_INFINITY;
    else f.waiters += 1;
    if (!signal) return [f.promise, joined];
    const mine = new Promise<T>((resolve, reject) => {
      const onAbort = (): void => {
        f.waiters -= 1;
        if (f.waiters <= 0) controller?.abort(signal.reason);
        reject(signal.reason as Error);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      // The listener goes when the flight settles: long-lived signals must not collect them.
      f.promise.then(
        (value) => {
          signal.removeEventListener('abort', onAbort);
          resolve(value);
        },
        (error: Error) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      );
      if (signal.aborted) onAbort();
    });
    return [mine, joined];
  }
}
