import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { OperationSpec, OperationTable } from '@esikit/spec';
import type { SimulatorClock } from '../clock.js';
import type { VerifiedAccess } from '../sso/index.js';
import { type AuditLog, type ViolationKind, isMeaningfulUserAgent } from './audit.js';
import { httpDate } from './caching.js';
import type { FaultInjector } from './faults.js';
import type { BucketLimiter, ErrorLimiter } from './limits.js';
import { checkBody } from './request-body.js';
import type { Outcome, ResourceResponder } from './resources.js';
import type { ServedVersion } from './blend.js';
import type { SpecVersions } from './versions.js';

/** Everything the ESI handler reads; built once by startSimulator. */
export interface EsiDeps {
  /** The loaded spec versions; each request is served by the one its date selects. */
  readonly versions: SpecVersions;
  readonly clock: SimulatorClock;
  readonly verify: (token: string) => Promise<VerifiedAccess>;
  readonly errors: ErrorLimiter;
  readonly buckets: BucketLimiter;
  readonly audit: AuditLog;
  readonly faults: FaultInjector;
  readonly resources: ResourceResponder;
  readonly latencyMs: number;
}

const MAX_BODY_BYTES = 1 << 20;
const EXPIRY_PRUNE_AT = 50_000;
/**
 * Request headers a browser app may send, named one by one: in a preflight answer `*` does not
 * cover `Authorization` (Fetch standard, CORS-safelisted names), so real ESI lists them.
 */
const CORS_ALLOW_HEADERS = [
  'Accept',
  'Accept-Language',
  'Authorization',
  'Cache-Control',
  'Content-Type',
  'If-Modified-Since',
  'If-None-Match',
  'X-Compatibility-Date',
  'X-Tenant',
  'X-User-Agent',
].join(', ');

