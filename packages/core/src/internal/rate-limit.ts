import { parseWindow, rateLimitTokenCost } from '@esikit/spec';

/** A reservation of bucket tokens by a request in flight. */
export interface Spend {
  readonly at: number;
  tokens: number;
  settled: boolean;
}

/**
 * One floating-window bucket: a (group, character-or-app) pair. Running totals keep every
 * operation O(1) amortised however many requests the window holds.
 */
export class Bucket {
  readonly group: string;
  maxTokens: number;
  windowMs: number;
  /** Retry-After from a 429: nothing is sent in this bucket before it. */
  retryAt = 0;
  #spends: Spend[] = [];
  /** Index of the oldest spend still in the window. */
  #head = 0;
  /** Tokens of the spends in the window, all and settled only. */
  #used = 0;
  #settledUsed = 0;

  constructor(group: string, maxTokens: number, windowMs: number) {
    this.group = group;
    this.maxTokens = maxTokens;
    this.windowMs = windowMs;
  }

  #prune(now: number): void {
    const spends = this.#spends;
    while (this.#head < spends.length) {
      const s = spends[this.#head] as Spend;
      if (s.at + this.windowMs > now) break;
      this.#used -= s.tokens;
      if (s.settled) this.#settledUsed -= s.tokens;
      this.#head += 1;
    }
    if (this.#head > 1024 && this.#head * 2 > spends.length) {
      this.#spends = spends.slice(this.#head);
      this.#head = 0;
    }
  }

  /** Tokens left in the window by our own count (reservations of requests in flight included). */
  remaining(now: number): number {
    this.#prune(now);
    return this.maxTokens - this.#used;
  }

  /**
   * When a request may be sent (0 = now). It keeps a margin so the bucket never runs dry: a
   * success costs 2 tokens, and 5% of the bucket stays unused for other processes.
   */
  blockedUntil(now: number): number {
    if (this.retryAt > now) return this.retryAt;
    if (!Number.isFinite(this.maxTokens)) return 0;
    const need = 2 + Math.floor(this.maxTokens * 0.05);
    let left = this.remaining(now);
    if (left >= need) return 0;
    // Tokens come back as old spends leave the window: find the first instant enough are back.
    for (let i = this.#head; i < this.#spends.length; i++) {
      const s = this.#spends[i] as Spend;
      left += s.tokens;
      if (left >= need) return s.at + this.windowMs;
    }
    return now + this.windowMs;
  }

  /** Records a request about to be sent; settle it with {@link settle} when answered. */
  reserve(now: number): Spend {
    const spend: Spend = { at: now, tokens: 2, settled: false };
    this.#spends.push(spend);
    this.#used += 2;
    return spend;
  }

  /** Gives back a reservation whose request was never sent. */
  cancel(spend: Spend, now: number): void {
    this.#prune(now);
    if (!spend.settled && spend.at + this.windowMs > now) this.#used -= spend.tokens;
    spend.tokens = 0;
    spend.settled = true;
  }

  /** Corrects a reservation with what ESI charged and what it says is left. */
  settle(
    spend: Spend,
    now: number,
    status: number,
    headers: Readonly<Record<string, string>>,
  ): void {
    this.#prune(now);
    // A reservation that already left the window no longer counts in the totals.
    const live = spend.at + this.windowMs > now;
    const used = Number(headers['x-ratelimit-used']);
    const tokens = Number.isFinite(used) && used >= 0 ? used : rateLimitTokenCost(status);
    if (live) {
      this.#used += tokens - spend.tokens;
      this.#settledUsed += tokens;
    }
    spend.tokens = tokens;
    spend.settled = true;
    const limit = headers['x-ratelimit-limit'];
    if (limit) {
      const m = /^(\d+)\/(\d+[smhd])$/.exec(limit);
      if (m?.[1] && m[2]) {
        this.maxTokens = Number(m[1]);
        this.windowMs = parseWindow(m[2]);
      }
    }
    const remaining = Number(headers['x-ratelimit-remaining']);
    // After a 429, Retry-After is the better guide: Remaining says 0 only until then.
    if (
      status !== 429 &&
      headers['x-ratelimit-remaining'] !== undefined &&
      Number.isFinite(remaining) &&
      Number.isFinite(this.maxTokens)
    ) {
      // Compare with settled spends only: ESI has not seen the other requests still in flight.
      const ours = this.maxTokens - this.#settledUsed;
      if (remaining < ours) {
        // Someone else (another process, an earlier run) spends in this bucket too.
        const extra = ours - remaining;
        this.#spends.push({ at: now, tokens: extra, settled: true });
        this.#used += extra;
        this.#settledUsed += extra;
      } else if (remaining > ours) {
        let extra = remaining - ours;
        for (let i = this.#head; i < this.#spends.length && extra > 0; i++) {
          const s = this.#spends[i] as Spend;
          if (!s.settled) continue;
          const take = Math.min(s.tokens, extra);
          s.tokens -= take;
          this.#used -= take;
          this.#settledUsed -= take;
          extra -= take;
        }
      }
    }
    if (status === 429) {
      const after = Number(headers['retry-after']);
      this.retryAt = Math.max(
        this.retryAt,
        now + (Number.isFinite(after) && after >= 0 ? after : 60) * 1000,
      );
    }
  }
}

/** Buckets per (group, character or app), created on first use from the spec's `x-rate-limit`. */
export class RateLimitGovernor {
  readonly #buckets = new Map<string, Bucket>();

  bucket(group: string, subject: number | undefined, maxTokens: number, windowMs: number): Bucket {
    const key = `${group}|${subject ?? 'app'}`;
    let b = this.#buckets.get(key);
    if (!b) {
      b = new Bucket(group, maxTokens, windowMs);
      this.#buckets.set(key, b);
    }
    return b;
  }

  /** Remaining tokens per bucket key, by our count. */
  snapshot(now: number): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [key, b] of this.#buckets)
      if (Number.isFinite(b.maxTokens)) out[key] = b.remaining(now);
    return out;
  }
}
