/**
 * Stable codes of the errors this package throws (store calls throw core's `TokenError`).
 *
 * @example
 * const retryable = (code: EsikitDatabaseErrorCode) => code === 'ESIKIT_DB_UNAVAILABLE';
 */
export type EsikitDatabaseErrorCode =
  /** An option of `openEsikitDatabase` was malformed; the message names it and the value. */
  | 'ESIKIT_DB_INVALID_OPTION'
  /** The database could not be reached or opened (connection refused, unknown database, …). */
  | 'ESIKIT_DB_UNAVAILABLE'
  /** The embedded database directory is open in another process (or this one). */
  | 'ESIKIT_DB_LOCKED'
  /** The database lacks migrations this version needs; the message names the command to run. */
  | 'ESIKIT_DB_NOT_MIGRATED'
  /** The database has migrations this version does not know (a newer esikit migrated it). */
  | 'ESIKIT_DB_TOO_NEW'
  /** The embedded PostgreSQL (PGlite worker) failed to start or died. */
  | 'ESIKIT_DB_EMBEDDED_FAILED';

/**
 * Errors of `openEsikitDatabase` and the migration command. Messages carry no passwords: a
 * database URL is shown without its credentials. This package's own base class: core's
 * `EsikitError` carries core's codes only; store calls still throw core's `TokenError`.
 *
 * @example
 * try { await openEsikitDatabase({ url }) } catch (e) {
 *   if (e instanceof EsikitDatabaseError && e.code === 'ESIKIT_DB_NOT_MIGRATED') console.error(e.message);
 * }
 */
export class EsikitDatabaseError extends Error {
  override name = 'EsikitDatabaseError';
  readonly code: EsikitDatabaseErrorCode;

  constructor(code: EsikitDatabaseErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** A database URL without user and password, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return 'an unparseable URL';
  }
}
