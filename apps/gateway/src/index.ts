// The gateway as a library: start it in-process (tests, the smoke tour, your own launcher).
export { startGateway, GATEWAY_VERSION } from './gateway.js';
export type { Gateway, StartGatewayOptions } from './gateway.js';
export { loadConfig, GatewayConfigError, DEFAULT_SCOPES } from './config.js';
export type { GatewayConfig, EveAppConfig } from './config.js';
export { runSmoke } from './smoke.js';
export type { SmokeResult } from './smoke.js';
export type { GatewayRouter, TrpcContext } from './internal/trpc.js';
export { HOUSEKEEPING_LEASE_KEY } from './internal/housekeeping.js';
export type { HousekeepingResult } from './internal/housekeeping.js';
