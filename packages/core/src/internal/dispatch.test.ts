import { describe, expect, it } from 'vitest';
import { DispatchGate, type Ticket } from './dispatch.js';
import { ErrorLimitGovernor } from './error-limit.js';
import { Bucket } from './rate-limit.js';

function setup(max: number, threshold = 10) {
  let now = 1_000_000;
  const clock = (): number => now;
  const errors = new ErrorLimitGovernor(clock, threshold);
  const waits: string[] = [];
  const gate = new DispatchGate(clock, max, errors, { limitWait: (g) => waits.push(g) });
  return {
    gate,
    errors,
    waits,
    advance: (ms: number) => (now += ms),
    now: () => now,
  };
}

const free = (): Bucket => new Bucket('free', Number.POSITIVE_INFINITY, 60_000);
const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('DispatchGate', () => {
  it('grants synchronously while a connection is free, then queues first come, first served', async () => {
    const { gate } = setup(2);
    const b = free();
    const t1 = gate.acquire(b, undefined);
    const t2 = gate.acquire(b, undefined);
    expect(t1).not.toBeInstanceOf(Promise);
    expect(t2).not.toBeInstanceOf(Promise);
    const order: number[] = [];
    const p3 = (gate.acquire(b, undefined) as Promise<Ticket>).then((t) => (order.push(3), t));
    const p4 = (gate.acquire(b, undefined) as Promise<Ticket>).then((t) => (order.push(4), t));
    expect(gate.inFlight).toBe(2);
    expect(gate.waiting).toBe(2);
    gate.release(t1 as Ticket, 200, {});
    await flush();
    expect(order).toEqual([3]);
    gate.release(t2 as Ticket, 200, {});
    await Promise.all([p3, p4]);
    expect(order).toEqual([3, 4]);
  });

  it('counts requests in flight against the error budget (a request that may error holds a slot)', async () => {
    const { gate, waits } = setup(10, 10);
    const b = free();
    const first = gate.acquire(b, undefined) as Ticket;
    gate.release(first, 404, { 'x-esi-error-limit-remain': '12', 'x-esi-error-limit-reset': '30' });
    // 12 left and the stop at 10 (a request is sent while at least 10 would be left before
    // it): three may be in flight, the fourth waits although connections are free.
    const a = gate.acquire(b, undefined);
    expect(gate.acquire(b, undefined)).not.toBeInstanceOf(Promise);
    expect(gate.acquire(b, undefined)).not.toBeInstanceOf(Promise);
    const d = gate.acquire(b, undefined);
    expect(a).not.toBeInstanceOf(Promise);
    expect(d).toBeInstanceOf(Promise);
    expect(waits).toEqual(['free']);
    let granted = false;
    void (d as Promise<Ticket>).then(() => (granted = true));
    // An answer without an error frees its slot and the budget is unchanged: d may go.
    gate.release(a as Ticket, 200, {
      'x-esi-error-limit-remain': '12',
      'x-esi-error-limit-reset': '29',
    });
    await flush();
    expect(granted).toBe(true);
  });

  it('with the proactive stop off, lets one request probe an exhausted budget, never two', () => {
    const { gate } = setup(10, 0);
    const b = free();
    const first = gate.acquire(b, undefined) as Ticket;
    gate.release(first, 404, { 'x-esi-error-limit-remain': '0', 'x-esi-error-limit-reset': '30' });
    expect(gate.acquire(b, undefined)).not.toBeInstanceOf(Promise);
    expect(gate.acquire(b, undefined)).toBeInstanceOf(Promise);
  });

  it('holds everything after a 420 until the reset', async () => {
    const { gate, advance } = setup(10, 0);
    const b = free();
    const t = gate.acquire(b, undefined) as Ticket;
    gate.release(t, 420, { 'x-esi-error-limit-reset': '5' });
    let granted = false;
    const p = (gate.acquire(b, undefined) as Promise<Ticket>).then((x) => ((granted = true), x));
    await new Promise((r) => setTimeout(r, 120));
    expect(granted).toBe(false);
    advance(5000);
    await p;
    expect(granted).toBe(true);
  });

  it('a waiter on an empty bucket does not hold up another bucket', async () => {
    const { gate, now } = setup(10);
    const empty = new Bucket('empty', 10, 60_000);
    empty.settle(empty.reserve(now()), now(), 429, { 'retry-after': '30' });
    const blocked = gate.acquire(empty, undefined);
    expect(blocked).toBeInstanceOf(Promise);
    expect(gate.acquire(free(), undefined)).toBeInstanceOf(Promise); // queued behind…
    await flush();
    expect(gate.inFlight).toBe(1); // …but granted by the pump, not held by the empty bucket
    expect(gate.waiting).toBe(1);
  });

  it('a request queued for a connection re-checks its bucket when the connection frees (a 429 met meanwhile holds it)', async () => {
    const { gate, advance, now } = setup(1);
    const b = new Bucket('g', 100, 60_000);
    const first = gate.acquire(b, undefined) as Ticket;
    let granted = false;
    const queued = (gate.acquire(b, undefined) as Promise<Ticket>).then(
      (t) => ((granted = true), t),
    );
    // The request in flight meets a 429 (another process spent the bucket): Retry-After 10 s.
    gate.release(first, 429, { 'retry-after': '10' });
    await new Promise((r) => setTimeout(r, 120));
    expect(granted).toBe(false);
    expect(gate.inFlight).toBe(0);
    advance(10_000);
    await queued;
    expect(now()).toBeGreaterThanOrEqual(b.retryAt);
  });

  it('takes an aborted waiter out of the queue', async () => {
    const { gate } = setup(1);
    const b = free();
    const t = gate.acquire(b, undefined) as Ticket;
    const controller = new AbortController();
    const p = gate.acquire(b, controller.signal) as Promise<Ticket>;
    controller.abort(new Error('gone'));
    await expect(p).rejects.toThrow('gone');
    expect(gate.waiting).toBe(0);
    gate.release(t, 200, {});
    expect(gate.inFlight).toBe(0);
  });

  it('a ticket given back unsent charges neither the bucket nor the error budget', () => {
    const { gate, errors, now } = setup(1);
    const b = new Bucket('g', 100, 60_000);
    const t = gate.acquire(b, undefined) as Ticket;
    expect(b.remaining(now())).toBe(98);
    expect(errors.inFlight).toBe(1);
    gate.release(t, undefined, {}, false);
    expect(b.remaining(now())).toBe(100);
    expect(errors.inFlight).toBe(0);
  });
});
