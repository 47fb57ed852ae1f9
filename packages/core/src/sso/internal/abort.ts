import { SsoAbortedError } from '../errors.js';

/** The typed error for an aborted `signal` (its reason as is, if already one of ours). */
export function abortedError(signal: AbortSignal, operation: string): SsoAbortedError {
  const reason: unknown = signal.reason;
  return reason instanceof SsoAbortedError ? reason : new SsoAbortedError(operation, reason);
}

/** Throws {@link SsoAbortedError} if `signal` has aborted. */
export function throwIfAborted(signal: AbortSignal | undefined, operation: string): void {
  if (signal?.aborted) throw abortedError(signal, operation);
}

/**
 * Runs `fn`; if `signal` aborted meanwhile, what it threw (a DOMException from fetch, a store's
 * own abort error) becomes an {@link SsoAbortedError}, so callers see one stable code.
 */
export async function guard<T>(
  signal: AbortSignal | undefined,
  operation: string,
  fn: () => Promise<T>,
): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (signal?.aborted && !(error instanceof SsoAbortedError))
      throw abortedError(signal, operation);
    throw error;
  }
}

/** Resolves with `promise`, or rejects with {@link SsoAbortedError} as soon as `signal` aborts. */
export function raceAbort<T>(
  promise: Promise<T>,
  signal: AbortSignal | undefined,
  operation: string,
): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) return Promise.reject(abortedError(signal, operation));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortedError(signal, operation));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- rethrown as is
        reject(e);
      },
    );
  });
}
