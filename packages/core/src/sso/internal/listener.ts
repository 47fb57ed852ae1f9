import type { EsiLogger } from '../../options.js';
import type { TokenEventIdentity } from '../removals.js';
import type { Token } from '../token.js';

/** The non-secret fields every token event carries (never the access or refresh token). */
export function identityOf(token: Token): TokenEventIdentity {
  return {
    tokenId: token.id,
    userId: token.userId,
    characterId: token.characterId,
    characterName: token.characterName,
    ownerHash: token.ownerHash,
    scopes: Object.freeze([...token.scopes]),
  };
}

/**
 * Awaits a host's listener; what it throws or rejects with goes to `logger.warn` (name and
 * message only: a listener's error could quote anything) and is swallowed, so the event it was
 * told about stands.
 */
export async function callListener<E>(
  listener: (event: E) => void | Promise<void>,
  event: E,
  logger: EsiLogger,
  message: string,
  details: Record<string, unknown>,
): Promise<void> {
  try {
    await listener(event);
  } catch (error) {
    try {
      logger.warn(message, {
        ...details,
        error: error instanceof Error ? `${error.name}: ${error.message}` : typeof error,
      });
    } catch {
      // A logger that throws has nowhere left to report to.
    }
  }
}
