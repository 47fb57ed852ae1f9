import { compileSpec, readSpecFile, type OperationSpec, type OperationTable } from '@esikit/spec';
import { EsiOptionError, EsiValidationError } from './esi-errors.js';
import type { OperationId } from './generated/index.js';
import { operationTable, tagMethods } from './generated/operations.js';
import { MemoryCacheStore } from './internal/cache-store.js';
import { describeValue } from './internal/describe.js';
import type { EsiClientStats } from './internal/events.js';
import { Pipeline } from './internal/pipeline.js';
import { Transport } from './internal/transport.js';
import { resolveOptions, type EsiClientOptions, type ResolvedOptions } from './options.js';
import { RequestHandle, type HandleContext, type RawCallOptions } from './request.js';
import type { EsiRequest, EsiRequestArgs, EsiTagApis } from './types.js';

const warned = new WeakSet<object>();

/**
 * Counters plus what the governors know right now.
 *
 * @example
 * const { errorLimit, rateLimits } = esi.stats();
 */
export interface EsiClientSnapshot extends EsiClientStats {
  /** ESI's error limit as last reported (undefined when unknown or reset). */
  readonly errorLimit: {
    remain: number | undefined;
    resetAt: number | undefined;
    pausedUntil: number | undefined;
  };
  /** Remaining tokens per rate-limit bucket (`group|characterId` or `group|app`), by our count. */
  readonly rateLimits: Readonly<Record<string, number>>;
}

/**
 * The ESI client. Create one per process with {@link createEsiClient} and share it: it owns the
 * connection pool, the cache, and the governors that keep the app inside ESI's limits. Its
 * methods are bound (`const { request } = esi` works), and so are tag methods and handles'.
 */
export class EsiClient {
  readonly #o: ResolvedOptions;
  readonly #pipeline: Pipeline;
  readonly #transport: Transport;
  readonly #ctx: HandleContext;
  #table: OperationTable | undefined;
  #loading: Promise<OperationTable> | undefined;
  #byId: Map<string, OperationSpec> | undefined;

