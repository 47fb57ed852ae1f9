// @esikit/core/sso/testing — the shared TokenStore contract suite, for store implementations'
// own tests. Not part of the production entry: it imports node:assert and makes test data.
export { sampleToken, tokenStoreContract } from './token-store-contract.js';
export type { ContractHarness, StoreFactory } from './token-store-contract.js';
