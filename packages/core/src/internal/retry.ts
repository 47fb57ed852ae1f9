import type { RetryOptions } from '../options.js';

/** Statuses worth another try: the gateway or the backend was briefly unavailable. */
export function isRetryableStatus(status: number): boolean {
  return status === 502 || status === 503 || status === 504;
}

/**
 * Exponential backoff: `backoffFactor × 2^retry` seconds; with jitter, a random 50–150 % of it
 * so that many clients failing together do not retry together.
 */
export function backoffDelay(
  retry: number,
  options: RetryOptions,
  random: () => number = Math.random,
): number {
  const base = options.backoffFactor * 1000 * 2 ** retry;
  return options.jitter ? base * (0.5 + random()) : base;
}
