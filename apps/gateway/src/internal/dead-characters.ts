// Characters whose token SSO declared dead (invalid_grant), per user, until they log in again.
// In memory: after a restart the character simply no longer shows.
export class DeadCharacters {
  readonly #byUser = new Map<string, Map<number, string>>();

  add(userId: string, characterId: number, characterName: string): void {
    let m = this.#byUser.get(userId);
    if (!m) this.#byUser.set(userId, (m = new Map<number, string>()));
    m.set(characterId, characterName);
  }

  clear(userId: string, characterId: number): void {
    this.#byUser.get(userId)?.delete(characterId);
  }

  of(userId: string): { characterId: number; characterName: string }[] {
    return [...(this.#byUser.get(userId) ?? [])].map(([characterId, characterName]) => ({
      characterId,
      characterName,
    }));
  }
}
