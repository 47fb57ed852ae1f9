// useEsi: the ESI schema, its per-request context, its limits and its cache metadata as one
// GraphQL Yoga plugin.
import {
  getOperationAST,
  OperationTypeNode,
  type DocumentNode,
  type ExecutionResult,
} from 'graphql';
import type { Plugin, YogaInitialContext } from 'graphql-yoga';
import { createEsiSchema, esiMetadata, type EsiSchema } from './schema.js';
import { EsiGraphQLOptionError, type EsiSchemaOptions } from './options.js';

/**
 * Options of {@link useEsi}: the schema's options (or an already built schema) plus how the
 * plugin reads the request.
 *
 * @example
 * useEsi({ esi, tokens, user: ({ request }) => sessions.userOf(request) })
 */
export interface UseEsiOptions extends Partial<EsiSchemaOptions> {
  /** A schema from {@link createEsiSchema}; when absent one is built from these options. */
  readonly schema?: EsiSchema;
  /** The app's user id of a request (from its session); undefined for anonymous requests. */
  readonly user?: (context: YogaInitialContext) => string | undefined | Promise<string | undefined>;
  /**
   * When to put ESI metadata (`expires`, `fromCache`, `pages` per field) in `extensions.esi`:
   * when the request asks (`extensions: { esi: true }` in the body, or an `x-esi-metadata`
   * header), always, or never.
   * @default 'on-request'
   */
  readonly metadata?: 'on-request' | 'always' | 'never';
  /** Serve GraphiQL on GET requests for HTML. @default true */
  readonly graphiql?: boolean;
}

interface EsiYogaContext extends YogaInitialContext {
  readonly esikit?: object;
}

/**
 * The Yoga plugin: adds the ESI schema, the per-request context (the user, their tokens,
 * DataLoaders), the depth/alias/cost limits, `extensions.esi` metadata and a `Cache-Control`
 * header from the earliest ESI `Expires` (`private` when anything user-specific was read).
 *
 * @example
 * import { createYoga } from 'graphql-yoga';
 * import { useEsi } from '@esikit/graphql';
 * const yoga = createYoga({ plugins: [useEsi({ esi, tokens, user: ({ request }) => request.headers.get('x-user') ?? undefined })] });
 */
export function useEsi(options: UseEsiOptions): Plugin<EsiYogaContext> {
  if (typeof options !== 'object' || options === null)
    throw new EsiGraphQLOptionError(
      `esikit/graphql: useEsi options must be an object, got ${String(options)}`,
    );
  const metadata = options.metadata ?? 'on-request';
  if (!['on-request', 'always', 'never'].includes(metadata))
    throw new EsiGraphQLOptionError(
      `esikit/graphql: "metadata" must be 'on-request', 'always' or 'never', got ${JSON.stringify(metadata)}`,
    );
  if (options.user !== undefined && typeof options.user !== 'function')
    throw new EsiGraphQLOptionError(
      'esikit/graphql: "user" must be a function of the Yoga context',
    );
  const graphiql = options.graphiql ?? true;
  const ready: Promise<EsiSchema> = options.schema
    ? Promise.resolve(options.schema)
    : createEsiSchema(options as EsiSchemaOptions);
  // A failed build is reported to every request; never an unhandled rejection.
  ready.catch(() => undefined);
  let built: EsiSchema | undefined;
  const cacheControl = new WeakMap<Request, string>();

  return {
    onPluginInit({ setSchema }) {
      void ready.then(
        (s) => {
          built = s;
          setSchema(s.schema);
        },
        () => undefined,
      );
    },
    // Synchronous once the schema is built: an awaited hook costs every request a turn.
    onRequest() {
      if (built) return;
      return ready.then((s) => {
        built = s;
      });
    },
    onValidate({ addValidationRule }) {
      if (built) for (const rule of built.validationRules) addValidationRule(rule);
    },
    onContextBuilding({ context, extendContext }) {
      const extend = (schema: EsiSchema, userId: string | undefined): void => {
        extendContext(schema.context({ userId, signal: context.request.signal }));
      };
      const userId = options.user ? options.user(context) : undefined;
      if (built && !(userId instanceof Promise)) return extend(built, userId);
      return Promise.all([ready, userId]).then(([schema, id]) => extend(schema, id));
    },
    onExecute({ args }) {
      const context = args.contextValue;
      // Envelop types these loosely; they are graphql's own.
      const document = args.document as DocumentNode;
      const operationName = args.operationName as string | null | undefined;
      const operation = getOperationAST(document, operationName);
      const isQuery = operation?.operation === OperationTypeNode.QUERY;
      return {
        onExecuteDone({ result, setResult }) {
          if (Symbol.asyncIterator in result) return;
          const meta = esiMetadata(context);
          const clock = built?.options.clock ?? Date.now;
          cacheControl.set(
            context.request,
            headerFor(isQuery, result, meta.fields, meta.personal, clock()),
          );
          const wanted =
            metadata === 'always' ||
            (metadata === 'on-request' &&
              ((context.params.extensions as { esi?: unknown } | undefined)?.esi === true ||
                context.request.headers.has('x-esi-metadata')));
          if (wanted)
            setResult({
              ...result,
              extensions: {
                ...result.extensions,
                esi: { fields: meta.fields, personal: meta.personal },
              },
            });
        },
      };
    },
    onResponse(payload) {
      const { request, response } = payload;
      // Yoga renders GraphiQL before any user plugin runs; replace its page when it is off.
      if (!graphiql && response.headers.get('content-type')?.startsWith('text/html')) {
        payload.setResponse(new payload.fetchAPI.Response('GraphiQL is disabled', { status: 404 }));
        return;
      }
      const value = cacheControl.get(request);
      if (value !== undefined) response.headers.set('cache-control', value);
    },
  };
}

function headerFor(
  isQuery: boolean,
  result: ExecutionResult,
  fields: readonly { expires: number | undefined; authenticated: boolean; cacheable: boolean }[],
  personal: boolean,
  now: number,
): string {
  if (!isQuery || (result.errors?.length ?? 0) > 0 || fields.length === 0) return 'no-store';
  let earliest = Infinity;
  for (const f of fields) {
    // Lookups by POST (names) have no window and do not bound the answer's.
    if (!f.cacheable && f.expires === undefined) continue;
    if (f.expires === undefined) return 'no-store';
    earliest = Math.min(earliest, f.expires);
  }
  if (earliest === Infinity) return 'no-store';
  const maxAge = Math.max(0, Math.floor((earliest - now) / 1000));
  const scope = personal || fields.some((f) => f.authenticated) ? 'private' : 'public';
  return `${scope}, max-age=${maxAge}`;
}
