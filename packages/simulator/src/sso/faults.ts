import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

import { sendJson } from './http.js';

/** A misbehaviour injected into one SSO endpoint. */
export interface Fault {
  /** Answer with this status instead of doing the work. */
  status?: 500 | 502 | 503 | 504;
  /** Wait this long (real milliseconds) first; alone, the request then succeeds, slowly. */
  latencyMs?: number;
  /**
   * Do the work at once, then hold the answer back this long (real milliseconds): the endpoint's
   * effects (a rotated refresh token) happen before the client hears of them, unlike `latencyMs`.
   */
  latencyAfterMs?: number;
  /** Destroy the socket instead of answering (after any latency). */
  reset?: boolean;
  /** Affect this many requests, then clear. @default every request until replaced */
  times?: number;
}

/** Faults per endpoint; `setFaults` replaces the whole set, `{}` clears it. */
export interface SsoFaults {
  token?: Fault;
  revoke?: Fault;
  jwks?: Fault;
  metadata?: Fault;
}

export type FaultTarget = keyof SsoFaults;

const TARGETS: readonly FaultTarget[] = ['token', 'revoke', 'jwks', 'metadata'];
const STATUSES: readonly number[] = [500, 502, 503, 504];

interface ActiveFault {
  readonly fault: Fault;
  remaining: number;
}

/** Holds the configured faults and plays them against requests. */
export class FaultInjector {
  #active = new Map<FaultTarget, ActiveFault>();

  set(faults: SsoFaults): void {
    if (typeof faults !== 'object' || faults === null) {
      throw new TypeError(`setFaults(faults): faults must be an object, got ${String(faults)}`);
    }
    const next = new Map<FaultTarget, ActiveFault>();
    for (const [target, fault] of Object.entries(faults) as [string, Fault | undefined][]) {
      if (!TARGETS.includes(target as FaultTarget)) {
        throw new TypeError(
          `setFaults: unknown endpoint "${target}" (expected one of ${TARGETS.join(', ')})`,
        );
      }
      if (fault === undefined) continue;
      validate(target, fault);
      next.set(target as FaultTarget, { fault: { ...fault }, remaining: fault.times ?? Infinity });
    }
    this.#active = next;
  }

  /**
   * Plays the endpoint's fault, if any. Returns true when the fault took over the response (an
   * error status or a reset) and the endpoint must not run.
   */
  async apply(target: FaultTarget, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const active = this.#active.get(target);
    if (!active) return false;
    // Consumed before any await so concurrent requests each take their own turn.
    active.remaining -= 1;
    if (active.remaining <= 0) this.#active.delete(target);
    const { status, latencyMs, latencyAfterMs, reset } = active.fault;
    if (latencyAfterMs !== undefined && latencyAfterMs > 0) holdAnswer(res, latencyAfterMs);
    if (latencyMs !== undefined && latencyMs > 0) {
      const gone = new AbortController();
      const onClose = (): void => gone.abort();
      res.once('close', onClose);
      try {
        await sleep(latencyMs, undefined, { signal: gone.signal });
      } catch {
        return true; // the client went away while we stalled
      } finally {
        res.off('close', onClose);
      }
    }
    if (reset) {
      req.socket.destroy();
      return true;
    }
    if (status !== undefined) {
      sendJson(
        res,
        status,
        {
          error: status === 503 ? 'temporarily_unavailable' : 'server_error',
          error_description: `simulated ${status} from the SSO ${target} endpoint`,
        },
        { 'cache-control': 'no-store' },
      );
      return true;
    }
    return false;
  }
}

/**
 * Delays the response's head and body by `ms` after the endpoint has written them: the work is
 * done now, the client hears of it later (or never, if it goes away first).
 */
function holdAnswer(res: ServerResponse, ms: number): void {
  const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => ServerResponse;
  const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
  let head: unknown[] | undefined;
  res.writeHead = (...args: unknown[]) => {
    head = args;
    return res;
  };
  res.end = ((...args: unknown[]) => {
    setTimeout(() => {
      if (res.destroyed) return;
      if (head !== undefined) writeHead(...head);
      end(...args);
    }, ms).unref();
    return res;
  }) as ServerResponse['end'];
}

function validate(target: string, fault: Fault): void {
  const at = `setFaults: ${target}`;
  if (typeof fault !== 'object' || fault === null) throw new TypeError(`${at} must be an object`);
  if (fault.status !== undefined && !STATUSES.includes(fault.status)) {
    throw new TypeError(
      `${at}.status must be one of ${STATUSES.join(', ')}, got ${String(fault.status)}`,
    );
  }
  if (
    fault.latencyMs !== undefined &&
    !(Number.isFinite(fault.latencyMs) && fault.latencyMs >= 0)
  ) {
    throw new TypeError(`${at}.latencyMs must be a number >= 0, got ${String(fault.latencyMs)}`);
  }
  if (
    fault.latencyAfterMs !== undefined &&
    !(Number.isFinite(fault.latencyAfterMs) && fault.latencyAfterMs >= 0)
  ) {
    throw new TypeError(
      `${at}.latencyAfterMs must be a number >= 0, got ${String(fault.latencyAfterMs)}`,
    );
  }
  if (fault.reset !== undefined && typeof fault.reset !== 'boolean') {
    throw new TypeError(`${at}.reset must be a boolean, got ${String(fault.reset)}`);
  }
  if (fault.times !== undefined && !(Number.isInteger(fault.times) && fault.times >= 1)) {
    throw new TypeError(`${at}.times must be an integer >= 1, got ${String(fault.times)}`);
  }
  if (
    fault.status === undefined &&
    fault.latencyMs === undefined &&
    fault.latencyAfterMs === undefined &&
    fault.reset !== true
  ) {
    throw new TypeError(`${at} does nothing: set status, latencyMs, latencyAfterMs or reset`);
  }
}
