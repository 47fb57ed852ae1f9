// Public entry point of @esikit/trpc: all of ESI as tRPC 11 procedures in the app's own router.
export { createEsiRouter, routerTagKey } from './router.js';
export { EsiRouterOptionError } from './options.js';
export type { EsiLiveClock, EsiRouterOptions } from './options.js';
export { EsiTRPCError, esiErrorData, esiErrorFormatter, toTRPCError } from './errors.js';
export type { EsiErrorData } from './errors.js';
export { esiResponseMeta } from './cache-control.js';
export type { EsiResponseMetaInput } from './cache-control.js';
export type {
  EsiActorInput,
  EsiCursorOutput,
  EsiFromIdOutput,
  EsiHasLive,
  EsiLiveInput,
  EsiLiveProcedure,
  EsiMetadata,
  EsiPagingInput,
  EsiProcedure,
  EsiProcedureInput,
  EsiProcedureKind,
  EsiProcedureOutput,
  EsiRouter,
  EsiRouterRecord,
  EsiSelectAll,
  EsiSelection,
  EsiSelectionList,
  EsiWithMetadata,
} from './types.js';
export { createEsiAuth } from './auth.js';
export type { EsiAuthOptions, EsiTokenContext } from './auth.js';
export { createQueryHandler } from './query-handler.js';
export type { QueryAnswer, QueryHandlerOptions, QueryRequest } from './query-handler.js';