  constructor(options: ResolvedOptions, table: OperationTable | undefined) {
    this.#o = options;
    this.#table = options.specFile === undefined ? table : undefined;
    this.#transport = new Transport(options.origin, {
      connections: options.connections,
      connectTimeout: options.connectTimeout,
      readTimeout: options.readTimeout,
      dispatcher: options.dispatcher,
    });
    const store = options.cache === false ? undefined : (options.cache ?? new MemoryCacheStore());
    this.#pipeline = new Pipeline(options, this.#transport, store);
    this.#ctx = {
      pipeline: this.#pipeline,
      retries: options.retries,
      readTimeout: options.readTimeout,
      pageConcurrency: options.pageConcurrency,
      clock: options.clock,
      operation: (id) => this.#operation(id),
      languages: async () => (await this.#loadTable()).languages,
      checkLanguage: (op, language) => {
        const known = this.#table?.languages ?? [];
        if (!known.includes(language))
          throw new EsiValidationError(
            op.id,
            'language',
            `must be one of ${known.join(', ')}, got ${language.length <= 16 ? JSON.stringify(language) : describeValue(language)}`,
          );
        return language;
      },
      compatibilityDate: (op, override) => {
        if (override !== undefined) {
          if (typeof override !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(override))
            throw new EsiOptionError('compatibilityDate', override, 'a YYYY-MM-DD date');
          return override;
        }
        const d = options.compatibilityDate;
        return (
          d.operations.get(op.id) ??
          d.tags.get(op.tag) ??
          d.tags.get(op.tag.replace(/\s+/g, '')) ??
          d.default ??
          (this.#table as OperationTable).compatibilityDate
        );
      },
    };
    // Once per logger (so once per process with the default one), not once per client.
    if (options.missingAppInfo && !warned.has(options.logger)) {
      warned.add(options.logger);
      options.logger.warn(
        'esikit: set appInfo { name, version } and contactEmail so CCP can identify your app in the User-Agent instead of blocking it',
        { userAgent: options.userAgent },
      );
    }
    if (tagMethods) defineTags(this, tagMethods);
  }

  /**
   * Prepares a call; nothing is sent until `result()`, `results()`… is called on the handle.
   *
   * @example
   * const orders = await esi.request('GetMarketsRegionIdOrders', { region_id: 10000002 }).results();
   * const notes = await esi.request('GetCharactersCharacterIdNotifications', { character_id }, { token }).result();
   */
  readonly request = <Id extends OperationId>(
    id: Id,
    ...args: EsiRequestArgs<Id>
  ): EsiRequest<Id> => {
    const [params, call] = args as [
      Record<string, unknown> | undefined,
      RawCallOptions | undefined,
    ];
    if (typeof id !== 'string')
      throw new EsiValidationError(
        describeValue(id),
        'operation',
        'must be an operation id string',
      );
    if (call !== undefined && (typeof call !== 'object' || call === null))
      throw new EsiOptionError('options', call, '{ token?, body?, compatibilityDate? }');
    return new RequestHandle(this.#ctx, id, params, call) as unknown as EsiRequest<Id>;
  };

  /**
   * Counters since creation and the governors' current view.
   *
   * @example
   * const { cacheHits, notModified, errorLimit } = esi.stats();
   */
  readonly stats = (): EsiClientSnapshot => ({
    ...this.#pipeline.stats,
    errorLimit: this.#pipeline.errorLimit.snapshot(),
    rateLimits: this.#pipeline.rateLimits.snapshot(this.#o.clock()),
  });

  /** The User-Agent this client sends. */
  get userAgent(): string {
    return this.#o.userAgent;
  }

  /**
   * Closes the connection pool (not a dispatcher you passed in).
   *
   * @example
   * await esi.close();
   */
  readonly close = async (): Promise<void> => {
    await this.#transport.close();
  };

  /** Synchronous once the table is indexed: the hot path takes no extra promise. */
  #operation(id: string): OperationSpec | Promise<OperationSpec> {
    if (!this.#byId) {
      if (!this.#table) return this.#loadTable().then(() => this.#operation(id));
      this.#byId = new Map(this.#table.operations.map((op) => [op.id, op]));
    }
    const op = this.#byId.get(id);
    if (!op) {
      // Operation ids are short; a long string here is likely something else (a token).
      throw new EsiValidationError(
        id.length <= 80 ? id : describeValue(id),
        'operation',
        `is not an operation of the ESI spec ${this.#table?.compatibilityDate ?? ''}`.trim(),
      );
    }
    return op;
  }

  #loadTable(): Promise<OperationTable> {
    if (this.#table) return Promise.resolve(this.#table);
    const file = this.#o.specFile as string;
    this.#loading ??= readSpecFile(file).then((doc) => {
      this.#table = compileSpec(doc);
      return this.#table;
    });
    return this.#loading;
  }
}

function defineTags(
  client: EsiClient,
  tags: Readonly<Record<string, Readonly<Record<string, string>>>>,
): void {
  for (const [tag, methods] of Object.entries(tags)) {
    let api: Record<string, unknown> | undefined;
    Object.defineProperty(client, tag, {
      enumerable: true,
      get() {
        // Built on first use: most apps touch a handful of the ~40 tags.
        api ??= Object.fromEntries(
          Object.entries(methods).map(([name, id]) => [
            name,
            (...args: unknown[]) =>
              (client.request as (id: string, ...rest: unknown[]) => unknown)(id, ...args),
          ]),
        );
        return api;
      },
    });
  }
}

/**
 * The client with one property per spec tag: `esi.Market`, `esi.Character`…
 *
 * @example
 * const esi: EsiClientWithTags = createEsiClient();
 */
export type EsiClientWithTags = EsiClient & EsiTagApis;

/**
 * Creates the ESI client. Cheap: nothing is parsed or connected until the first request.
 * Options are validated here, once; errors name the option and the value.
 *
 * @example
 * const esi = createEsiClient({ appInfo: { name: 'MyApp', version: '1.0.0' }, contactEmail: 'me@example.com' });
 * const status = await esi.Status.getStatus().result();
 */
export function createEsiClient(options: EsiClientOptions = {}): EsiClientWithTags {
  return new EsiClient(resolveOptions(options), operationTable) as EsiClientWithTags;
}
