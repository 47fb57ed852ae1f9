/**
 * Tokens a response spends from its rate-limit bucket, by status class, as ESI's rate-limiting
 * document sets them: 2xx 2, 3xx 1 (to reward conditional requests), 4xx 5, 5xx 0. A 429 costs
 * nothing more.
 *
 * @example
 * rateLimitTokenCost(304); // 1
 */
export function rateLimitTokenCost(status: number): number {
  if (status === 429 || status >= 500) return 0;
  if (status >= 400) return 5;
  if (status >= 300) return 1;
  return 2;
}
