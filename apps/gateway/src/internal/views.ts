// What a user may see of their own tokens: never the access or refresh token.
import type { Token } from '@esikit/core/sso';
import type { GatewayContext } from './context.js';

export interface TokenView {
  readonly id: string;
  readonly characterId: number;
  readonly characterName: string;
  readonly scopes: readonly string[];
  /** When the access token expires (ms since the epoch); it is refreshed when used. */
  readonly expiresAt: number;
  readonly refreshable: boolean;
}

export interface CharacterView {
  readonly characterId: number;
  readonly characterName: string;
  readonly initials: string;
  /** Union of the scopes of the character's tokens. */
  readonly scopes: readonly string[];
  readonly tokens: readonly TokenView[];
  /** SSO declared its token dead: log in with it again. */
  readonly needsLogin: boolean;
}

export function describeTokens(tokens: readonly Token[]): TokenView[] {
  return tokens.map((t) => ({
    id: t.id,
    characterId: t.characterId,
    characterName: t.characterName,
    scopes: [...t.scopes],
    expiresAt: t.expiresAt,
    refreshable: t.refreshToken !== undefined,
  }));
}

export function initials(name: string): string {
  const parts = name.split(/\s+/).filter(Boolean);
  return (
    (parts[0]?.[0] ?? '?') + (parts.length > 1 ? (parts[parts.length - 1]?.[0] ?? '') : '')
  ).toUpperCase();
}

export async function describeCharacters(
  ctx: GatewayContext,
  userId: string,
  signal?: AbortSignal,
): Promise<CharacterView[]> {
  const tokens = describeTokens(await ctx.tokens.forUser(userId, signal ? { signal } : {}));
  const byCharacter = new Map<number, TokenView[]>();
  for (const t of tokens)
    byCharacter.set(t.characterId, [...(byCharacter.get(t.characterId) ?? []), t]);
  const out: CharacterView[] = [...byCharacter].map(([characterId, list]) => ({
    characterId,
    characterName: list[0]!.characterName,
    initials: initials(list[0]!.characterName),
    scopes: [...new Set(list.flatMap((t) => t.scopes))].sort(),
    tokens: list,
    needsLogin: false,
  }));
  for (const d of await ctx.dead.of(userId))
    if (!byCharacter.has(d.characterId))
      out.push({
        characterId: d.characterId,
        characterName: d.characterName,
        initials: initials(d.characterName),
        scopes: [],
        tokens: [],
        needsLogin: true,
      });
  return out.sort((a, b) => a.characterName.localeCompare(b.characterName));
}
