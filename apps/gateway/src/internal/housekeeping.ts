// core's cleanup jobs on a schedule. One run at a time across every gateway process sharing the
// database: the run holds a lease in the token store under a fixed key, the same mechanism
// that keeps refreshes single.
import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { TokenManager } from '@esikit/core/sso';
import type { GatewayMetrics } from './metrics.js';
import type { SessionStore } from './sessions.js';

/**
 * The token-store lease a housekeeping run holds; another process holding it makes a run skip.
 *
 * @example
 * await store.acquireLease(HOUSEKEEPING_LEASE_KEY, 'maintenance', 60_000); // pause housekeeping
 */
export const HOUSEKEEPING_LEASE_KEY = 'esikit-gateway:housekeeping';
const LEASE_TTL_MS = 10 * 60_000;
/** Refreshes in flight at once: EVE's token endpoint is not to be hammered. */
const REFRESH_CONCURRENCY = 5;

/**
 * One run's counts; `ran: false` when another process held the lease.
 *
 * @example
 * const { ran, refreshed, deleted }: HousekeepingResult = await gw.housekeeping.run();
 */
export interface HousekeepingResult {
  readonly ran: boolean;
  readonly staleLogins: number;
  /** Expired browser sessions deleted. */
  readonly expiredSessions: number;
  readonly refreshed: number;
  readonly deleted: number;
  readonly failed: number;
}

export class Housekeeping {
  readonly #tokens: TokenManager;
  readonly #metrics: GatewayMetrics;
  readonly #log: FastifyBaseLogger;
  readonly #sessions: SessionStore;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<HousekeepingResult> | undefined;

  constructor(
    tokens: TokenManager,
    metrics: GatewayMetrics,
    log: FastifyBaseLogger,
    sessions: SessionStore,
  ) {
    this.#sessions = sessions;
    this.#tokens = tokens;
    this.#metrics = metrics;
    this.#log = log;
  }

  start(intervalS: number): void {
    if (intervalS <= 0) return;
    this.#timer = setInterval(() => void this.run().catch(() => undefined), intervalS * 1000);
    this.#timer.unref();
  }

  /** Waits for a run in progress; no new run starts after this. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running?.catch(() => undefined);
  }

  /** One run now (also what the schedule calls). Skipped when another process holds the lease. */
  run(options: { signal?: AbortSignal } = {}): Promise<HousekeepingResult> {
    this.#running ??= this.#run(options).finally(() => (this.#running = undefined));
    return this.#running;
  }

  async #run({ signal }: { signal?: AbortSignal }): Promise<HousekeepingResult> {
    const store = this.#tokens.store;
    const holder = randomUUID();
    const skipped = {
      ran: false,
      staleLogins: 0,
      expiredSessions: 0,
      refreshed: 0,
      deleted: 0,
      failed: 0,
    };
    try {
      if (
        !(await store.acquireLease(
          HOUSEKEEPING_LEASE_KEY,
          holder,
          LEASE_TTL_MS,
          signal ? { signal } : {},
        ))
      ) {
        this.#metrics.housekeeping.inc({ result: 'skipped' });
        this.#log.info(
          { job: 'housekeeping' },
          'housekeeping skipped: another run holds the lease',
        );
        return skipped;
      }
    } catch (error) {
      this.#metrics.housekeeping.inc({ result: 'failed' });
      this.#log.warn(
        { job: 'housekeeping', err: errorSummary(error) },
        'housekeeping could not take its lease',
      );
      throw error;
    }
    const started = Date.now();
    try {
      const staleLogins = await this.#tokens.deleteStaleCallbackRedirects({
        maxAgeSeconds: 300,
        ...(signal ? { signal } : {}),
      });
      this.#metrics.staleLogins.inc(staleLogins);
      const expiredSessions = await this.#sessions.deleteExpired();
      const expired = await this.#tokens.getExpired({}, signal ? { signal } : {});
      const result = await this.#tokens.bulkRefresh(expired, {
        concurrency: REFRESH_CONCURRENCY,
        ...(signal ? { signal } : {}),
      });
      // Here as in any request, core tells gateway.ts's listeners: a token SSO declared dead is
      // flagged "needs a new login" (onTokenRemoved) and each refresh is counted in
      // esikit_token_refreshes_total (onTokenRefresh), so neither is done again from `result`.
      this.#metrics.housekeeping.inc({ result: 'ok' });
      const summary = {
        ran: true,
        staleLogins,
        expiredSessions,
        refreshed: result.refreshed.length,
        deleted: result.deleted.length,
        failed: result.failed.length,
      };
      this.#log.info(
        { job: 'housekeeping', ...summary, ms: Date.now() - started },
        'housekeeping done',
      );
      return summary;
    } catch (error) {
      this.#metrics.housekeeping.inc({ result: 'failed' });
      this.#log.warn({ job: 'housekeeping', err: errorSummary(error) }, 'housekeeping failed');
      throw error;
    } finally {
      await store.releaseLease(HOUSEKEEPING_LEASE_KEY, holder).catch(() => undefined);
    }
  }
}

/** Code and message only: core's messages carry no secrets, and no stack or cause is logged. */
export function errorSummary(error: unknown): { code?: string; message: string } {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? { code, message: error.message } : { message: error.message };
  }
  return { message: String(error) };
}
