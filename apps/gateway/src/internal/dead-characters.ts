// Characters whose token SSO declared dead (invalid_grant), per user, until that character logs
// in again: rows of the gateway's own table, so the page still says "needs a new login" after a
// restart. Flagged wherever core deletes a dead token — in housekeeping's bulk refresh and in a
// normal request's refresh alike — by watching the token store's deletes (core has no event for
// it, and after the delete the token, with its owner and name, is gone).
import type { TokenStore } from '@esikit/core/sso';
import type { EsikitDatabase } from '@esikit/mikro-orm';
import { ensureTables, execute } from './sql.js';

const SCHEMA = `CREATE TABLE IF NOT EXISTS esikit_gateway_dead_character (
  user_id text NOT NULL,
  character_id bigint NOT NULL,
  character_name text NOT NULL,
  flagged_at bigint NOT NULL,
  PRIMARY KEY (user_id, character_id)
)`;

export class DeadCharacters {
  readonly #db: EsikitDatabase;
  readonly #revoking = new Set<string>();

  private constructor(db: EsikitDatabase) {
    this.#db = db;
  }

  static async open(db: EsikitDatabase): Promise<DeadCharacters> {
    await ensureTables(db, SCHEMA);
    return new DeadCharacters(db);
  }

  async add(userId: string, characterId: number, characterName: string): Promise<void> {
    await execute(
      this.#db,
      `INSERT INTO esikit_gateway_dead_character (user_id, character_id, character_name, flagged_at)
       VALUES (?, ?, ?, ?)
       ON CONFLICT (user_id, character_id) DO UPDATE SET character_name = EXCLUDED.character_name, flagged_at = EXCLUDED.flagged_at`,
      [userId, characterId, characterName, Date.now()],
    );
  }

  async clear(userId: string, characterId: number): Promise<void> {
    await execute(
      this.#db,
      'DELETE FROM esikit_gateway_dead_character WHERE user_id = ? AND character_id = ?',
      [userId, characterId],
    );
  }

  async of(userId: string): Promise<{ characterId: number; characterName: string }[]> {
    const rows = await execute<{ character_id: string | number; character_name: string }[]>(
      this.#db,
      'SELECT character_id, character_name FROM esikit_gateway_dead_character WHERE user_id = ?',
      [userId],
    );
    return rows.map((r) => ({
      characterId: Number(r.character_id),
      characterName: r.character_name,
    }));
  }

  /** Runs the user's own revoke: the token it deletes is not "dead", the user ended it. */
  async whileRevoking<T>(tokenId: string, revoke: () => Promise<T>): Promise<T> {
    this.#revoking.add(tokenId);
    try {
      return await revoke();
    } finally {
      this.#revoking.delete(tokenId);
    }
  }

  /**
   * The store core's TokenManager uses, flagging the owner's character when a token is deleted
   * after SSO's invalid_grant. Core deletes for three reasons: invalid_grant and revoke both
   * compare-and-delete on a version; a login that finds the character with a new owner deletes
   * the old owner's token without one (a sale, not a dead login: not flagged). Revokes are
   * excluded by {@link whileRevoking}.
   */
  watch(store: TokenStore, onError: (error: unknown) => void): TokenStore {
    const del: TokenStore['delete'] = async (id, expectedVersion, options) => {
      const flag = expectedVersion !== undefined && !this.#revoking.has(id);
      const token = flag ? await store.get(id, options) : undefined;
      const deleted = await store.delete(id, expectedVersion, options);
      if (deleted && token?.userId !== undefined && token.version === expectedVersion) {
        // The delete is done; failing to flag must not turn SSO's answer into a store error.
        await this.add(token.userId, token.characterId, token.characterName).catch(onError);
      }
      return deleted;
    };
    return new Proxy(store, {
      get(target, prop) {
        if (prop === 'delete') return del;
        const value: unknown = Reflect.get(target, prop, target);
        return typeof value === 'function'
          ? (value as (...a: unknown[]) => unknown).bind(target)
          : value;
      },
    });
  }
}