function errorOutcome(
  status: number,
  error: string,
  headers: Record<string, string> = {},
): Outcome {
  return { status, headers, body: JSON.stringify({ error }) };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new RangeError('request body is larger than 1 MiB');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** What #serve decided, plus what the handler needs to undo a cache window it did not serve. */
interface Served {
  readonly outcome: Outcome;
  /** Absent for a CORS preflight, which no version serves. */
  readonly version?: ServedVersion;
  readonly op?: OperationSpec;
  readonly fault?: 'reset' | 'truncate';
  readonly resourceKey?: string;
  readonly previousExpiry?: number | undefined;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * The ESI side: routing, compatibility dates, auth, limits, caching, faults and the audit log,
 * in the order ESI applies them.
 */
export class EsiHandler {
  readonly #d: EsiDeps;
  /** Expiry (ms) of what each client last received, per resource, for the cache-window counter. */
  readonly #expiries = new Map<string, number>();

  #forgetExpiry(key: string, previous: number | undefined): void {
    if (previous === undefined) this.#expiries.delete(key);
    else this.#expiries.set(key, previous);
  }

  #rememberExpiry(key: string, expires: number): void {
    // Long benchmarks touch many resources: forget the ones whose window is over.
    if (this.#expiries.size >= EXPIRY_PRUNE_AT) {
      const now = this.#d.clock.now();
      for (const [k, at] of this.#expiries) if (at <= now) this.#expiries.delete(k);
    }
    this.#expiries.set(key, expires);
  }

  constructor(deps: EsiDeps) {
    this.#d = deps;
  }

  /** ESI answers in the requested language when it has it, else English. */
  #language(table: OperationTable, accept: string | undefined): string {
    const wanted = accept?.split(',')[0]?.split(';')[0]?.trim().toLowerCase().slice(0, 2);
    return wanted !== undefined && table.languages.includes(wanted) ? wanted : 'en';
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const d = this.#d;
    const at = d.clock.now();
    const url = new URL(req.url ?? '/', 'http://esi.invalid');
    const method = req.method ?? 'GET';
    // HEAD is GET without the body: same route, checks, limits and headers.
    const asGet = method === 'HEAD' ? 'GET' : method;
    const ua =
      header(req, 'x-user-agent') ??
      header(req, 'user-agent') ??
      url.searchParams.get('user_agent') ??
      undefined;
    const auth = header(req, 'authorization');
    const compat =
      header(req, 'x-compatibility-date') ??
      url.searchParams.get('compatibility_date') ??
      undefined;
    const violations: ViolationKind[] = [];
    // A CORS preflight is the browser's, not the app's: it cannot carry X-User-Agent.
    if (method !== 'OPTIONS' && !isMeaningfulUserAgent(ua)) violations.push('missingUserAgent');

    let access: VerifiedAccess | undefined;
    let authProblem: string | undefined;
    if (auth !== undefined) {
      const m = /^Bearer\s+(\S+)$/i.exec(auth);
      if (!m) authProblem = 'authorization header must be "Bearer <token>"';
      else {
        try {
          access = await d.verify(m[1]!);
        } catch (e) {
          const reason = (e as { reason?: string }).reason ?? 'invalid';
          authProblem =
            reason === 'expired' ? 'token is expired' : `token is not valid (${reason})`;
        }
      }
    }

    let op: OperationSpec | undefined;
    let version: ServedVersion | undefined;
    let fault: 'reset' | 'truncate' | undefined;
    let outcome: Outcome;
    try {
      const r = await this.#serve(req, url, asGet, ua, compat, access, authProblem, violations);
      outcome = r.outcome;
      op = r.op;
      version = r.version;
      // A body-less answer (204, 304, HEAD) cannot be cut short.
      fault =
        r.fault === 'truncate' && (r.outcome.body === undefined || method === 'HEAD')
          ? undefined
          : r.fault;
      if (fault === 'truncate' && r.resourceKey !== undefined) {
        // The client never got the whole body, so it got no cache window: its retry is fine.
        this.#forgetExpiry(r.resourceKey, r.previousExpiry);
      }
    } catch (e) {
      outcome = errorOutcome(
        500,
        `simulator failure: ${e instanceof Error ? e.message : String(e)}`,
      );
    }

    d.audit.add(
      {
        at,
        method,
        path: url.pathname,
        query: url.search.replace(/^\?/, ''),
        status: outcome.status,
        ...(op ? { operationId: op.id } : {}),
        ...(access ? { characterId: access.characterId, clientId: access.clientId } : {}),
        ...(ua !== undefined ? { userAgent: ua } : {}),
        ...(header(req, 'if-none-match') !== undefined
          ? { ifNoneMatch: header(req, 'if-none-match')! }
          : {}),
        ...(compat !== undefined ? { compatibilityDate: compat } : {}),
        authorization: auth !== undefined,
        violations,
      },
      fault,
    );

    const extra = d.latencyMs + (d.faults.spec(op?.id).latencyMs ?? 0);
    if (extra > 0) await sleep(extra);
    if (fault === 'reset') {
      req.socket.destroy();
      return;
    }
    res.statusCode = outcome.status;
    res.setHeader('Date', httpDate(d.clock.now()));
    res.setHeader('X-ESI-Request-ID', randomUUID());
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Access-Control-Expose-Headers', '*');
    if (op && version)
      res.setHeader(
        'Content-Language',
        this.#language(version.table, header(req, 'accept-language')),
      );
    for (const [k, v] of Object.entries(outcome.headers)) res.setHeader(k, v);
    if (outcome.body === undefined) {
      res.end();
      return;
    }
    const bytes = Buffer.from(outcome.body, 'utf8');
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.setHeader('Content-Length', String(bytes.length));
    if (fault === 'truncate') {
      // Promise the whole body, send half, then drop the connection.
      res.write(bytes.subarray(0, Math.floor(bytes.length / 2)), () => res.destroy());
      return;
    }
    res.end(bytes);
  }

  async #serve(
    req: IncomingMessage,
    url: URL,
    method: string,
    ua: string | undefined,
    compat: string | undefined,
    access: VerifiedAccess | undefined,
    authProblem: string | undefined,
    violations: ViolationKind[],
  ): Promise<Served> {
    const d = this.#d;
    const ip = req.socket.remoteAddress ?? 'unknown';
    // CCP's error limit is per source IP: neither a new User-Agent nor another application's
    // token from the same address starts a fresh budget.
    const errorKey = ip;

    if (method === 'OPTIONS') {
      return {
        outcome: {
          status: 204,
          headers: {
            'Access-Control-Allow-Methods': 'DELETE, GET, HEAD, OPTIONS, POST, PUT',
            'Access-Control-Allow-Headers': CORS_ALLOW_HEADERS,
            'Access-Control-Max-Age': '600',
          },
        },
      };
    }

    // Routes, parameters and shapes are those of the version the compatibility date selects; a
    // refused date is answered below, after the limits, and routed like a request without one.
    const choice = d.versions.select(compat);
    const version = choice.version ?? d.versions.oldest;
    const match = version.router.match(method, url.pathname, url.searchParams);
    const op = 'op' in match ? match.op : match.failedOp;
    const bucket = op?.rateLimit ? d.buckets.spec(op.rateLimit) : undefined;
    const principal = access
      ? op?.scope !== undefined
        ? `${access.clientId}:${access.characterId}`
        : `${ip}:${access.clientId}`
      : ip;

    // Counter (i): a GET for a cached resource before the Expires this client was given.
    let resourceKey: string | undefined;
    let previousExpiry: number | undefined;
    if (method === 'GET' && op?.cacheAge !== undefined) {
      const q = [...url.searchParams]
        .filter(([k]) => k !== 'user_agent' && k !== 'token')
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      // Per served version too: each date's representation is its own cached resource.
      resourceKey = `${url.pathname}?${new URLSearchParams(q).toString()}|${header(req, 'accept-language') ?? 'en'}|${access ? `${access.clientId}:${access.characterId}` : ip}|${version.date}`;
      previousExpiry = this.#expiries.get(resourceKey);
      if (previousExpiry !== undefined && d.clock.now() < previousExpiry)
        violations.push('cacheWindow');
    }

    const finish = (outcome: Outcome, fault?: 'reset' | 'truncate'): Served => {
      if (fault === 'reset') return { outcome, version, ...(op ? { op } : {}), fault };
      if (bucket) {
        const { used, remaining } = d.buckets.charge(bucket, principal, outcome.status);
        Object.assign(outcome.headers, {
          'X-Ratelimit-Group': bucket.group,
          'X-Ratelimit-Limit': `${bucket.maxTokens}/${bucket.windowLabel}`,
          'X-Ratelimit-Remaining': String(remaining),
          'X-Ratelimit-Used': String(used),
        });
      } else {
        if (outcome.status !== 420) d.errors.record(errorKey, outcome.status);
        const s = d.errors.state(errorKey);
        outcome.headers['X-ESI-Error-Limit-Remain'] = String(s.remain);
        outcome.headers['X-ESI-Error-Limit-Reset'] = String(s.resetSeconds);
      }
      if (
        resourceKey &&
        (outcome.status === 200 || outcome.status === 304) &&
        outcome.headers.Expires
      ) {
        this.#rememberExpiry(resourceKey, Date.parse(outcome.headers.Expires));
      }
      return {
        outcome,
        version,
        ...(op ? { op } : {}),
        ...(fault ? { fault } : {}),
        ...(resourceKey !== undefined ? { resourceKey, previousExpiry } : {}),
      };
    };

    // The error limit applies to every route, even those with buckets.
    const limited = d.errors.admit(errorKey);
    if (limited.limited) {
      if (limited.violation) violations.push('afterErrorLimit');
      const s = d.errors.state(errorKey);
      return {
        outcome: errorOutcome(420, 'error limited', {
          'X-ESI-Error-Limit-Remain': '0',
          'X-ESI-Error-Limit-Reset': String(s.resetSeconds),
        }),
        version,
        ...(op ? { op } : {}),
      };
    }

    if (bucket) {
      const admission = d.buckets.admit(bucket, principal);
      if (admission.violation) violations.push('duringRetryAfter');
      if (!admission.allowed) {
        return finish(
          errorOutcome(429, 'Too many requests', {
            'Retry-After': String(admission.retryAfterSeconds),
          }),
        );
      }
    }

    // A refused date is a bad request whatever the path: ESI documents the bounds, not the reply.
    if (choice.problem !== undefined) return finish(errorOutcome(400, choice.problem));
    if (!('op' in match)) return finish(errorOutcome(match.status, match.error));
    const route = match.op;

    if (route.scope !== undefined) {
      if (authProblem) return finish(errorOutcome(401, authProblem));
      if (!access)
        return finish(
          errorOutcome(401, 'authentication required: send Authorization: Bearer <access token>'),
        );
      if (!access.scopes.includes(route.scope))
        return finish(errorOutcome(403, `token is not valid for scope(s): ${route.scope}`));
      const characterId = match.params.character_id;
      if (typeof characterId === 'number' && characterId !== access.characterId) {
        return finish(errorOutcome(403, 'token is not valid for this character_id'));
      }
      const corporationId = match.params.corporation_id;
      if (typeof corporationId === 'number' && route.path.includes('{corporation_id}')) {
        const character = version.bodies.character(access.characterId);
        if (character?.corporationId !== corporationId) {
          return finish(errorOutcome(403, 'character is not a member of this corporation'));
        }
      }
    }

    let requestBody: unknown;
    if (route.body) {
      let text: string;
      try {
        text = await readBody(req);
      } catch (e) {
        return finish(errorOutcome(400, (e as Error).message));
      }
      if (text.trim() === '') {
        if (route.body.required) return finish(errorOutcome(400, 'request body is required'));
      } else {
        try {
          requestBody = JSON.parse(text) as unknown;
        } catch {
          return finish(errorOutcome(400, 'request body is not valid JSON'));
        }
        const problem = checkBody(route.body.schema, requestBody);
        if (problem) return finish(errorOutcome(400, problem));
      }
    }

    const action = d.faults.decide(route.id);
    if (action.kind === 'status') {
      const text = {
        500: 'Internal Server Error',
        502: 'Bad Gateway',
        503: 'Service Unavailable',
        504: 'Timeout contacting tranquility',
      }[action.status];
      return finish(errorOutcome(action.status, text));
    }
    if (action.kind === 'reset') return finish({ status: 0, headers: {} }, 'reset');

    const outcome = d.resources.respond(version, route, match.params, requestBody, {
      ...(header(req, 'if-none-match') !== undefined
        ? { ifNoneMatch: header(req, 'if-none-match')! }
        : {}),
      ...(header(req, 'if-modified-since') !== undefined
        ? { ifModifiedSince: header(req, 'if-modified-since')! }
        : {}),
    });
    return finish(outcome, action.kind === 'truncate' ? 'truncate' : undefined);
  }
}
