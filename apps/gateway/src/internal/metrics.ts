// Prometheus metrics on a registry of the gateway's own (two gateways in one process, as in the
// tests, never share counters). ESI figures come from core's onRequest hook and esi.stats(),
// token refreshes from the token manager's onTokenRefresh.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { EsiClient, EsiRequestEvent } from '@esikit/core';
import type { TokenRefreshEvent } from '@esikit/core/sso';

/** The metric's `result` label per core refresh outcome (`deleted` predates core's `dead`). */
const REFRESH_RESULT = { refreshed: 'refreshed', failed: 'failed', dead: 'deleted' } as const;

export class GatewayMetrics {
  readonly registry = new Registry();
  readonly #esiRequests = new Counter({
    name: 'esikit_esi_requests_total',
    help: 'ESI requests by operation, HTTP status and how they were answered (cache, revalidated, network, coalesced, error)',
    labelNames: ['operation', 'status', 'source'] as const,
    registers: [this.registry],
  });
  readonly #esiDuration = new Histogram({
    name: 'esikit_esi_request_duration_seconds',
    help: 'ESI request durations, cache hits included',
    labelNames: ['source'] as const,
    buckets: [0.001, 0.005, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly http = new Histogram({
    name: 'esikit_http_request_duration_seconds',
    help: 'Gateway HTTP request durations by API (trpc, graphql, page, sso, other), method and status',
    labelNames: ['api', 'method', 'status'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly answerCache = new Counter({
    name: 'esikit_http_answer_cache_total',
    help: "The gateway's shared cache of public tRPC answers: hit (served from memory), stored",
    labelNames: ['result'] as const,
    registers: [this.registry],
  });
  readonly tokenRefreshes = new Counter({
    name: 'esikit_token_refreshes_total',
    help: 'Token refreshes sent to SSO, in requests and housekeeping alike: refreshed, deleted (SSO said invalid_grant) or failed (SSO unreachable or 5xx, or another failure; token kept)',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });
  readonly tokenFailures = new Counter({
    name: 'esikit_token_failures_total',
    help: 'Requests that failed on a token (refresh failed, token dead, forbidden), by esikit error code',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });
  readonly housekeeping = new Counter({
    name: 'esikit_housekeeping_runs_total',
    help: 'Housekeeping runs: ok, failed, or skipped (another run held the lease)',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });
  readonly staleLogins = new Counter({
    name: 'esikit_stale_logins_deleted_total',
    help: 'Logins started but never completed, deleted by housekeeping',
    registers: [this.registry],
  });
  readonly logins = new Counter({
    name: 'esikit_logins_total',
    help: 'Completed and failed EVE SSO logins',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  constructor(esi: () => EsiClient | undefined) {
    collectDefaultMetrics({ register: this.registry, prefix: 'esikit_gateway_' });
    const stats = () => esi()?.stats();
    const gauge = (
      name: string,
      help: string,
      read: (g: Gauge) => void,
      labelNames: string[] = [],
    ) =>
      new Gauge({
        name,
        help,
        labelNames,
        registers: [this.registry],
        collect() {
          read(this);
        },
      });
    gauge('esikit_esi_cache_hits', 'Requests answered from the cache (since start)', (g) => {
      const s = stats();
      if (s) g.set(s.cacheHits);
    });
    gauge(
      'esikit_esi_not_modified',
      '304 answers: revalidations that saved a download (since start)',
      (g) => {
        const s = stats();
        if (s) g.set(s.notModified);
      },
    );
    gauge(
      'esikit_esi_network_requests',
      'HTTP requests actually sent to ESI (since start)',
      (g) => {
        const s = stats();
        if (s) g.set(s.networkRequests);
      },
    );
    gauge(
      'esikit_esi_error_limit_remain',
      "ESI's error limit remaining as last reported (-1 unknown)",
      (g) => {
        const s = stats();
        if (s) g.set(s.errorLimit.remain ?? -1);
      },
    );
    gauge(
      'esikit_esi_rate_limit_tokens',
      'Remaining rate-limit tokens per bucket (group|character or group|app)',
      (g) => {
        const s = stats();
        g.reset();
        if (s) for (const [bucket, n] of Object.entries(s.rateLimits)) g.set({ bucket }, n);
      },
      ['bucket'],
    );
  }

  /**
   * core's `onTokenRefresh`: once per refresh sent to SSO, whichever path made it (a tRPC or
   * GraphQL call's token, housekeeping's bulk refresh), so nothing is counted twice.
   */
  readonly onTokenRefresh = (e: TokenRefreshEvent): void => {
    this.tokenRefreshes.inc({ result: REFRESH_RESULT[e.outcome] });
  };

  /** core's `onRequest` hook. Must not throw. */
  readonly onEsiRequest = (e: EsiRequestEvent): void => {
    try {
      this.#esiRequests.inc({
        operation: e.operation,
        status: String(e.status ?? 'none'),
        source: e.source,
      });
      this.#esiDuration.observe({ source: e.source }, e.durationMs / 1000);
      if (e.errorCode && /TOKEN|SSO/.test(e.errorCode))
        this.tokenFailures.inc({ code: e.errorCode });
    } catch {
      // metrics must never break a request
    }
  };
}
