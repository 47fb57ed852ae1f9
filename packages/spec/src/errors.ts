/** Stable codes for everything that can go wrong while reading a spec. */
export type SpecErrorCode =
  | 'ESIKIT_SPEC_NOT_FOUND'
  | 'ESIKIT_SPEC_UNREADABLE'
  | 'ESIKIT_SPEC_INVALID'
  | 'ESIKIT_SPEC_UNRESOLVED_REF';

/**
 * Raised when a spec cannot be found, read or understood. The message names the file or the
 * JSON pointer that was wrong.
 */
export class SpecError extends Error {
  override readonly name = 'SpecError';
  readonly code: SpecErrorCode;

  constructor(code: SpecErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
