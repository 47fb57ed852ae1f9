import type { IncomingMessage, ServerResponse } from 'node:http';

import type { SimulatorClock } from '../clock.js';
import { Prng } from '../internal/prng.js';
import { sendJson } from './http.js';

/** A 5xx an SSO fault can answer with. */
export type SsoFaultStatus = 500 | 502 | 503 | 504;

/**
 * What can go wrong at an SSO endpoint (or every endpoint, as `global`). Kinds combine: a
 * latency and an error rate and a reset rate in one spec are all played, in that order.
 */
export interface Fault {
  /** Answer every affected request with this status instead of doing the work. */
  status?: SsoFaultStatus;
  /** Share of requests (0–1) answered with a 5xx from `statuses`, seeded. @default 0 */
  errorRate?: number;
  /** Statuses to choose from for `errorRate`. @default [500, 502, 503, 504] */
  statuses?: readonly SsoFaultStatus[];
  /** Share of requests (0–1) whose connection is destroyed without an answer. @default 0 */
  resetRate?: number;
  /**
   * Wait this long first (simulator-clock milliseconds: real time on a running clock, and
   * `clock.advance()` on a frozen one); alone, the request then succeeds, slowly.
   */
  latencyMs?: number;
  /**
   * Do the work at once, then hold the answer back this long (simulator-clock milliseconds):
   * the endpoint's effects (a rotated refresh token) happen before the client hears of them.
   */
  latencyAfterMs?: number;
  /** Destroy the socket of every affected request instead of answering (after any latency). */
  reset?: boolean;
  /** Affect this many requests, then clear. @default every request until replaced */
  times?: number;
}

/** The endpoints faults can target. */
export type FaultTarget = 'token' | 'revoke' | 'jwks' | 'metadata';

/** The deterministic form, as for ESI: the next `count` matching requests fail this way. */
export interface SsoFailNext {
  readonly count: number;
  readonly with: SsoFaultStatus | 'reset';
  /** Only requests to this endpoint; every faultable endpoint when absent. */
  readonly endpoint?: FaultTarget;
}

/**
 * SSO faults, in the shape of the ESI simulator's `FaultConfig`: `global`, per endpoint (under
 * `routes`, or directly as `token`, `revoke`, … — an endpoint's own spec replaces `global`),
 * `failNext` and `seed`. `setFaults` replaces the whole set; `{}` clears it.
 */
export interface SsoFaults {
  token?: Fault;
  revoke?: Fault;
  jwks?: Fault;
  metadata?: Fault;
  /** Applies to every endpoint without its own spec. */
  global?: Fault;
  /** Per endpoint, as ESI's `routes` is per operationId. */
  routes?: Partial<Record<FaultTarget, Fault>>;
  failNext?: SsoFailNext | readonly SsoFailNext[];
  /** Seed of the rate draws, so a test sees the same sequence each run. @default 1 */
  seed?: number;
}

const TARGETS: readonly FaultTarget[] = ['token', 'revoke', 'jwks', 'metadata'];
const KEYS = new Set<string>([...TARGETS, 'global', 'routes', 'failNext', 'seed']);
const STATUSES: readonly SsoFaultStatus[] = [500, 502, 503, 504];

interface ActiveFault {
  readonly fault: Fault;
  remaining: number;
}

type Decision = { kind: 'none' } | { kind: 'reset' } | { kind: 'status'; status: SsoFaultStatus };

/** Holds the configured faults and plays them against requests. */
export class FaultInjector {
  readonly #clock: SimulatorClock;
  #active = new Map<FaultTarget | 'global', ActiveFault>();
  #pending: { count: number; with: SsoFailNext['with']; endpoint?: FaultTarget }[] = [];
  #rng = new Prng('sso-faults:1');

  constructor(clock: SimulatorClock) {
    this.#clock = clock;
  }

