/** Stable codes of {@link SimulatorError}. */
export type SimulatorErrorCode =
  /** An option of `startSimulator` (or `setPages` / `setFaults`) is wrong; the message names it. */
  | 'ESIKIT_SIMULATOR_OPTION'
  /** No spec was given and none was found. */
  | 'ESIKIT_SIMULATOR_NO_SPEC';

/**
 * What the simulator throws for bad options. Spec problems surface as `SpecError` from
 * `@esikit/spec`, SSO option problems as the SSO server's `TypeError`s.
 *
 * @example
 * try {
 *   await startSimulator({ latencyMs: -1 });
 * } catch (e) {
 *   if (e instanceof SimulatorError && e.code === 'ESIKIT_SIMULATOR_OPTION') console.error(e.message);
 * }
 */
export class SimulatorError extends Error {
  override name = 'SimulatorError';
  readonly code: SimulatorErrorCode;

  constructor(code: SimulatorErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
