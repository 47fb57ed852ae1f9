// Characters whose token SSO declared dead (invalid_grant), per user, until that character logs
// in again: rows of the gateway's own table, so the page still says "needs a new login" after a
// restart. Flagged from core's onTokenRemoved event, wherever core deletes a dead token — in
// housekeeping's bulk refresh and in a normal request's refresh alike.
import type { TokenRemovedEvent } from '@esikit/core/sso';
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

  /**
   * For core's `onTokenRemoved`: only SSO's `invalid_grant` means "log in again". A user's own
   * revoke ended the token on purpose, and a token removed because the character now belongs to
   * another account (`owner_changed`) is a sale, not a dead login.
   */
  async onTokenRemoved(event: TokenRemovedEvent): Promise<void> {
    if (event.reason !== 'invalid_grant' || event.userId === undefined) return;
    await this.add(event.userId, event.characterId, event.characterName);
  }
}
