import { setTimeout as delay } from 'node:timers/promises';
import { guard } from './abort.js';

/** Waits `ms`; rejects with {@link SsoAbortedError} if the signal aborts first. */
export function sleep(
  ms: number,
  signal: AbortSignal | undefined,
  operation: string,
): Promise<void> {
  return guard(signal, operation, () => delay(ms, undefined, signal ? { signal } : {}));
}
