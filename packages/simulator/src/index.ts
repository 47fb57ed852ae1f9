export { SimulatorClock } from './clock.js';
export { SimulatorError } from './errors.js';
export type { SimulatorErrorCode } from './errors.js';
export { startSimulator } from './simulator.js';
export type { Simulator } from './simulator.js';
export { DEFAULT_CLIENT, DEFAULT_PUBLIC_CLIENT } from './options.js';
export type { LimitOptions, SimulatorOptions, SimulatorSsoOptions } from './options.js';
export { NO_VIOLATIONS } from './internal/audit.js';
export type { AuditEntry, SimulatorStats, ViolationKind } from './internal/audit.js';
export type { FailNext, FaultConfig, FaultSpec, FaultStatus } from './internal/faults.js';
export type { GroupLimitOverride } from './internal/limits.js';
export { SsoServer, SsoVerifyError } from './sso/index.js';
export type {
  Fault as SsoFault,
  FaultTarget as SsoFaultTarget,
  IssuedTokens,
  SsoFailNext,
  SsoFaults,
  SsoFaultStatus,
  SsoStats,
  VerifiedAccess,
} from './sso/index.js';
export type { SimCharacter, SsoClientRegistration } from './types.js';
export type { SimStoredToken, StoredTokenRequest, TokenStoreLike } from './stored-tokens.js';
