import { SimulatorError } from '../errors.js';
import { Prng } from './prng.js';

/** A server-side failure status the injector can answer with. */
export type FaultStatus = 500 | 502 | 503 | 504;

/** What can go wrong for a route (or every route). */
export interface FaultSpec {
  /** Share of requests (0–1) answered with a 5xx from `statuses`. @default 0 */
  readonly errorRate?: number;
  /** Statuses to choose from for `errorRate`. @default [500, 502, 503, 504] */
  readonly statuses?: readonly FaultStatus[];
  /** Extra delay (ms) before answering. @default 0 */
  readonly latencyMs?: number;
  /** Share of requests whose connection is destroyed without an answer. @default 0 */
  readonly resetRate?: number;
  /** Share of requests whose body is cut after the headers promised more. @default 0 */
  readonly truncateRate?: number;
  /**
   * For `X-Pages` routes: after page 1 is served, the resource changes (new Last-Modified,
   * ETag and data) for the remaining pages, as when ESI's cache refreshes mid-walk.
   * @default false
   */
  readonly pageChange?: boolean;
}

/** The deterministic form: the next `count` matching requests fail this way. */
export interface FailNext {
  readonly count: number;
  readonly with: FaultStatus | 'reset' | 'truncate';
  /** Only requests for this operation; every route when absent. */
  readonly operationId?: string;
}

/** Fault configuration; see {@link FaultSpec}. Replaced wholesale by `sim.setFaults()`. */
export interface FaultConfig {
  /** Applies to every route without its own entry in `routes`. */
  readonly global?: FaultSpec;
  /** Per operationId. */
  readonly routes?: Readonly<Record<string, FaultSpec>>;
  readonly failNext?: FailNext | readonly FailNext[];
  /** Seed for the random draws, so a test sees the same sequence each run. @default 1 */
  readonly seed?: number;
}

export type FaultAction =
  | { readonly kind: 'none' }
  | { readonly kind: 'status'; readonly status: FaultStatus }
  | { readonly kind: 'reset' }
  | { readonly kind: 'truncate' };

const DEFAULT_STATUSES: readonly FaultStatus[] = [500, 502, 503, 504];

function checkRate(value: number | undefined, name: string): void {
  if (value !== undefined && !(value >= 0 && value <= 1)) {
    throw new SimulatorError(
      'ESIKIT_SIMULATOR_OPTION',
      `faults: ${name} must be between 0 and 1, got ${value}`,
    );
  }
}

/** Validates a fault configuration, naming the field that is wrong. */
export function validateFaults(config: FaultConfig): void {
  const specs: [string, FaultSpec][] = [
    ...(config.global ? [['global', config.global] as [string, FaultSpec]] : []),
    ...Object.entries(config.routes ?? {}).map(
      ([id, s]) => [`routes.${id}`, s] as [string, FaultSpec],
    ),
  ];
  for (const [where, s] of specs) {
    checkRate(s.errorRate, `${where}.errorRate`);
    checkRate(s.resetRate, `${where}.resetRate`);
    checkRate(s.truncateRate, `${where}.truncateRate`);
    if (s.latencyMs !== undefined && !(s.latencyMs >= 0 && Number.isFinite(s.latencyMs))) {
      throw new SimulatorError(
        'ESIKIT_SIMULATOR_OPTION',
        `faults: ${where}.latencyMs must be a finite number >= 0, got ${s.latencyMs}`,
      );
    }
    for (const status of s.statuses ?? []) {
      if (!DEFAULT_STATUSES.includes(status)) {
        throw new SimulatorError(
          'ESIKIT_SIMULATOR_OPTION',
          `faults: ${where}.statuses may hold 500, 502, 503, 504, got ${String(status)}`,
        );
      }
    }
  }
  const nexts =
    config.failNext === undefined
      ? []
      : Array.isArray(config.failNext)
        ? config.failNext
        : [config.failNext];
  for (const n of nexts as FailNext[]) {
    if (!Number.isInteger(n.count) || n.count < 0) {
      throw new SimulatorError(
        'ESIKIT_SIMULATOR_OPTION',
        `faults: failNext.count must be a non-negative integer, got ${n.count}`,
      );
    }
    if (!['reset', 'truncate', ...DEFAULT_STATUSES].includes(n.with)) {
      throw new SimulatorError(
        'ESIKIT_SIMULATOR_OPTION',
        `faults: failNext.with must be 500|502|503|504|'reset'|'truncate', got ${String(n.with)}`,
      );
    }
  }
}

/** Decides, per request, whether and how to fail. */
export class FaultInjector {
  #config: FaultConfig = {};
  #rng = new Prng(1);
  #pending: { count: number; with: FailNext['with']; operationId?: string }[] = [];

  set(config: FaultConfig): void {
    validateFaults(config);
    this.#config = config;
    this.#rng = new Prng(`faults:${config.seed ?? 1}`);
    const nexts =
      config.failNext === undefined
        ? []
        : Array.isArray(config.failNext)
          ? config.failNext
          : [config.failNext];
    this.#pending = (nexts as FailNext[]).map((n) => ({ ...n }));
  }

  spec(operationId: string | undefined): FaultSpec {
    return (
      (operationId !== undefined ? this.#config.routes?.[operationId] : undefined) ??
      this.#config.global ??
      {}
    );
  }

  decide(operationId: string | undefined): FaultAction {
    const next = this.#pending.find(
      (n) => n.count > 0 && (n.operationId === undefined || n.operationId === operationId),
    );
    if (next) {
      next.count--;
      return typeof next.with === 'number'
        ? { kind: 'status', status: next.with }
        : { kind: next.with };
    }
    const s = this.spec(operationId);
    // One draw per kind in a fixed order keeps the sequence stable when rates change.
    const reset = this.#rng.next() < (s.resetRate ?? 0);
    const truncate = this.#rng.next() < (s.truncateRate ?? 0);
    const error = this.#rng.next() < (s.errorRate ?? 0);
    const status = this.#rng.pick(
      s.statuses && s.statuses.length > 0 ? s.statuses : DEFAULT_STATUSES,
    );
    if (reset) return { kind: 'reset' };
    if (error) return { kind: 'status', status };
    if (truncate) return { kind: 'truncate' };
    return { kind: 'none' };
  }
}