  set(faults: SsoFaults): void {
    if (typeof faults !== 'object' || faults === null || Array.isArray(faults)) {
      throw new TypeError(`setFaults(faults): faults must be an object, got ${String(faults)}`);
    }
    for (const key of Object.keys(faults)) {
      if (!KEYS.has(key)) {
        throw new TypeError(
          `setFaults: unknown endpoint "${key}" (expected one of ${TARGETS.join(', ')}, or global, routes, failNext, seed)`,
        );
      }
    }
    const next = new Map<FaultTarget | 'global', ActiveFault>();
    const add = (where: string, target: FaultTarget | 'global', fault: Fault | undefined) => {
      if (fault === undefined) return;
      validate(where, fault);
      next.set(target, { fault: { ...fault }, remaining: fault.times ?? Infinity });
    };
    add('global', 'global', faults.global);
    if (faults.routes !== undefined) {
      if (typeof faults.routes !== 'object' || faults.routes === null)
        throw new TypeError('setFaults: routes must be an object of endpoint → fault');
      for (const [target, fault] of Object.entries(faults.routes)) {
        if (!TARGETS.includes(target as FaultTarget)) {
          throw new TypeError(
            `setFaults: unknown endpoint "routes.${target}" (expected one of ${TARGETS.join(', ')})`,
          );
        }
        add(`routes.${target}`, target as FaultTarget, fault);
      }
    }
    for (const target of TARGETS) {
      if (faults[target] === undefined) continue;
      if (faults.routes?.[target] !== undefined)
        throw new TypeError(`setFaults: "${target}" is given both directly and under routes`);
      add(target, target, faults[target]);
    }
    const nexts =
      faults.failNext === undefined
        ? []
        : Array.isArray(faults.failNext)
          ? (faults.failNext as readonly SsoFailNext[])
          : [faults.failNext as SsoFailNext];
    nexts.forEach((n, i) => {
      const at = `setFaults: failNext[${i}]`;
      if (typeof n !== 'object' || n === null) throw new TypeError(`${at} must be an object`);
      if (!Number.isInteger(n.count) || n.count < 0)
        throw new TypeError(`${at}.count must be an integer >= 0, got ${String(n.count)}`);
      if (n.with !== 'reset' && !STATUSES.includes(n.with))
        throw new TypeError(
          `${at}.with must be 500|502|503|504|'reset', got ${JSON.stringify(n.with)}`,
        );
      if (n.endpoint !== undefined && !TARGETS.includes(n.endpoint))
        throw new TypeError(
          `${at}.endpoint must be one of ${TARGETS.join(', ')}, got ${JSON.stringify(n.endpoint)}`,
        );
    });
    if (faults.seed !== undefined && !Number.isSafeInteger(faults.seed))
      throw new TypeError(`setFaults: seed must be an integer, got ${String(faults.seed)}`);
    this.#active = next;
    this.#pending = nexts.map((n) => ({ ...n }));
    this.#rng = new Prng(`sso-faults:${faults.seed ?? 1}`);
  }

