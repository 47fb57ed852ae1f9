// @esikit/core/sso — EVE SSO (openid-client 6 + jose) and a token model that refreshes safely.
export { createSso, EveSso } from './sso.js';
export type {
  AuthorizationUrlInput,
  ExchangeCodeInput,
  PkcePair,
  SsoCallOptions,
  TokenResponse,
  VerifiedTokenResponse,
} from './sso.js';
export { DEFAULT_SSO_URL } from './options.js';
export type { ResolvedSsoOptions, SsoOptions } from './options.js';
export { EVE_ISSUERS } from './verify.js';
export type { VerifiedAccessToken } from './verify.js';
export {
  canRefresh,
  expiresIn,
  hasExactScopes,
  hasScopes,
  isEquivalent,
  isExpired,
  normalizeScopes,
} from './token.js';
export type { NewToken, ScopesInput, Token, TokenChanges } from './token.js';
export type { CallbackRedirect, StoreCallOptions, TokenFilter, TokenStore } from './store.js';
export { MemoryTokenStore } from './memory-store.js';
// RedisTokenStore: `@esikit/core/sso/redis` (needs ioredis); the store contract suite:
// `@esikit/core/sso/testing`. Neither is part of this entry.
export { EncryptedTokenStore, TokenCipher } from './encryption.js';
export type { TokenCipherOptions } from './encryption.js';
export { TokenManager } from './manager.js';
export type { BulkOptions, BulkRefreshResult, TokenManagerOptions, TokenQuery } from './manager.js';
export type {
  TokenEventIdentity,
  TokenRemovedEvent,
  TokenRemovedListener,
  TokenRemovedReason,
} from './removals.js';
export type { TokenRefreshEvent, TokenRefreshListener, TokenRefreshOutcome } from './refreshes.js';
export { tokenFor } from './access.js';
export type { TokenForInput } from './access.js';
export { completeLogin, importRefreshToken, saveToken, startLogin } from './login.js';
export type { CompletedLogin, CompleteLoginInput, StartedLogin, StartLoginInput } from './login.js';
export {
  SsoAbortedError,
  SsoError,
  SsoInvalidGrantError,
  SsoLoginDeniedError,
  SsoOptionError,
  SsoProtocolError,
  SsoRejectedError,
  SsoStateError,
  SsoUnavailableError,
  TokenError,
  TokenForbiddenError,
  TokenVerificationError,
} from './errors.js';
export type {
  SsoErrorCode,
  SsoUnavailableReason,
  TokenForbiddenReason,
  TokenInvalidReason,
} from './errors.js';
