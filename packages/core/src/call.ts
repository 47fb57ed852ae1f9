// Calling an operation by id with input checked at run time: what generated adapters use, since
// they loop over the operation table and hold ids as plain strings.
import type { OperationId, Operations } from './generated/index.js';
import type { CursorIterator, FromIdOptions } from './internal/cursor.js';
import type { EsiResponse } from './internal/pipeline.js';
import type {
  EsiCursorPage,
  EsiCursorPageOptions,
  EsiPage,
  EsiCursorOptions,
  EsiPageOptions,
  EsiParams,
  EsiResultOptions,
  EsiToken,
} from './types.js';

type BodyOf<Id extends OperationId> = Operations[Id]['body'];
// Operations without parameters have `Record<string, never>` params, whose index signature
// would refuse the `body` beside them.
type ParamsPart<Id extends OperationId> = string extends keyof EsiParams<Id>
  ? unknown
  : EsiParams<Id>;

/**
 * An operation's input as one object: its parameters, plus its request body under `body` for
 * the operations that take one. What `esi.inputSchema(id)` validates and `esi.call(id, input)`
 * takes. (No ESI operation has a parameter named `body`; a test keeps it so.)
 *
 * @example
 * const input: EsiInput<'PostCharactersCharacterIdMail'> = { character_id, body: { recipients, subject, body: 'o7' } };
 */
export type EsiInput<Id extends OperationId> = ParamsPart<Id> &
  ([BodyOf<Id>] extends [undefined]
    ? unknown
    : undefined extends BodyOf<Id>
      ? { readonly body?: Exclude<BodyOf<Id>, undefined> }
      : { readonly body: BodyOf<Id> });

/**
 * {@link EsiInput} for a known operation id; a plain record for an id only known at run time.
 *
 * @example
 * type Loose = EsiInputOf<string>; // Readonly<Record<string, unknown>>
 */
export type EsiInputOf<Id extends string> = string extends Id
  ? Readonly<Record<string, unknown>>
  : Id extends OperationId
    ? EsiInput<Id>
    : Readonly<Record<string, unknown>>;

/**
 * Options of `esi.call(...)`: the credential and a per-call compatibility date (the body
 * travels in the input).
 *
 * @example
 * esi.call('GetCharactersCharacterIdWallet', { character_id }, { token })
 */
export interface EsiAnyCallOptions {
  /** Access token or token source; a raw string is trusted input (see {@link EsiToken}). */
  readonly token?: EsiToken;
  /** `X-Compatibility-Date` for this call. @default the client's date for this operation */
  readonly compatibilityDate?: string;
}

/**
 * The handle `esi.call` returns: the same handle as `esi.request`, with results typed `unknown`
 * because the operation is only known at run time. `cursor()` and `fromId()` throw
 * `EsiValidationError` on operations that are not cursor or from_id routes.
 *
 * @example
 * const data: unknown = await esi.call(op.id, input, { token }).results();
 */
export interface EsiAnyRequest {
  /** One page (page 1 unless `page` is given). */
  result(options?: EsiResultOptions): Promise<unknown>;
  /** One page with its response details. */
  resultWithResponse(options?: EsiResultOptions): Promise<EsiResponse<unknown>>;
  /** Every page as one consistent snapshot (one page on routes without paging). */
  results(options?: EsiPageOptions): Promise<unknown>;
  /** {@link results} with page 1's response details. */
  resultsWithResponse(options?: EsiPageOptions): Promise<EsiResponse<unknown>>;
  /** `results()` once per language, keyed by language. */
  resultsLocalized(
    languages?: readonly string[],
    options?: Omit<EsiPageOptions, 'language'>,
  ): Promise<Record<string, unknown>>;
  /** The records of a cursor route. */
  cursor(options?: EsiCursorOptions): CursorIterator<unknown>;
  /** The records of a from_id route. */
  fromId(options?: EsiPageOptions & FromIdOptions): AsyncIterable<unknown>;
  /** An X-Pages route page by page, every page from one snapshot. */
  pages(options?: EsiPageOptions): AsyncIterable<EsiPage<unknown>>;
  /** One request of a cursor route, with the tokens to go on from. */
  cursorPage(
    options?: EsiCursorPageOptions,
  ): Promise<Omit<EsiCursorPage<unknown>, 'records'> & { readonly records: readonly unknown[] }>;
}

/** Splits an input into the parameters and the body the handle takes separately. */
export function splitInput(input: unknown): {
  params: Readonly<Record<string, unknown>> | undefined;
  body: unknown;
} {
  if (typeof input !== 'object' || input === null || Array.isArray(input) || !('body' in input))
    // Anything else goes to validation as it is, which names what is wrong with it.
    return { params: input as Readonly<Record<string, unknown>> | undefined, body: undefined };
  const { body, ...params } = input as Record<string, unknown>;
  return { params, body };
}
