// The options of `createEsiRouter`, validated once in the factory (messages name the option).
import type { EsiClient } from '@esikit/core';
import type { TokenManager } from '@esikit/core/sso';
import type { EsiSelectionList } from './types.js';

/**
 * A clock the live (subscription) procedures wait on: the simulator's `SimulatorClock` fits, so
 * tests move cache windows with `clock.advance(ms)`.
 *
 * @example
 * const clock: EsiLiveClock = { now: Date.now, sleep: (ms, signal) => setTimeout(ms, undefined, { signal }) };
 */
export interface EsiLiveClock {
  now(): number;
  /** Resolves after `ms` of this clock's time; rejects when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/**
 * Options of `createEsiRouter`.
 *
 * @example
 * await createEsiRouter(t, { esi, tokens, userId: (ctx) => ctx.session?.userId, include: { tags: ['Market'] } });
 */
export interface EsiRouterOptions<
  TCtx,
  TInclude extends EsiSelectionList | undefined = EsiSelectionList | undefined,
  TExclude extends EsiSelectionList | undefined = EsiSelectionList | undefined,
  TMetadata extends boolean = boolean,
> {
  /** Only these tags (core's tag keys, `Market`) and operation ids. @default every operation */
  readonly include?: TInclude;
  /** Not these tags and operation ids (applied after `include`). @default none */
  readonly exclude?: TExclude;
  /** The ESI client every procedure calls (caching, paging and ESI's limits are its job). */
  readonly esi: Pick<EsiClient, 'call' | 'inputSchema' | 'operations'>;
  /**
   * Where the users' tokens live: the app's `TokenManager`, or a function of the context.
   * Needed by authenticated operations.
   * @default none: authenticated operations answer `UNAUTHORIZED`
   */
  readonly tokens?: TokenManager | ((ctx: TCtx) => TokenManager);
  /**
   * The logged-in user (the `userId` their tokens are stored with), or undefined when nobody
   * is. Authenticated operations act only with this user's own tokens.
   * @default none: nobody is logged in
   */
  readonly userId?: (ctx: TCtx) => string | undefined | null | Promise<string | undefined | null>;
  /**
   * Return every result with its metadata: `{ data, expires, lastModified, etag, pages,
   * fromCache }` (cursor results keep `records`/`before`/`after` under `data`).
   * @default false
   */
  readonly withMetadata?: TMetadata;
  /**
   * Live (subscription) procedures under `live`. `clock` drives their waits;
   * `fallbackIntervalMs` is the wait after an answer without a future `Expires`.
   * @default { clock: real time, fallbackIntervalMs: 60000 }
   */
  readonly live?: {
    readonly clock?: EsiLiveClock;
    readonly fallbackIntervalMs?: number;
  };
  /**
   * Clock for `Cache-Control` ages (ms since the epoch); give the ESI client's clock.
   * @default Date.now
   */
  readonly clock?: () => number;
}

/** The options once validated. */
export interface ResolvedOptions<TCtx> {
  readonly esi: EsiRouterOptions<TCtx>['esi'];
  readonly tokens: ((ctx: TCtx) => TokenManager) | undefined;
  readonly userId: EsiRouterOptions<TCtx>['userId'];
  readonly withMetadata: boolean;
  readonly liveClock: EsiLiveClock;
  readonly fallbackIntervalMs: number;
  readonly clock: () => number;
}

/**
 * Thrown by `createEsiRouter` and `createEsiAuth` for a bad option; the message names the option
 * and the value (by kind and size, never the value itself when it is a string).
 *
 * @example
 * try { await createEsiRouter(t, options); } catch (e) { if (e instanceof EsiRouterOptionError) console.error(e.message); }
 */
export class EsiRouterOptionError extends TypeError {
  override name = 'EsiRouterOptionError';
  readonly code = 'ESIKIT_TRPC_INVALID_OPTION';
}

function kind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `a string of ${value.length} characters`;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return typeof value;
}

const realClock: EsiLiveClock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason as Error);
        return;
      }
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(signal!.reason as Error);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

/** Validates the options once and fills in the defaults. */
export function resolveOptions<TCtx>(options: EsiRouterOptions<TCtx>): ResolvedOptions<TCtx> {
  const fail = (name: string, want: string, got: unknown): never => {
    throw new EsiRouterOptionError(`createEsiRouter: "${name}" must be ${want}, got ${kind(got)}`);
  };
  if (typeof options !== 'object' || options === null) fail('options', 'an object', options);
  const { esi, tokens, userId, withMetadata, live, clock } = options;
  if (
    typeof esi !== 'object' ||
    esi === null ||
    typeof esi.call !== 'function' ||
    typeof esi.inputSchema !== 'function'
  )
    fail('esi', 'an ESI client (createEsiClient)', esi);
  let tokensOf: ((ctx: TCtx) => TokenManager) | undefined;
  if (typeof tokens === 'function') tokensOf = tokens;
  else if (typeof tokens === 'object' && tokens !== null && typeof tokens.find === 'function')
    tokensOf = () => tokens;
  else if (tokens !== undefined)
    fail('tokens', 'a TokenManager or a function of the context', tokens);
  if (userId !== undefined && typeof userId !== 'function')
    fail('userId', 'a function of the context', userId);
  if (withMetadata !== undefined && typeof withMetadata !== 'boolean')
    fail('withMetadata', 'a boolean', withMetadata);
  if (clock !== undefined && typeof clock !== 'function') fail('clock', 'a function', clock);
  const liveClock = live?.clock ?? realClock;
  if (typeof liveClock.now !== 'function' || typeof liveClock.sleep !== 'function')
    fail('live.clock', 'an object with now() and sleep(ms, signal)', live?.clock);
  const fallbackIntervalMs = live?.fallbackIntervalMs ?? 60_000;
  if (!Number.isFinite(fallbackIntervalMs) || fallbackIntervalMs < 1000)
    fail('live.fallbackIntervalMs', 'a number of milliseconds >= 1000', fallbackIntervalMs);
  for (const side of ['include', 'exclude'] as const) {
    const sel = options[side];
    if (sel === undefined) continue;
    if (typeof sel !== 'object' || sel === null)
      fail(side, 'an object { tags?, operations? }', sel);
    for (const list of ['tags', 'operations'] as const) {
      const value = sel[list];
      if (
        value !== undefined &&
        (!Array.isArray(value) || value.some((x) => typeof x !== 'string'))
      )
        fail(`${side}.${list}`, 'an array of strings', value);
    }
  }
  return {
    esi,
    tokens: tokensOf,
    userId,
    withMetadata: withMetadata ?? false,
    liveClock,
    fallbackIntervalMs,
    clock: clock ?? Date.now,
  };
}
