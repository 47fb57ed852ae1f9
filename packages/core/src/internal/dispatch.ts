import type { ErrorLimitGovernor } from './error-limit.js';
import type { Bucket, Spend } from './rate-limit.js';

/** The right to send one request now; give it back with {@link DispatchGate.release}. */
export interface Ticket {
  readonly bucket: Bucket;
  readonly spend: Spend;
}

interface Waiter {
  readonly bucket: Bucket;
  readonly resolve: (ticket: Ticket) => void;
  readonly reject: (reason: unknown) => void;
  readonly signal: AbortSignal | undefined;
  readonly onAbort: (() => void) | undefined;
}

/** What the gate tells its owner, for stats and debug logs. */
export interface GateEvents {
  /** A request has to wait for a governor (not merely for a free connection). */
  limitWait(group: string, until: number): void;
}

// Waits for a clock instant look at the clock again this often: the clock may be a test's
// simulated clock that jumps forward, so one long timer could oversleep.
const POLL_MS = 50;

/**
 * Where the governors are asked, at the moment a request is dispatched. The gate also caps the
 * requests in flight at the size of the connection pool, so nothing ever waits inside undici's
 * queue after it was checked: a request leaves the gate only when a connection is free and
 * the error limit and its rate-limit bucket allow it, and it is charged to both at that moment
 * (one unit of error budget, a reservation of bucket tokens) until its answer settles them.
 *
 * Waiters are served first come, first served, except that one whose bucket is empty does not
 * hold up waiters of other buckets. They are looked at again whenever a request settles and,
 * while a governor holds one, every {@link POLL_MS} ms of real time.
 */
export class DispatchGate {
  readonly #clock: () => number;
  readonly #max: number;
  readonly #errorLimit: ErrorLimitGovernor;
  readonly #events: GateEvents;
  readonly #queue: Waiter[] = [];
  #inFlight = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    clock: () => number,
    maxInFlight: number,
    errorLimit: ErrorLimitGovernor,
    events: GateEvents,
  ) {
    this.#clock = clock;
    this.#max = maxInFlight;
    this.#errorLimit = errorLimit;
    this.#events = events;
  }

  /** Requests dispatched and not yet settled. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Requests waiting for the gate. */
  get waiting(): number {
    return this.#queue.length;
  }

  /**
   * A ticket at once when the way is clear (synchronously: the common path awaits nothing), else
   * a promise of one. Aborting the signal takes the request out of the queue.
   */
  acquire(bucket: Bucket, signal: AbortSignal | undefined): Ticket | Promise<Ticket> {
    if (this.#queue.length === 0 && this.#holdUntil(bucket) === 0) return this.#grant(bucket);
    return new Promise<Ticket>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason as Error);
        return;
      }
      const onAbort = signal
        ? (): void => {
            const i = this.#queue.indexOf(waiter);
            if (i >= 0) this.#queue.splice(i, 1);
            reject(signal.reason as Error);
          }
        : undefined;
      const waiter: Waiter = { bucket, resolve, reject, signal, onAbort };
      if (onAbort) signal?.addEventListener('abort', onAbort, { once: true });
      this.#queue.push(waiter);
      const until = this.#holdUntil(bucket);
      if (until > 1) this.#events.limitWait(bucket.group, until);
      this.#pump();
    });
  }

  /**
   * True when a governor now holds requests that a ticket already granted would pass: used
   * after an await between the grant and the send (a token refresh) to hand the ticket back.
   */
  stillClear(ticket: Ticket): boolean {
    const now = this.#clock();
    return this.#errorLimit.blockedUntil() <= now && ticket.bucket.retryAt <= now;
  }

  /**
   * Settles a ticket: `status` and `headers` of the answer, or `status` undefined when the
   * request failed without one. `sent: false` gives the ticket back unused (nothing was charged).
   */
  release(
    ticket: Ticket,
    status: number | undefined,
    headers: Readonly<Record<string, string>>,
    sent = true,
  ): void {
    this.#inFlight -= 1;
    const now = this.#clock();
    if (sent) {
      ticket.bucket.settle(ticket.spend, now, status ?? 503, headers);
    } else {
      ticket.bucket.cancel(ticket.spend, now);
    }
    this.#errorLimit.finish(sent ? status : undefined, headers);
    if (this.#queue.length > 0) this.#pump();
  }

  #grant(bucket: Bucket): Ticket {
    this.#inFlight += 1;
    this.#errorLimit.start();
    return { bucket, spend: bucket.reserve(this.#clock()) };
  }

  /** 0 when a request of this bucket may go now, 1 when only the pool is full, else an instant. */
  #holdUntil(bucket: Bucket): number {
    const errors = this.#errorLimit.holdUntil();
    if (errors > 0) return errors;
    const rate = bucket.blockedUntil(this.#clock());
    if (rate > 0) return rate;
    return this.#inFlight < this.#max ? 0 : 1;
  }

  #pump(): void {
    let timed = false;
    for (let i = 0; i < this.#queue.length && this.#inFlight < this.#max;) {
      const w = this.#queue[i] as Waiter;
      const until = this.#holdUntil(w.bucket);
      if (until === 0) {
        this.#queue.splice(i, 1);
        if (w.onAbort) w.signal?.removeEventListener('abort', w.onAbort);
        w.resolve(this.#grant(w.bucket));
        continue;
      }
      timed = true;
      // The error limit holds every bucket alike: no need to look further.
      if (this.#errorLimit.holdUntil() > 0) break;
      i += 1;
    }
    if (timed && this.#timer === undefined) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.#pump();
      }, POLL_MS);
    }
  }
}
