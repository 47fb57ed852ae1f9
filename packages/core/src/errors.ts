/**
 * Base class of every error @esikit/core throws. `code` is stable across releases and is what
 * adapters (tRPC, GraphQL) map; `message` is for people. Secrets (access tokens, refresh
 * tokens, client secrets) never appear in either.
 */
export class EsikitError extends Error {
  override name = 'EsikitError';
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
