// The spec compiler is only for a `specFile` given at run time: imported when one is read.
import type { OperationSpec, OperationTable } from '@esikit/spec';
import { splitInput, type EsiAnyCallOptions, type EsiAnyRequest, type EsiInputOf } from './call.js';
import { EsiAbortedError, EsiOptionError, EsiValidationError } from './esi-errors.js';
import type { OperationId } from './generated/index.js';
import { operationTable, tagMethods } from './generated/operations.js';
import { MemoryCacheStore, type CacheStore } from './internal/cache-store.js';
import { describeValue } from './internal/describe.js';
import { zeroStats, type EsiClientStats } from './internal/events.js';
import type { Pipeline } from './internal/pipeline.js';
import { Transport } from './internal/transport.js';
import { describeOperations, type EsiOperation, type EsiOperationTable } from './operations.js';
import { resolveOptions, type EsiClientOptions, type ResolvedOptions } from './options.js';
import { RequestHandle, type HandleContext, type RawCallOptions } from './request.js';
import { operationInputSchema, type StandardSchemaV1 } from './standard-schema.js';
import type { EsiRequest, EsiRequestArgs, EsiTagApis } from './types.js';

const warned = new WeakSet<object>();
/** `stats()` of a client that has sent nothing (its pipeline is not loaded yet). */
const NO_REQUESTS_YET: EsiClientStats = Object.freeze(zeroStats());
// The generated table's metadata is the same for every client: built once per process.
const described = new WeakMap<OperationTable, Promise<EsiOperationTable>>();

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
  // The request pipeline and its layers (a dozen modules) load with the first request: a client
  // that only builds a schema or a router from the operation table never loads them.
  #pipeline: Pipeline | undefined;
  #pipelineLoading: Promise<Pipeline> | undefined;
  readonly #store: CacheStore | undefined;
  readonly #transport: Transport;
  readonly #ctx: HandleContext;
  #table: OperationTable | undefined;
  #loading: Promise<OperationTable> | undefined;
  #byId: Map<string, OperationSpec> | undefined;
  #metadata: Promise<EsiOperationTable> | undefined;
  #metadataById: Map<string, EsiOperation> | undefined;

  constructor(options: ResolvedOptions, table: OperationTable | undefined) {
    this.#o = options;
    this.#table = options.specFile === undefined ? table : undefined;
    this.#transport = new Transport(options.origin, {
      connections: options.connections,
      connectTimeout: options.connectTimeout,
      readTimeout: options.readTimeout,
      dispatcher: options.dispatcher,
    });
    this.#store = options.cache === false ? undefined : (options.cache ?? new MemoryCacheStore());
    this.#ctx = {
      fetch: (req) =>
        this.#pipeline ? this.#pipeline.fetch(req) : this.#loadPipeline().then((p) => p.fetch(req)),
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
   * Calls an operation by id with input checked at run time, beside the typed
   * {@link EsiClient.request}: for adapters that loop over {@link EsiClient.operations} and hold
   * ids as strings. `input` holds the parameters, plus the request body under `body` (the shape
   * {@link EsiClient.inputSchema} validates). An unknown id, parameter or bad value is refused
   * with `EsiValidationError` when the handle is used, before anything is sent. Safe to
   * destructure (`const { call } = esi`).
   *
   * @example
   * for (const op of (await esi.operations()).operations) {
   *   procedures[op.id] = (input: Record<string, unknown>, token?: string) =>
   *     esi.call(op.id, input, { token }).results();
   * }
   * await esi.call('PostUniverseNames', { body: [30000142] }).result();
   */
  readonly call = (
    id: string,
    input?: Readonly<Record<string, unknown>>,
    options?: EsiAnyCallOptions,
  ): EsiAnyRequest => {
    if (typeof id !== 'string')
      throw new EsiValidationError(
        describeValue(id),
        'operation',
        'must be an operation id string',
      );
    if (options !== undefined && (typeof options !== 'object' || options === null))
      throw new EsiOptionError('options', options, '{ token?, compatibilityDate? }');
    if (options !== undefined && 'body' in options)
      throw new EsiOptionError('options.body', options.body, 'the body inside the input: { body }');
    const { params, body } = splitInput(input);
    return new RequestHandle(this.#ctx, id, params, {
      ...options,
      ...(body !== undefined ? { body } : {}),
    });
  };

  /**
   * The input validator of an operation as a Standard Schema v1 object (`~standard`, vendor
   * `esikit`), for tRPC 11's `.input(...)` and any other Standard Schema consumer. It applies
   * the client's own rules and messages (the checks `esi.request` makes before sending) to the
   * parameters and, under `body`, the request body, reporting every problem with the parameter
   * in `path`. Valid input is returned as it is. Synchronous with the generated table; with
   * `specFile` the first validation waits for the spec. Safe to destructure.
   *
   * @throws {EsiValidationError} for an id that is not an operation (when the table is loaded).
   * @example
   * const t = initTRPC.create();
   * const orders = t.procedure
   *   .input(esi.inputSchema('GetMarketsRegionIdOrders'))
   *   .query(({ input }) => esi.call('GetMarketsRegionIdOrders', input).results());
   */
  readonly inputSchema = <Id extends string>(
    id: Id,
  ): StandardSchemaV1<EsiInputOf<Id>, EsiInputOf<Id>> => {
    if (typeof id !== 'string')
      throw new EsiValidationError(
        describeValue(id),
        'operation',
        'must be an operation id string',
      );
    // Fail where the schema is made, not on the first request, when we can tell already.
    if (this.#table) void this.#operation(id);
    return operationInputSchema<EsiInputOf<Id>>(() => this.#operation(id));
  };

  /**
   * The operation table as public, read-only (deeply frozen) metadata: every operation's id,
   * method, path, tag and `esi.<tagKey>.<methodName>`, descriptions, parameters with their
   * constraints, request body and response JSON Schemas with the named schemas they reference,
   * pagination kind, scope, roles, cache age, rate-limit group, compatibility date and whether
   * it is read-only. Everything a tRPC router or GraphQL schema generator needs. Loaded on
   * first call (the descriptions and schemas are not parsed at start-up); the same object
   * afterwards. Works with the generated table and with `specFile`. Safe to destructure.
   *
   * @example
   * const { operations, schemas } = await esi.operations();
   * const lookups = operations.filter((op) => op.method === 'POST' && op.readOnly);
   * const status = operations.find((op) => op.id === 'GetStatus')!.response; // { schema: { $ref: '#/components/schemas/StatusGet' }, … }
   * schemas.StatusGet; // { type: 'object', properties: { players: …, server_version: … }, … }
   */
  readonly operations = async (
    options: { signal?: AbortSignal } = {},
  ): Promise<EsiOperationTable> => {
    this.#metadata ??= this.#describe();
    const pending = this.#metadata;
    // A failed load (unreadable specFile) is not remembered: the next call tries again.
    void pending.catch(() => {
      if (this.#metadata === pending) this.#metadata = undefined;
    });
    return abortable(pending, options.signal);
  };

  /**
   * One operation of {@link EsiClient.operations}.
   *
   * @throws {EsiValidationError} naming the id when it is not an operation of the spec.
   * @example
   * const { scope, parameters } = await esi.operation('GetCharactersCharacterIdWallet');
   */
  readonly operation = async (
    id: string,
    options: { signal?: AbortSignal } = {},
  ): Promise<EsiOperation> => {
    if (typeof id !== 'string')
      throw new EsiValidationError(
        describeValue(id),
        'operation',
        'must be an operation id string',
      );
    const table = await this.operations(options);
    this.#metadataById ??= new Map(table.operations.map((op) => [op.id, op]));
    const op = this.#metadataById.get(id);
    if (op) return op;
    await this.#operation(id); // throws the error request() would
    throw new EsiValidationError(id, 'operation', 'is not an operation of the ESI spec');
  };

  /**
   * Counters since creation and the governors' current view.
   *
   * @example
   * const { cacheHits, notModified, errorLimit } = esi.stats();
   */
  readonly stats = (): EsiClientSnapshot => ({
    ...(this.#pipeline?.stats ?? NO_REQUESTS_YET),
    errorLimit: this.#pipeline?.errorLimit.snapshot() ?? {
      remain: undefined,
      resetAt: undefined,
      pausedUntil: undefined,
    },
    rateLimits: this.#pipeline?.rateLimits.snapshot(this.#o.clock()) ?? {},
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

  async #describe(): Promise<EsiOperationTable> {
    const table = await this.#loadTable();
    if (this.#o.specFile !== undefined) {
      // Read again rather than kept: the document is megabytes, needed once.
      const { compileOperationDocs, readSpecFile } = await import('@esikit/spec');
      const document = await readSpecFile(this.#o.specFile);
      return describeOperations(table, compileOperationDocs(document, table));
    }
    let shared = described.get(table);
    if (!shared) {
      shared = import('./generated/docs.js').then((m) =>
        describeOperations(table, m.operationDocs),
      );
      described.set(table, shared);
      void shared.catch(() => described.delete(table));
    }
    return shared;
  }

  #loadPipeline(): Promise<Pipeline> {
    return (this.#pipelineLoading ??= import('./internal/pipeline.js').then(
      ({ Pipeline }) => (this.#pipeline = new Pipeline(this.#o, this.#transport, this.#store)),
    ));
  }

  #loadTable(): Promise<OperationTable> {
    if (this.#table) return Promise.resolve(this.#table);
    const file = this.#o.specFile as string;
    this.#loading ??= import('@esikit/spec').then(async ({ compileSpec, readSpecFile }) => {
      this.#table = compileSpec(await readSpecFile(file));
      return this.#table;
    });
    return this.#loading;
  }
}

/** Rejects with `EsiAbortedError` when the signal fires first; the work itself carries on, shared. */
function abortable<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) return Promise.reject(new EsiAbortedError('operations', signal.reason));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new EsiAbortedError('operations', signal.reason));
    signal.addEventListener('abort', onAbort, { once: true });
    void work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
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
