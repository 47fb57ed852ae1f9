/** The four ways a client can misbehave towards ESI that the simulator counts. */
export type ViolationKind =
  'cacheWindow' | 'afterErrorLimit' | 'duringRetryAfter' | 'missingUserAgent';

/**
 * Every violation counter at zero: what `sim.stats().violations` must equal after a well-behaved
 * client's run.
 *
 * @example
 * expect(sim.stats().violations).toEqual(NO_VIOLATIONS);
 */
export const NO_VIOLATIONS: Readonly<Record<ViolationKind, 0>> = Object.freeze({
  cacheWindow: 0,
  afterErrorLimit: 0,
  duringRetryAfter: 0,
  missingUserAgent: 0,
});

/** One request as the simulator saw it. */
export interface AuditEntry {
  /** Simulator clock time (ms) when the request arrived. */
  readonly at: number;
  readonly method: string;
  /** Path without the query string. */
  readonly path: string;
  /** The raw query string without `?` ('' when none). */
  readonly query: string;
  /** The status sent; 0 when the fault injector reset the connection instead. */
  readonly status: number;
  /** The matched operation, when the route exists. */
  readonly operationId?: string;
  /** From a valid access token. */
  readonly characterId?: number;
  readonly clientId?: string;
  readonly userAgent?: string;
  readonly ifNoneMatch?: string;
  readonly compatibilityDate?: string;
  /** Whether an `Authorization` header was sent (never its value). */
  readonly authorization: boolean;
  /** Violations this request committed. */
  readonly violations: readonly ViolationKind[];
}

/** Counters over the audit log. */
export interface SimulatorStats {
  readonly requests: number;
  /** Answers per status code. */
  readonly byStatus: Readonly<Record<string, number>>;
  readonly notModified: number;
  /** Connections the fault injector reset. */
  readonly resets: number;
  /** Bodies the fault injector cut short. */
  readonly truncated: number;
  readonly violations: Readonly<Record<ViolationKind, number>>;
}

// A bare library default says nothing about the application sending it.
const LIBRARY_DEFAULT =
  /^(undici|node|node-fetch|axios|got|ky|python-requests|python-urllib|python-httpx|aiohttp|curl|wget|go-http-client|okhttp|java|apache-httpclient|libwww-perl|php|guzzlehttp|ruby|rest-client|postmanruntime|insomnia|httpie|deno|bun)(\/\S*)?$/i;

/** True when a User-Agent identifies an application (not missing, empty or a library default). */
export function isMeaningfulUserAgent(ua: string | undefined): boolean {
  if (ua === undefined) return false;
  const trimmed = ua.trim();
  if (trimmed === '' || trimmed === '*' || trimmed === '-') return false;
  return !LIBRARY_DEFAULT.test(trimmed);
}

/** Keeps the log (bounded) and the counters. */
export class AuditLog {
  readonly #limit: number;
  #entries: AuditEntry[] = [];
  #requests = 0;
  #byStatus: Record<string, number> = {};
  #notModified = 0;
  #resets = 0;
  #truncated = 0;
  #violations: Record<ViolationKind, number> = { ...NO_VIOLATIONS };

  constructor(limit: number) {
    this.#limit = limit;
  }

  add(entry: AuditEntry, fault?: 'reset' | 'truncate'): void {
    this.#requests++;
    const key = String(entry.status);
    this.#byStatus[key] = (this.#byStatus[key] ?? 0) + 1;
    if (entry.status === 304) this.#notModified++;
    if (fault === 'reset') this.#resets++;
    if (fault === 'truncate') this.#truncated++;
    for (const v of entry.violations) this.#violations[v]++;
    this.#entries.push(entry);
    // Long benchmarks would otherwise grow the log without bound; drop the oldest half.
    if (this.#entries.length > this.#limit)
      this.#entries = this.#entries.slice(-Math.floor(this.#limit / 2));
  }

  entries(): AuditEntry[] {
    return [...this.#entries];
  }

  stats(): SimulatorStats {
    return {
      requests: this.#requests,
      byStatus: { ...this.#byStatus },
      notModified: this.#notModified,
      resets: this.#resets,
      truncated: this.#truncated,
      violations: { ...this.#violations },
    };
  }

  reset(): void {
    this.#entries = [];
    this.#requests = 0;
    this.#byStatus = {};
    this.#notModified = 0;
    this.#resets = 0;
    this.#truncated = 0;
    this.#violations = { ...NO_VIOLATIONS };
  }
}
