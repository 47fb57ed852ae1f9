// Options of createEsiSchema and useEsi, validated once here with messages that name the
// option and the value.
import type { EsiClient } from '@esikit/core';
import { EsikitError } from '@esikit/core';
import type { TokenManager } from '@esikit/core/sso';
import type { Limits } from './internal/protection.js';

/**
 * Limits that refuse a query before it runs.
 *
 * @example
 * createEsiSchema({ esi, limits: { maxEsiCalls: 50, maxDepth: 8 } });
 */
export interface EsiLimitsOptions {
  /** Refuse a query whose estimated ESI calls exceed this. @default 200 */
  readonly maxEsiCalls?: number;
  /** Maximum selection depth (GraphQL Armor). @default 12 */
  readonly maxDepth?: number;
  /** Maximum aliases per operation (GraphQL Armor). @default 15 */
  readonly maxAliases?: number;
  /** Items a list is assumed to hold when estimating what is below it. @default 20 */
  readonly assumedListSize?: number;
  /** X-Pages pages a paged field without `page` is assumed to fetch. @default 3 */
  readonly assumedPages?: number;
}

/**
 * Options of {@link createEsiSchema}.
 *
 * @example
 * const esiSchema = await createEsiSchema({ esi, tokens });
 */
export interface EsiSchemaOptions {
  /** The ESI client; its operation table (and its `specFile`, if any) defines the schema. */
  readonly esi: EsiClient;
  /** The app's tokens: the viewer's characters and every authenticated field use them. */
  readonly tokens?: TokenManager;
  /** Add a Subscription type (live cached GET fields). @default true */
  readonly subscriptions?: boolean;
  /** Allow introspection queries. @default true */
  readonly introspection?: boolean;
  /** Query limits. */
  readonly limits?: EsiLimitsOptions;
  /** Clock that ESI's `Expires` is compared with; give the client's clock. @default Date.now */
  readonly clock?: () => number;
  /** How often a subscription looks at the clock while it waits for a window to end (ms). @default 1000 */
  readonly pollIntervalMs?: number;
  /**
   * How long a name from `POST /universe/names` serves every request (ms). ESI gives that
   * lookup no cache window, so core cannot cache it; names almost never change. `0` asks ESI
   * each request.
   * @default 3_600_000 (an hour)
   */
  readonly namesTtlMs?: number;
  /** Cancels loading the operation table. */
  readonly signal?: AbortSignal;
}

export interface ResolvedSchemaOptions {
  readonly esi: EsiClient;
  readonly tokens: TokenManager | undefined;
  readonly subscriptions: boolean;
  readonly limits: Limits;
  readonly clock: () => number;
  readonly pollIntervalMs: number;
  readonly namesTtlMs: number;
}

/**
 * A bad option of this package (`ESIKIT_INVALID_OPTION`), naming the option and the value.
 *
 * @example
 * try { await createEsiSchema({} as never); } catch (e) { if (e instanceof EsiGraphQLOptionError) console.error(e.message); }
 */
export class EsiGraphQLOptionError extends EsikitError {
  constructor(message: string) {
    super('ESIKIT_INVALID_OPTION', message);
    this.name = 'EsiGraphQLOptionError';
  }
}

function describe(value: unknown): string {
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'object' && value !== null)
    return Array.isArray(value) ? 'an array' : 'an object';
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

function positiveInt(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1)
    throw new EsiGraphQLOptionError(
      `esikit/graphql: "${name}" must be a positive integer, got ${describe(value)}`,
    );
  return value;
}

function nonNegativeInt(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
    throw new EsiGraphQLOptionError(
      `esikit/graphql: "${name}" must be a non-negative integer, got ${describe(value)}`,
    );
  return value;
}

function bool(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean')
    throw new EsiGraphQLOptionError(
      `esikit/graphql: "${name}" must be true or false, got ${describe(value)}`,
    );
  return value;
}

export function resolveSchemaOptions(options: EsiSchemaOptions): ResolvedSchemaOptions {
  if (typeof options !== 'object' || options === null)
    throw new EsiGraphQLOptionError(
      `esikit/graphql: options must be an object, got ${describe(options)}`,
    );
  const { esi, tokens } = options;
  if (
    typeof esi !== 'object' ||
    esi === null ||
    typeof (esi as Partial<EsiClient>).call !== 'function'
  )
    throw new EsiGraphQLOptionError(
      `esikit/graphql: "esi" must be an ESI client from createEsiClient(), got ${describe(esi)}`,
    );
  if (
    tokens !== undefined &&
    (typeof tokens !== 'object' || tokens === null || typeof tokens.forUser !== 'function')
  )
    throw new EsiGraphQLOptionError(
      `esikit/graphql: "tokens" must be a TokenManager, got ${describe(tokens)}`,
    );
  if (options.clock !== undefined && typeof options.clock !== 'function')
    throw new EsiGraphQLOptionError(
      `esikit/graphql: "clock" must be a function, got ${describe(options.clock)}`,
    );
  const limits = options.limits ?? {};
  if (typeof limits !== 'object' || limits === null)
    throw new EsiGraphQLOptionError(
      `esikit/graphql: "limits" must be an object, got ${describe(limits)}`,
    );
  return {
    esi,
    tokens,
    subscriptions: bool('subscriptions', options.subscriptions, true),
    clock: options.clock ?? Date.now,
    pollIntervalMs: positiveInt('pollIntervalMs', options.pollIntervalMs, 1000),
    namesTtlMs: nonNegativeInt('namesTtlMs', options.namesTtlMs, 3_600_000),
    limits: {
      maxEsiCalls: positiveInt('limits.maxEsiCalls', limits.maxEsiCalls, 200),
      maxDepth: positiveInt('limits.maxDepth', limits.maxDepth, 12),
      maxAliases: positiveInt('limits.maxAliases', limits.maxAliases, 15),
      assumedListSize: positiveInt('limits.assumedListSize', limits.assumedListSize, 20),
      assumedPages: positiveInt('limits.assumedPages', limits.assumedPages, 3),
      introspection: bool('introspection', options.introspection, true),
    },
  };
}