  /** The spec that applies to `target`, consuming one of its `times`. */
  #take(target: FaultTarget): Fault | undefined {
    const key = this.#active.has(target) ? target : 'global';
    const active = this.#active.get(key);
    if (!active) return undefined;
    // Consumed before any await so concurrent requests each take their own turn.
    active.remaining -= 1;
    if (active.remaining <= 0) this.#active.delete(key);
    return active.fault;
  }

  #decide(target: FaultTarget, fault: Fault | undefined): Decision {
    const next = this.#pending.find(
      (n) => n.count > 0 && (n.endpoint === undefined || n.endpoint === target),
    );
    if (next) {
      next.count -= 1;
      return next.with === 'reset' ? { kind: 'reset' } : { kind: 'status', status: next.with };
    }
    if (!fault) return { kind: 'none' };
    // One draw per kind in a fixed order keeps the sequence stable when rates change.
    const reset = this.#rng.next() < (fault.resetRate ?? 0);
    const error = this.#rng.next() < (fault.errorRate ?? 0);
    const status = this.#rng.pick(
      fault.statuses && fault.statuses.length > 0 ? fault.statuses : STATUSES,
    );
    if (fault.reset === true || reset) return { kind: 'reset' };
    if (fault.status !== undefined) return { kind: 'status', status: fault.status };
    if (error) return { kind: 'status', status };
    return { kind: 'none' };
  }

  /**
   * Plays the endpoint's faults, if any. Returns true when a fault took over the response (an
   * error status or a reset) and the endpoint must not run.
   */
  async apply(target: FaultTarget, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const fault = this.#take(target);
    const decision = this.#decide(target, fault);
    if (!fault && decision.kind === 'none') return false;
    const { latencyMs, latencyAfterMs } = fault ?? {};
    if (latencyAfterMs !== undefined && latencyAfterMs > 0)
      holdAnswer(res, this.#clock, latencyAfterMs);
    if (latencyMs !== undefined && latencyMs > 0) {
      const gone = new AbortController();
      const onClose = (): void => gone.abort();
      res.once('close', onClose);
      try {
        await this.#clock.sleep(latencyMs, gone.signal);
      } catch {
        return true; // the client went away while we stalled
      } finally {
        res.off('close', onClose);
      }
    }
    if (decision.kind === 'reset') {
      req.socket.destroy();
      return true;
    }
    if (decision.kind === 'status') {
      const { status } = decision;
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
 * Delays the response's head and body by `ms` (simulator clock) after the endpoint has written
 * them: the work is done now, the client hears of it later (or never, if it goes away first).
 */
function holdAnswer(res: ServerResponse, clock: SimulatorClock, ms: number): void {
  const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => ServerResponse;
  const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
  let head: unknown[] | undefined;
  res.writeHead = (...args: unknown[]) => {
    head = args;
    return res;
  };
  res.end = ((...args: unknown[]) => {
    const gone = new AbortController();
    res.once('close', () => gone.abort());
    clock.sleep(ms, gone.signal).then(
      () => {
        if (res.destroyed) return;
        if (head !== undefined) writeHead(...head);
        end(...args);
      },
      () => undefined, // the client went away first
    );
    return res;
  }) as ServerResponse['end'];
}

function checkRate(at: string, name: string, value: unknown): void {
  if (value !== undefined && !(typeof value === 'number' && value >= 0 && value <= 1))
    throw new TypeError(
      `${at}.${name} must be between 0 and 1, got ${typeof value === 'number' ? value : typeof value}`,
    );
}

function validate(where: string, fault: Fault): void {
  const at = `setFaults: ${where}`;
  if (typeof fault !== 'object' || fault === null) throw new TypeError(`${at} must be an object`);
  if (fault.status !== undefined && !STATUSES.includes(fault.status)) {
    throw new TypeError(
      `${at}.status must be one of ${STATUSES.join(', ')}, got ${String(fault.status)}`,
    );
  }
  for (const s of fault.statuses ?? []) {
    if (!STATUSES.includes(s))
      throw new TypeError(`${at}.statuses may hold ${STATUSES.join(', ')}, got ${String(s)}`);
  }
  checkRate(at, 'errorRate', fault.errorRate);
  checkRate(at, 'resetRate', fault.resetRate);
  for (const name of ['latencyMs', 'latencyAfterMs'] as const) {
    const v = fault[name];
    if (v !== undefined && !(Number.isFinite(v) && v >= 0))
      throw new TypeError(`${at}.${name} must be a number >= 0, got ${String(v)}`);
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
    fault.reset !== true &&
    !(fault.errorRate ?? 0) &&
    !(fault.resetRate ?? 0)
  ) {
    throw new TypeError(
      `${at} does nothing: set status, errorRate, resetRate, latencyMs, latencyAfterMs or reset`,
    );
  }
}
