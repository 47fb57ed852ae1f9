// The operation table as public, read-only metadata: what adapters (tRPC routers, GraphQL
// schemas, docs) generate from, so none of them reads the spec or core's internals.
import { isReadOnly, methodName, tagKey } from '@esikit/spec/names';
import type {
  HttpMethod,
  JsonSchema,
  OperationDocs,
  OperationTable,
  PaginationKind,
  ParameterSpec,
  RateLimitSpec,
} from '@esikit/spec';

/**
 * One parameter of an operation (path or query), with its constraints from the spec; core's
 * validator enforces exactly these.
 *
 * @example
 * const regionId = (await esi.operation('GetMarketsRegionIdOrders')).parameters.find((p) => p.name === 'region_id');
 * // { name: 'region_id', in: 'path', required: true, type: 'integer', format: 'int64', description: 'Return orders in this region' }
 */
export interface EsiParameter extends ParameterSpec {
  readonly description?: string;
}

/**
 * The success response of an operation.
 *
 * @example
 * const { schema, schemaName } = (await esi.operation('GetStatus')).response;
 * // schema: { $ref: '#/components/schemas/StatusGet' }, schemaName: 'StatusGet'
 */
export interface EsiOperationResponse {
  /** The documented success status (200, 201 or 204). */
  readonly status: number;
  /** Other 2xx statuses the operation may answer with. */
  readonly otherStatuses: readonly number[];
  readonly description?: string;
  /**
   * The JSON Schema of the body; absent when the operation answers without one (204). Either
   * `{ $ref: '#/components/schemas/<name>' }` or an inline schema without `$ref`s. Every `$ref`
   * (here and inside `EsiOperationTable.schemas`) names an entry of `schemas`.
   */
  readonly schema?: JsonSchema;
  /** The `schemas` entry (and generated TypeScript type) the body is, when the spec names one. */
  readonly schemaName?: string;
}

/**
 * Everything the spec says about one operation, as plain frozen data.
 *
 * @example
 * const op = await esi.operation('GetCharactersCharacterIdWallet');
 * op.scope; // 'esi-wallet.read_character_wallet.v1'
 * esi[op.tagKey][op.methodName]; // the same operation as esi.Wallet.getCharactersCharacterIdWallet
 */
export interface EsiOperation {
  /** CCP's operationId, what `esi.request(id)` and `esi.call(id)` take. */
  readonly id: string;
  readonly method: HttpMethod;
  /** Path template, e.g. `/characters/{character_id}/wallet`. */
  readonly path: string;
  /** The spec's first tag, e.g. `Faction Warfare`. */
  readonly tag: string;
  /** The tag's property on the client, e.g. `FactionWarfare` (`esi.FactionWarfare`). */
  readonly tagKey: string;
  /** The method name on the tag, e.g. `getFwStats` (`esi.FactionWarfare.getFwStats`). */
  readonly methodName: string;
  readonly summary: string;
  readonly description?: string;
  /** Path and query parameters in spec order (ESI's standard headers are the client's). */
  readonly parameters: readonly EsiParameter[];
  /** The JSON request body (`$ref`s inlined), for the operations that take one. */
  readonly body?: { readonly required: boolean; readonly schema: JsonSchema };
  readonly response: EsiOperationResponse;
  /** `pages` (X-Pages), `cursor` (before/after), `from_id` (wallet journals), or `none`. */
  readonly pagination: PaginationKind;
  /** The SSO scope a token needs; absent for public operations. */
  readonly scope?: string;
  /** In-game corporation roles the character needs (any of them); empty when none. */
  readonly roles: readonly string[];
  /** Seconds ESI caches a response (`x-cache-age`). */
  readonly cacheAge?: number;
  /** The rate-limit bucket (`x-rate-limit`), for operations that have one. */
  readonly rateLimit?: RateLimitSpec;
  /** The date this operation last changed shape (`x-compatibility-date`). */
  readonly compatibilityDate: string;
  /**
   * True when calling it changes nothing at ESI: every GET, and the scope-less POSTs that are
   * lookups (`/universe/names`, `/universe/ids`, `/characters/affiliation`, `/route/…`). A
   * GraphQL adapter makes these queries and the rest mutations; the client only ever retries
   * read-only operations.
   */
  readonly readOnly: boolean;
}

/**
 * The whole spec as adapters see it.
 *
 * @example
 * const { operations, schemas } = await esi.operations();
 * for (const op of operations) if (op.readOnly) addQuery(op, schemas);
 */
export interface EsiOperationTable {
  /** The spec's compatibility date (`info.version`). */
  readonly compatibilityDate: string;
  /** The languages `Accept-Language` may take (the `language` call option). */
  readonly languages: readonly string[];
  /** Every SSO scope ESI knows. */
  readonly scopes: readonly string[];
  /** Every operation, sorted by id. */
  readonly operations: readonly EsiOperation[];
  /**
   * The spec's named schemas (`components.schemas`), by name; the targets of every `$ref` in
   * `response.schema` and in these schemas themselves. To hand one response schema to a JSON
   * Schema tool, resolve refs against `{ components: { schemas } }`.
   */
  readonly schemas: Readonly<Record<string, JsonSchema>>;
}

const SCHEMA_REF = '#/components/schemas/';

/** Builds the public metadata from a compiled table and its docs; the result is deeply frozen. */
export function describeOperations(table: OperationTable, docs: OperationDocs): EsiOperationTable {
  // A copy, so freezing it never touches the table the pipeline works from.
  const source = structuredClone(table);
  const operations = source.operations.map((op): EsiOperation => {
    const doc = docs.operations[op.id] ?? {};
    const schemaName = op.responseSchema;
    const schema: JsonSchema | undefined =
      schemaName !== undefined ? { $ref: `${SCHEMA_REF}${schemaName}` } : op.responseInlineSchema;
    return {
      id: op.id,
      method: op.method,
      path: op.path,
      tag: op.tag,
      tagKey: tagKey(op.tag),
      methodName: methodName(op.id),
      summary: op.summary,
      ...(doc.description !== undefined ? { description: doc.description } : {}),
      parameters: op.parameters.map((p) => {
        const description = doc.parameters?.[p.name];
        return description === undefined ? p : { ...p, description };
      }),
      ...(op.body ? { body: op.body } : {}),
      response: {
        status: op.successStatus,
        otherStatuses: op.otherSuccessStatuses ?? [],
        ...(doc.response !== undefined ? { description: doc.response } : {}),
        ...(schema !== undefined ? { schema } : {}),
        ...(schemaName !== undefined ? { schemaName } : {}),
      },
      pagination: op.pagination,
      ...(op.scope !== undefined ? { scope: op.scope } : {}),
      roles: op.roles ?? [],
      ...(op.cacheAge !== undefined ? { cacheAge: op.cacheAge } : {}),
      ...(op.rateLimit !== undefined ? { rateLimit: op.rateLimit } : {}),
      compatibilityDate: op.compatibilityDate,
      readOnly: isReadOnly(op),
    };
  });
  return deepFreeze({
    compatibilityDate: source.compatibilityDate,
    languages: source.languages,
    scopes: source.scopes,
    operations,
    // Docs come from the on-demand module or a fresh compile: nothing else holds them.
    schemas: docs.schemas,
  });
}

// Thousands of small objects (every schema node): recursing only into unfrozen objects, with no
// array of values per node, halves the time this takes in a fresh process.
function deepFreeze<T extends object>(value: T): T {
  Object.freeze(value);
  for (const key in value) {
    const child: unknown = value[key];
    if (typeof child === 'object' && child !== null && !Object.isFrozen(child)) deepFreeze(child);
  }
  return value;
}
