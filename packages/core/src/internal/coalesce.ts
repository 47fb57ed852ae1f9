import { abortPromise } from './sleep.js';

interface Flight<T> {
  readonly promise: Promise<T>;
  readonly controller: AbortController;
  waiters: number;
}

/**
 * Identical requests in flight share one execution. The shared work is aborted only when every
 * caller waiting for it has aborted; one impatient caller does not cancel the others.
 */
export class Coalescer<T> {
  readonly #flights = new Map<string, Flight<T>>();

  /** Returns true (as second value) when the call joined an existing flight. */
  run(
    key: string,
    signal: AbortSignal | undefined,
    work: (signal: AbortSignal) => Promise<T>,
  ): [Promise<T>, boolean] {
    let flight = this.#flights.get(key);
    // A flight every caller has left is being torn down; a newcomer starts afresh.
    if (flight?.controller.signal.aborted) flight = undefined;
    const joined = flight !== undefined;
    if (!flight) {
      const controller = new AbortController();
      const promise = work(controller.signal).finally(() => {
        if (this.#flights.get(key) === flight) this.#flights.delete(key);
      });
      flight = { promise, controller, waiters: 0 };
      this.#flights.set(key, flight);
    }
    const f = flight;
    if (!signal) {
      // A caller that cannot abort keeps the flight alive for good.
      f.waiters = Number.POSITIVE_INFINITY;
      return [f.promise, joined];
    }
    f.waiters += 1;
    const left = abortPromise(signal).catch((reason: unknown) => {
      f.waiters -= 1;
      if (f.waiters <= 0) f.controller.abort(reason);
      throw reason;
    });
    // Keep an unhandled rejection from a caller that left from showing up later.
    f.promise.catch(() => undefined);
    return [Promise.race([f.promise, left]), joined];
  }
}
