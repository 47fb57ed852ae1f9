/** A character in the simulator's small, consistent universe. */
export interface SimCharacter {
  /** EVE character id (90000000–2147483647 range, or above 2^31 for newer characters). */
  readonly id: number;
  readonly name: string;
  readonly corporationId: number;
  readonly allianceId?: number;
  /** SSO owner hash; changes when the character is sold to another account. */
  ownerHash: string;
}

/** An application registered with the simulated SSO. */
export interface SsoClientRegistration {
  readonly clientId: string;
  /** Omit for a public (PKCE-only) client. */
  readonly clientSecret?: string;
  /** Allowed callback URLs; empty means any. */
  readonly redirectUris?: readonly string[];
}
