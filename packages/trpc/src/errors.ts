// Core's errors as tRPC errors. The status each failure deserves is core's decision
// (`suggestedHttpStatus`); this module only names the tRPC code for that status.
import {
  EsikitError,
  suggestedHttpStatus,
  suggestedRetryAfter,
  type EsikitErrorCode,
} from '@esikit/core';
import { StandardSchemaV1Error, TRPCError, type TRPC_ERROR_CODE_KEY } from '@trpc/server';

const BY_STATUS: Readonly<Record<number, TRPC_ERROR_CODE_KEY>> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  // ESI's "gone" (a removed route or a deleted thing): there is nothing there any more.
  410: 'NOT_FOUND',
  409: 'CONFLICT',
  422: 'UNPROCESSABLE_CONTENT',
  429: 'TOO_MANY_REQUESTS',
  499: 'CLIENT_CLOSED_REQUEST',
  502: 'BAD_GATEWAY',
  503: 'SERVICE_UNAVAILABLE',
  504: 'TIMEOUT',
};

/**
 * A `TRPCError` made from a core error: the tRPC code, plus what ESI-aware clients need. The
 * message is core's, which never holds a token or a secret.
 *
 * @example
 * if (error instanceof EsiTRPCError && error.code === 'TOO_MANY_REQUESTS') retryIn(error.retryAfter);
 */
export class EsiTRPCError extends TRPCError {
  /** Core's error code (`ESIKIT_HTTP`, `ESIKIT_TOKEN_FORBIDDEN`, …). */
  readonly esiCode: EsikitErrorCode | undefined;
  /** The operation the call was for. */
  readonly operationId: string | undefined;
  /** Seconds to wait before asking again (420 and 429). */
  readonly retryAfter: number | undefined;

  constructor(
    code: TRPC_ERROR_CODE_KEY,
    message: string,
    details: {
      cause?: unknown;
      esiCode?: EsikitErrorCode | undefined;
      operationId?: string | undefined;
      retryAfter?: number | undefined;
    },
  ) {
    super({ code, message, ...(details.cause !== undefined ? { cause: details.cause } : {}) });
    this.name = 'EsiTRPCError';
    this.esiCode = details.esiCode;
    this.operationId = details.operationId;
    this.retryAfter = details.retryAfter;
  }
}

/**
 * Maps any error of core (ESI client or SSO) to a tRPC error: validation → `BAD_REQUEST`, no
 * token → `UNAUTHORIZED`, missing scope or another user's character → `FORBIDDEN`, 404 →
 * `NOT_FOUND`, 420/429 → `TOO_MANY_REQUESTS` with `retryAfter`, 5xx and network →
 * `BAD_GATEWAY`, timeout → `TIMEOUT`, abort → `CLIENT_CLOSED_REQUEST`, anything else →
 * `INTERNAL_SERVER_ERROR`. A `TRPCError` is returned as it is.
 *
 * @example
 * t.procedure.query(async () => {
 *   try { return await esi.request('GetStatus').result(); }
 *   catch (error) { throw toTRPCError(error, { operationId: 'GetStatus' }); }
 * });
 */
export function toTRPCError(
  error: unknown,
  context: { readonly operationId?: string; readonly now?: number } = {},
): TRPCError {
  if (error instanceof TRPCError) return error;
  if (!(error instanceof EsikitError))
    return new EsiTRPCError('INTERNAL_SERVER_ERROR', 'internal error', {
      cause: error,
      operationId: context.operationId,
    });
  const status = suggestedHttpStatus(error);
  return new EsiTRPCError(BY_STATUS[status] ?? 'INTERNAL_SERVER_ERROR', error.message, {
    cause: error,
    esiCode: error.code,
    operationId: context.operationId,
    retryAfter: suggestedRetryAfter(error, context.now),
  });
}

/**
 * The ESI fields an error formatter adds to `shape.data`.
 *
 * @example
 * const data: EsiErrorData = esiErrorData(error);
 */
export interface EsiErrorData {
  /** Core's error code, or `ESIKIT_VALIDATION` for input refused by the validator. */
  readonly esiCode: EsikitErrorCode | null;
  readonly operationId: string | null;
  /** Seconds before asking again (rate and error limits). */
  readonly retryAfter: number | null;
  /** The input field that was wrong (`region_id`, `body.recipients.0.recipient_id`). */
  readonly parameter: string | null;
}

/**
 * The ESI fields of a tRPC error, for the app's own `errorFormatter`.
 *
 * @example
 * initTRPC.create({ errorFormatter: ({ shape, error }) => ({ ...shape, data: { ...shape.data, ...esiErrorData(error), mine: 1 } }) });
 */
export function esiErrorData(error: TRPCError): EsiErrorData {
  if (error instanceof EsiTRPCError)
    return {
      esiCode: error.esiCode ?? null,
      operationId: error.operationId ?? null,
      retryAfter: error.retryAfter ?? null,
      parameter: parameterOf(error.cause),
    };
  if (error.cause instanceof StandardSchemaV1Error) {
    const path = error.cause.issues[0]?.path;
    return {
      esiCode: 'ESIKIT_VALIDATION',
      operationId: null,
      retryAfter: null,
      parameter: path ? joinPath(path) : null,
    };
  }
  return { esiCode: null, operationId: null, retryAfter: null, parameter: null };
}

/**
 * An `errorFormatter` for `initTRPC.create()` that adds {@link EsiErrorData} to `shape.data`.
 *
 * @example
 * const t = initTRPC.context<Ctx>().create({ transformer: superjson, errorFormatter: esiErrorFormatter });
 */
export function esiErrorFormatter<TShape extends { data: object }>(opts: {
  shape: TShape;
  error: TRPCError;
}): TShape & { data: TShape['data'] & EsiErrorData } {
  return { ...opts.shape, data: { ...opts.shape.data, ...esiErrorData(opts.error) } };
}

function parameterOf(cause: unknown): string | null {
  const parameter = (cause as { parameter?: unknown } | undefined)?.parameter;
  return typeof parameter === 'string' ? parameter : null;
}

function joinPath(path: readonly (PropertyKey | { readonly key: PropertyKey })[]): string {
  return path.map((p) => String(typeof p === 'object' ? p.key : p)).join('.');
}
