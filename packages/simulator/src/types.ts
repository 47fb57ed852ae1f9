/** A character in the simulator's small, consistent universe. */
export interface SimCharacter {
  /**
   * EVE character id: CCP's ranges are 90,000,000–98,000,000 (2010–2016) and
   * 2,100,000,000–2,147,483,647 (created after 2016-05-30); any positive safe integer is taken.
   */
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
  /**
   * The callback URL(s) registered for the application; `/v2/oauth/authorize` refuses any other
   * `redirect_uri` with EVE's `invalid_request` "The redirect URL does not match any of the
   * configured values for this client.". @default any URL (no registration check)
   */
  readonly redirectUris?: readonly string[];
  /**
   * Scopes the application is registered for; requesting another one (at the authorize
   * endpoint or through `issueTokens`) is refused with EVE's `invalid_scope`
   * "The requested '<scope>' scope is not valid.". @default every scope the SSO knows
   */
  readonly scopes?: readonly string[];
  /**
   * How this client's access tokens spell `iss`: `'url'` is the issuer as published
   * (`https://login.eveonline.com`, or the SSO's URL for the default issuer `'self'`), `'host'`
   * its bare host[:port] (`login.eveonline.com`, `127.0.0.1:<port>`), the two forms real EVE
   * tokens carry. @default 'url'
   */
  readonly issuerForm?: 'url' | 'host';
}
