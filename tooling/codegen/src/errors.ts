/** Stable codes for everything the spec pipeline and the generator can fail on. */
export type CodegenErrorCode =
  /** No spec anywhere: no ESI_SPEC_FILE, no network, no cache. */
  | 'ESIKIT_CODEGEN_NO_SPEC'
  /** ESI answered with something other than 200/304, or the body was not a spec. */
  | 'ESIKIT_CODEGEN_FETCH_FAILED'
  /** ESI answered 420 (error limited) or 429 (rate limited): no further request is made this run. */
  | 'ESIKIT_CODEGEN_RATE_LIMITED'
  /** The lock file is missing or malformed. */
  | 'ESIKIT_CODEGEN_BAD_LOCK'
  /** The command line was wrong. */
  | 'ESIKIT_CODEGEN_USAGE'
  /** The spec uses a JSON Schema construct the generator cannot express. */
  | 'ESIKIT_CODEGEN_UNSUPPORTED_SCHEMA'
  /** `update` found no compatibility date it may use. */
  | 'ESIKIT_CODEGEN_NO_DATE';

/** Raised by the spec pipeline and the generator; the message says what to do about it. */
export class CodegenError extends Error {
  override readonly name = 'CodegenError';
  readonly code: CodegenErrorCode;

  constructor(code: CodegenErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
