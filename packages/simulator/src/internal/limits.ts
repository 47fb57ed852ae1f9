import type { RateLimitSpec } from '@esikit/spec';
import { rateLimitTokenCost } from '@esikit/spec';
import type { SimulatorClock } from '../clock.js';

/** Overrides for one rate-limit group (tests shrink buckets to reach 429 quickly). */
export interface GroupLimitOverride {
  /** Tokens per window. */
  readonly maxTokens?: number;
  /** Window length in milliseconds. */
  readonly windowMs?: number;
}

export interface ErrorLimitState {
  readonly remain: number;
  /** Whole seconds until the window resets. */
  readonly resetSeconds: number;
}

/**
 * ESI's legacy error limit: a fixed window (aligned to the epoch) per client in which at most
 * `limit` 4xx/5xx answers are allowed; after that every request is answered 420 until the reset.
 */
export class ErrorLimiter {
  readonly #clock: SimulatorClock;
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #clients = new Map<string, { window: number; errors: number; sent420: boolean }>();

  constructor(clock: SimulatorClock, limit: number, windowSeconds: number) {
    this.#clock = clock;
    this.#limit = limit;
    this.#windowMs = windowSeconds * 1000;
  }

  #entry(key: string): { window: number; errors: number; sent420: boolean } {
    const window = Math.floor(this.#clock.now() / this.#windowMs);
    let entry = this.#clients.get(key);
    if (!entry || entry.window !== window) {
      entry = { window, errors: 0, sent420: false };
      this.#clients.set(key, entry);
    }
    return entry;
  }

  /**
   * Called before a request is served. `limited` means answer 420; `violation` means the
   * client already had a 420 in this window and came back anyway.
   */
  admit(key: string): { limited: boolean; violation: boolean } {
    const entry = this.#entry(key);
    if (entry.errors < this.#limit) return { limited: false, violation: false };
    const violation = entry.sent420;
    entry.sent420 = true;
    return { limited: true, violation };
  }

  /** Counts an answer; only 4xx and 5xx use up the budget. */
  record(key: string, status: number): void {
    if (status >= 400) this.#entry(key).errors++;
  }

  state(key: string): ErrorLimitState {
    const entry = this.#entry(key);
    const now = this.#clock.now();
    return {
      remain: Math.max(0, this.#limit - entry.errors),
      resetSeconds: Math.max(1, Math.ceil(((entry.window + 1) * this.#windowMs - now) / 1000)),
    };
  }
}

/** The effective limit of a group after overrides. */
export interface BucketSpec {
  readonly group: string;
  readonly maxTokens: number;
  readonly windowMs: number;
  /** For `X-Ratelimit-Limit`, e.g. `150/15m`. */
  readonly windowLabel: string;
}

export type BucketAdmission =
  | { readonly allowed: true; readonly violation: boolean }
  | {
      readonly allowed: false;
      readonly violation: boolean;
      readonly retryAfterSeconds: number;
      readonly remaining: number;
    };

interface Bucket {
  /** Spent tokens as [time, cost], oldest first. */
  spent: [number, number][];
  retryUntil: number;
}

function windowLabel(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${Math.max(1, Math.round(ms / 1000))}s`;
}

/**
 * Floating-window buckets per (group, principal): tokens spent by a request come back
 * `windowMs` after it.
 */
export class BucketLimiter {
  readonly #clock: SimulatorClock;
  readonly #overrides: Readonly<Record<string, GroupLimitOverride>>;
  readonly #buckets = new Map<string, Bucket>();

  constructor(clock: SimulatorClock, overrides: Readonly<Record<string, GroupLimitOverride>> = {}) {
    this.#clock = clock;
    this.#overrides = overrides;
  }

  spec(rl: RateLimitSpec): BucketSpec {
    const o = this.#overrides[rl.group];
    const windowMs = o?.windowMs ?? rl.windowMs;
    return {
      group: rl.group,
      maxTokens: o?.maxTokens ?? rl.maxTokens,
      windowMs,
      windowLabel: o?.windowMs !== undefined ? windowLabel(windowMs) : rl.windowSize,
    };
  }

  #bucket(spec: BucketSpec, principal: string): Bucket {
    const key = `${spec.group}\u0000${principal}`;
    let bucket = this.#buckets.get(key);
    if (!bucket) {
      bucket = { spent: [], retryUntil: 0 };
      this.#buckets.set(key, bucket);
    }
    const horizon = this.#clock.now() - spec.windowMs;
    while (bucket.spent.length > 0 && bucket.spent[0]![0] <= horizon) bucket.spent.shift();
    return bucket;
  }

  remaining(spec: BucketSpec, principal: string): number {
    const used = this.#bucket(spec, principal).spent.reduce((sum, [, cost]) => sum + cost, 0);
    return spec.maxTokens - used;
  }

  /** Before serving: is there any token left? If not, how long until there is. */
  admit(spec: BucketSpec, principal: string): BucketAdmission {
    const bucket = this.#bucket(spec, principal);
    const now = this.#clock.now();
    const violation = now < bucket.retryUntil;
    let remaining = this.remaining(spec, principal);
    if (remaining > 0) return { allowed: true, violation };
    // Walk the spent tokens oldest first until enough come back for one more request.
    let at = now;
    for (const [time, cost] of bucket.spent) {
      remaining += cost;
      at = time + spec.windowMs;
      if (remaining > 0) break;
    }
    const retryAfterSeconds = Math.max(1, Math.ceil((at - now) / 1000));
    bucket.retryUntil = Math.max(bucket.retryUntil, now + retryAfterSeconds * 1000);
    return { allowed: false, violation, retryAfterSeconds, remaining: 0 };
  }

  /** After serving: spend the answer's cost. Returns the cost and what is left. */
  charge(spec: BucketSpec, principal: string, status: number): { used: number; remaining: number } {
    const bucket = this.#bucket(spec, principal);
    const used = rateLimitTokenCost(status);
    if (used > 0) bucket.spent.push([this.#clock.now(), used]);
    return { used, remaining: Math.max(0, this.remaining(spec, principal)) };
  }
}
